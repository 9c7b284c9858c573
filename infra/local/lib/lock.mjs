// One stack command at a time: an O_EXCL lock file holding the owner's pid, taken over when that pid is dead.
import fs from 'node:fs';
import path from 'node:path';
import { lockFile } from './config.mjs';
import { isAlive, sleep } from './process.mjs';

function tryCreate() {
  try {
    const fd = fs.openSync(lockFile, 'wx');
    fs.writeSync(fd, `${process.pid}\n`);
    fs.closeSync(fd);
    return true;
  } catch (err) {
    if (err.code === 'EEXIST') return false;
    throw err;
  }
}

function holder() {
  try {
    return Number(fs.readFileSync(lockFile, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** Waits (up to timeoutMs) for the lock; onWait is told once which pid holds it. Returns a release function. */
export async function acquireLock({ timeoutMs = 600_000, onWait = () => {} } = {}) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    if (tryCreate()) break;
    const pid = holder();
    if (pid === undefined || !isAlive(pid)) {
      // Stale: its owner crashed. Renaming first makes the takeover atomic when two waiters notice at once.
      const stale = `${lockFile}.stale-${process.pid}`;
      try {
        fs.renameSync(lockFile, stale);
        // Between our check and the rename another waiter may have taken the lock: give a live one back.
        const moved = Number(fs.readFileSync(stale, 'utf8').trim());
        if (moved && isAlive(moved)) fs.linkSync(stale, lockFile);
      } catch {
        // Someone else moved it first, or already created a new lock; just retry.
      }
      fs.rmSync(stale, { force: true });
      continue;
    }
    if (!told) {
      onWait(pid);
      told = true;
    }
    if (Date.now() > deadline) throw new Error(`another stack command (pid ${pid}) still holds ${lockFile}`);
    await sleep(250);
  }
  const release = () => {
    if (holder() === process.pid) fs.rmSync(lockFile, { force: true });
  };
  process.once('exit', release);
  return release;
}
