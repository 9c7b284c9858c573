import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { windowStart } from '@lambda-iot/core';
import { partitionStatusKey } from '@lambda-iot/speed-layer';
import { eventually } from '@lambda-iot/testkit';
import { ALLOWED_LATENESS_MS, buildScenario, OUT_OF_ORDERNESS_MS } from './test-support/reading-scenario';
import { cassandraWindows, diffWindows, redisWindows } from './test-support/speed-stores';
import { openSpeedStack, type SpeedStack } from './test-support/speed-stack';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

interface SpeedProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startSpeed(stack: SpeedStack): SpeedProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`,
    REDIS_PORT: String(stack.redisConfig.port),
    REDIS_KEY_PREFIX: stack.redisConfig.keyPrefix,
    CASSANDRA_CONTACT_POINTS: stack.cassandraConfig.contactPoints.join(','),
    CASSANDRA_KEYSPACE: stack.cassandraConfig.keyspace,
    READINGS_TOPIC: stack.topic,
    READINGS_PARTITIONS: '3',
    SPEED_GROUP_ID: stack.groupId,
    SPEED_OUT_OF_ORDERNESS: String(OUT_OF_ORDERNESS_MS),
    SPEED_ALLOWED_LATENESS: String(ALLOWED_LATENESS_MS),
    SPEED_FLUSH_INTERVAL: '200ms',
    SPEED_DURABLE_FLUSH_INTERVAL: '1s',
    SPEED_COMMIT_INTERVAL: '200ms',
    SPEED_STATUS_INTERVAL: '300ms',
    // The killed member must leave the group quickly for the restart to get its partitions.
    SPEED_SESSION_TIMEOUT: '6s',
    OPS_HOST: '127.0.0.1',
    OPS_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function opsPort(p: SpeedProcess): number {
  const line = p
    .output()
    .split('\n')
    .find((l) => l.includes('"ops server listening"'));
  if (!line) throw new Error('ops server not listening yet');
  return (JSON.parse(line) as { port: number }).port;
}

describe('the speed app process', () => {
  it('survives SIGKILL mid-stream: after a restart every window is exactly right, nothing lost or counted twice', async () => {
    if (!existsSync(MAIN))
      throw new Error(
        `build the app first: npx turbo run build --filter=@lambda-iot/speed (${MAIN} missing)`,
      );
    const s = buildScenario({
      partitions: 3,
      devices: 6,
      steps: 300,
      start: windowStart(Date.now() - 2 * 3_600_000, '1m'),
    });
    const stack = await openSpeedStack('speed_crash', 3);
    const processes: SpeedProcess[] = [];
    const admin = stack.kafka.admin();
    await admin.connect();
    try {
      const half = Math.floor(s.messages.length / 2);
      const first = startSpeed(stack);
      processes.push(first);
      // Live traffic, paced: the runner commits after batches, so a stream consumed in one gulp would commit once.
      for (let i = 0; i < half; i += 100) {
        await stack.produce(s.messages.slice(i, Math.min(i + 100, half)));
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      // Wait for real progress: offsets with watermark metadata committed on every partition.
      await eventually(
        async () => {
          const [offsets] = await admin.fetchOffsets({ groupId: stack.groupId, topics: [stack.topic] });
          const committed = offsets?.partitions.filter(
            (p) => Number(p.offset) > 0 && (p.metadata ?? '').includes('"wm"'),
          );
          expect(committed?.length).toBe(3);
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      ).catch((err: unknown) => {
        throw new Error(`no commits; speed output:\n${first.output().slice(-3_000)}`, { cause: err });
      });
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();
      // Before the restart, Redis and Cassandra hold a partial state; the rest of the stream arrives meanwhile.
      await stack.produce(s.messages.slice(half));

      const second = startSpeed(stack);
      processes.push(second);
      await eventually(
        async () => {
          expect(
            diffWindows(s.expected, await redisWindows(stack.redis, stack.redisConfig.keyPrefix)),
          ).toEqual([]);
          expect(diffWindows(s.expected, await cassandraWindows(stack.cassandra))).toEqual([]);
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );

      // The serving app's status hash, /healthz and /metrics.
      await eventually(async () => {
        const status = await stack.redis.hgetall(partitionStatusKey(stack.redisConfig.keyPrefix));
        expect(Object.keys(status).sort()).toEqual(['0', '1', '2']);
        for (const value of Object.values(status)) {
          expect(JSON.parse(value)).toEqual({
            watermark: expect.any(Number),
            lag: 0,
            late: expect.any(Number),
            duplicates: expect.any(Number),
            openWindows: expect.any(Number),
            updatedAt: expect.any(Number),
          });
        }
      });
      const port = await eventually(() => opsPort(second));
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'up',
        checks: { kafka: { state: 'up' }, redis: { state: 'up' }, cassandra: { state: 'up' } },
      });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('speed_readings_total{outcome="applied",app="speed"}');
      expect(metrics).toContain('speed_sink_write_seconds_bucket');

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const p of processes)
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
      await admin.disconnect();
      await stack.cleanup();
    }
  }, 150_000);
});
