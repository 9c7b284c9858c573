// `reset`: stop what the stack started, then delete the stack's own data, logs and pid files.
import fs from 'node:fs';
import path from 'node:path';
import { dataDir, logFile, pidFile, shown } from '../config.mjs';
import { down } from './down.mjs';

export async function reset(servers, out) {
  await down(servers, out);
  for (const server of servers) {
    const targets = [
      ...server.dataDirs,
      pidFile(server.name),
      logFile(server.name),
      `${logFile(server.name)}.1`,
    ];
    const existing = targets.filter((t) => fs.existsSync(t));
    for (const target of existing) fs.rmSync(target, { recursive: true, force: true });
    const external = await server.probe();
    const what =
      existing.length > 0 ? `deleted ${existing.map(shown).join(', ')}` : 'no stack data to delete';
    out.info(
      `${server.name}: ${what}${external ? ` (the external server on ${server.address()} keeps its own data)` : ''}`,
    );
  }
  // Only remove directories we emptied; anything else another tool put under the data dir stays.
  for (const dir of ['logs', 'pids']) {
    try {
      fs.rmdirSync(path.join(dataDir, dir));
    } catch {
      // Not empty or already gone.
    }
  }
  return 0;
}
