import { windowStart } from '@lambda-iot/core';
import { partitionStatusKey } from '@lambda-iot/speed-layer';
import { eventually } from '@lambda-iot/testkit';
import { buildScenario } from './test-support/reading-scenario';
import { cassandraWindows, diffWindows, redisWindows } from './test-support/speed-stores';
import { openSpeedStack } from './test-support/speed-stack';
import {
  isRunning,
  opsPort,
  requireBuiltApp,
  startSpeed,
  waitForCommitsWithWatermark,
  type SpeedProcess,
} from './test-support/speed-process';

describe('the speed app process', () => {
  it('survives SIGKILL mid-stream: after a restart every window is exactly right, nothing lost or counted twice', async () => {
    requireBuiltApp();
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
      const first = startSpeed(process.env, stack);
      processes.push(first);
      // Live traffic, paced: the runner commits after batches, so a stream consumed in one gulp would commit once.
      for (let i = 0; i < half; i += 100) {
        await stack.produce(s.messages.slice(i, Math.min(i + 100, half)));
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      // Wait for real progress: offsets with watermark metadata committed on every partition.
      await waitForCommitsWithWatermark(admin, stack, first);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();
      // Before the restart, Redis and Cassandra hold a partial state; the rest of the stream arrives meanwhile.
      await stack.produce(s.messages.slice(half));

      const second = startSpeed(process.env, stack);
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
      const port = await opsPort(second);
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
      for (const p of processes) if (isRunning(p)) p.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
      await admin.disconnect();
      await stack.cleanup();
    }
  }, 150_000);
});
