// Runs the built speed app as a child process (directly or behind fault proxies for Redis and Cassandra), and reads its /metrics and commits.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { eventually, TcpProxy, testKafkaConfig } from '@lambda-iot/testkit';
import { ALLOWED_LATENESS_MS, OUT_OF_ORDERNESS_MS } from './reading-scenario';
import type { SpeedStack } from './speed-stack';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

export interface SpeedProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export interface OutageProxies {
  redis: TcpProxy;
  cassandra: TcpProxy;
}

export async function openProxies(stack: SpeedStack): Promise<OutageProxies> {
  const [cassandraHost, cassandraPort] = stack.cassandraConfig.contactPoints[0]!.split(':') as [
    string,
    string,
  ];
  const redis = new TcpProxy({ targetHost: stack.redisConfig.host, targetPort: stack.redisConfig.port });
  const cassandra = new TcpProxy({ targetHost: cassandraHost, targetPort: Number(cassandraPort) });
  await redis.start(0);
  await cassandra.start(0);
  return { redis, cassandra };
}

export function requireBuiltApp(): void {
  if (!existsSync(MAIN))
    throw new Error(`build the app first: npx turbo run build --filter=@lambda-iot/speed (${MAIN} missing)`);
}

/**
 * The built speed app as a child process on the test's stack; with `proxies`, Redis and Cassandra are reached only
 * through them (so a test can cut them off). `inherited` is the test's environment.
 */
export function startSpeed(
  inherited: NodeJS.ProcessEnv,
  stack: SpeedStack,
  proxies?: OutageProxies,
  overrides: Record<string, string> = {},
): SpeedProcess {
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    KAFKA_BROKERS: testKafkaConfig().brokers.join(','),
    REDIS_HOST: proxies ? '127.0.0.1' : stack.redisConfig.host,
    REDIS_PORT: String(proxies ? proxies.redis.address.port : stack.redisConfig.port),
    REDIS_KEY_PREFIX: stack.redisConfig.keyPrefix,
    CASSANDRA_CONTACT_POINTS: proxies
      ? proxies.cassandra.endpoint
      : stack.cassandraConfig.contactPoints.join(','),
    CASSANDRA_KEYSPACE: stack.cassandraConfig.keyspace,
    READINGS_TOPIC: stack.topic,
    READINGS_PARTITIONS: '3',
    SPEED_GROUP_ID: stack.groupId,
    SPEED_OUT_OF_ORDERNESS: String(OUT_OF_ORDERNESS_MS),
    SPEED_ALLOWED_LATENESS: String(ALLOWED_LATENESS_MS),
    SPEED_FLUSH_INTERVAL: '200ms',
    SPEED_DURABLE_FLUSH_INTERVAL: '1s',
    SPEED_COMMIT_INTERVAL: '200ms',
    SPEED_STATUS_INTERVAL: '200ms',
    SPEED_SESSION_TIMEOUT: '6s',
    OPS_HOST: '127.0.0.1',
    OPS_PORT: '0',
    LOG_LEVEL: 'info',
    ...overrides,
  };
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export function isRunning(p: SpeedProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

export async function opsPort(p: SpeedProcess): Promise<number> {
  return eventually(
    () => {
      const line = p
        .output()
        .split('\n')
        .find((l) => l.includes('"ops server listening"'));
      if (!line) throw new Error(`ops server not listening yet:\n${p.output().slice(-2_000)}`);
      return (JSON.parse(line) as { port: number }).port;
    },
    { timeoutMs: 60_000 },
  );
}

/** Sum of every sample of `name` whose labels contain all of `labels` (e.g. `sink="cassandra"`). */
export async function metric(port: number, name: string, ...labels: string[]): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels.every((l) => line.includes(l))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Per partition: committed offset (or -1) and whether it carries the speed layer's watermark metadata. */
export async function committedOffsets(admin: Admin, stack: SpeedStack): Promise<Record<number, string>> {
  const [entry] = await admin.fetchOffsets({ groupId: stack.groupId, topics: [stack.topic] });
  const out: Record<number, string> = {};
  for (const p of entry?.partitions ?? []) out[p.partition] = p.offset;
  return out;
}

export async function waitForCommitsWithWatermark(
  admin: Admin,
  stack: SpeedStack,
  p: SpeedProcess,
): Promise<void> {
  await eventually(
    async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: stack.groupId, topics: [stack.topic] });
      const committed = offsets?.partitions.filter(
        (x) => Number(x.offset) > 0 && (x.metadata ?? '').includes('"wm"'),
      );
      expect(committed?.length).toBe(3);
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  ).catch((err: unknown) => {
    throw new Error(`no commits; speed output:\n${p.output().slice(-3_000)}`, { cause: err });
  });
}

export async function stopAll(processes: readonly SpeedProcess[]): Promise<void> {
  for (const p of processes) if (isRunning(p)) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
}
