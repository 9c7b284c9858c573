// Redis from Debian's redis-server package; used as found when something already answers on the port.
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { host, ports, serverDataDir } from './config.mjs';
import { ensureBinary } from './apt.mjs';
import { portOpen, withTimeout } from './net.mjs';
import { spawnDetached } from './process.mjs';

const dir = serverDataDir('redis');
const confFile = path.join(dir, 'redis.conf');
let binary;

// Foreground (daemonize no) so the pid we record is the server itself; logfile "" writes to our log.
const conf = () => `bind ${host}
port ${ports.redis}
protected-mode yes
daemonize no
logfile ""
dir ${dir}
dbfilename dump.rdb
appendonly no
`;

async function prepare(say) {
  binary = await ensureBinary('redis-server', ['redis-server'], say);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(confFile, conf());
}

const start = () => spawnDetached('redis', binary, [confFile], { cwd: dir });

async function withClient(fn) {
  if (!(await portOpen(host, ports.redis))) return undefined;
  const client = new Redis({
    host,
    port: ports.redis,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), 3000, 'redis');
    return await withTimeout(fn(client), 3000, 'redis');
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

async function version() {
  const info = await withClient((c) => c.info('server'));
  return /redis_version:(\S+)/.exec(info ?? '')?.[1] ?? '?';
}

export default {
  name: 'redis',
  portVar: 'REDIS_PORT',
  address: () => `${host}:${ports.redis}`,
  port: () => ports.redis,
  kind: 'system',
  startTimeoutMs: 20_000,
  stopGraceMs: 15_000,
  dataDirs: [dir],
  prepare,
  start,
  probe: async () => (await withClient((c) => c.ping())) === 'PONG',
  version,
};
