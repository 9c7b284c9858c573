// Crash-safe publication of files: fsync the content, rename over the final name, fsync the directory.
import { open, rename, mkdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * A temporary name beside `finalPath` that no reader's `*.parquet` / manifest glob matches, unique per writer
 * so concurrent writers of the same final name never share a temp file.
 */
export function tempPathFor(finalPath: string): string {
  return join(
    dirname(finalPath),
    `.${basename(finalPath)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
}

export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes a fully written temp file visible under its final name: after this resolves, a crash leaves either
 * nothing or the whole file, never part of it.
 */
export async function publishFile(tempPath: string, finalPath: string): Promise<void> {
  await fsyncPath(tempPath);
  await rename(tempPath, finalPath);
  await fsyncPath(dirname(finalPath));
}

/** Writes `text` durably under `finalPath` (temp file, fsync, rename). */
export async function writeFileDurably(finalPath: string, text: string): Promise<void> {
  await mkdir(dirname(finalPath), { recursive: true });
  const temp = tempPathFor(finalPath);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, finalPath);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncPath(dirname(finalPath));
}
