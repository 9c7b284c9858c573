// `status`: one line per server with liveness, address, version, data size and who started it.
import { diskUsage, humanSize } from '../disk.mjs';
import { ownedPid } from '../process.mjs';

async function describe(server) {
  const owned = ownedPid(server.name) !== undefined;
  const up = await server.probe();
  const bytes = server.dataDirs
    .map(diskUsage)
    .reduce((a, b) => (b === undefined ? a : (a ?? 0) + b), undefined);
  return {
    name: server.name,
    state: up ? 'up' : owned ? 'starting' : 'down',
    address: server.address(),
    version: up ? await server.version(owned) : '-',
    size: humanSize(bytes),
    owner: owned ? 'stack' : up ? 'external' : '-',
    up,
  };
}

export async function status(servers, out) {
  const rows = await Promise.all(servers.map(describe));
  const cols = ['name', 'state', 'address', 'version', 'size', 'owner'];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (r) =>
    cols
      .map((c, i) => String(r[c]).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  out.summary(line(Object.fromEntries(cols.map((c) => [c, c.toUpperCase()]))));
  for (const r of rows) out.summary(line(r));
  for (const server of servers.filter((s, i) => rows[i].up)) {
    for (const p of (await server.verify?.()) ?? []) out.summary(`${server.name}: WARNING: ${p}`);
  }
  return rows.every((r) => r.up) ? 0 : 1;
}
