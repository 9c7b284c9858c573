// The speed app while one of its sinks is down (a fault proxy in front of the shared server is paused): it keeps
// running and retrying, commits nothing past windows that sink does not have, stops taking records once the bound
// of unwritten windows is reached, and ends exactly right once the sink is back, also across a SIGKILL.
import type { Admin } from 'kafkajs';
import { windowStart } from '@lambda-iot/core';
import { eventually } from '@lambda-iot/testkit';
import { buildScenario, type Scenario } from './test-support/reading-scenario';
import { cassandraWindows, diffWindows, redisWindows } from './test-support/speed-stores';
import { openSpeedStack, type SpeedStack } from './test-support/speed-stack';
import {
  committedOffsets,
  isRunning,
  metric,
  openProxies,
  opsPort,
  requireBuiltApp,
  startSpeed,
  stopAll,
  waitForCommitsWithWatermark,
  type OutageProxies,
  type SpeedProcess,
} from './test-support/speed-process';

const MAX_UNWRITTEN = 8;
const OUTAGE_ENV = { SPEED_MAX_UNWRITTEN_WINDOWS: String(MAX_UNWRITTEN) };

type Sink = 'cassandra' | 'redis';

interface Outage {
  s: Scenario;
  stack: SpeedStack;
  proxies: OutageProxies;
  admin: Admin;
  processes: SpeedProcess[];
}

async function withOutage(name: string, body: (o: Outage) => Promise<void>): Promise<void> {
  requireBuiltApp();
  // 10 minutes of event time: 2 series per device, 2 devices per partition, so about 4 windows close per minute
  // of event time on each partition, far beyond the bound.
  const s = buildScenario({
    partitions: 3,
    devices: 6,
    steps: 300,
    start: windowStart(Date.now() - 2 * 3_600_000, '1m'),
  });
  const stack = await openSpeedStack(name, 3);
  const proxies = await openProxies(stack);
  const admin = stack.kafka.admin();
  await admin.connect();
  const processes: SpeedProcess[] = [];
  try {
    await body({ s, stack, proxies, admin, processes });
  } catch (err) {
    const last = processes[processes.length - 1];
    throw new Error(
      `${(err as Error).message}\n--- speed output ---\n${last?.output().slice(-4_000) ?? ''}`,
      {
        cause: err,
      },
    );
  } finally {
    await stopAll(processes);
    await proxies.redis.close();
    await proxies.cassandra.close();
    await admin.disconnect();
    await stack.cleanup();
  }
}

/** Live traffic, paced, so that batches and commits happen along the way. */
async function producePaced(stack: SpeedStack, messages: Scenario['messages']): Promise<void> {
  for (let i = 0; i < messages.length; i += 50) {
    await stack.produce(messages.slice(i, i + 50));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * With `sink` paused and more closed windows than the bound allows: every partition stops at the bound and the app
 * keeps retrying. Records produced from then on are not taken, and committed offsets do not move.
 */
async function expectHeldWhileDown(
  o: Outage,
  p: SpeedProcess,
  sink: Sink,
  more: Scenario['messages'],
): Promise<void> {
  const port = await opsPort(p);
  const errors = () => metric(port, 'speed_sink_write_seconds_count', `sink="${sink}"`, 'result="error"');
  await eventually(
    async () => {
      expect(await errors()).toBeGreaterThan(0);
      for (const partition of [0, 1, 2])
        expect(await metric(port, 'speed_unwritten_windows', `partition="${partition}"`)).toBeGreaterThan(
          MAX_UNWRITTEN,
        );
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  const records = await metric(port, 'speed_records_total');
  const commits = await committedOffsets(o.admin, o.stack);
  await o.stack.produce(more);
  const failed = await errors();
  // Several more failed attempts (the handler backs off between them) while we watch.
  await eventually(async () => expect(await errors()).toBeGreaterThanOrEqual(failed + 4), {
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  expect(isRunning(p)).toBe(true);
  expect(await metric(port, 'speed_records_total')).toBe(records);
  expect(await committedOffsets(o.admin, o.stack)).toEqual(commits);
}

async function expectExact(o: Outage): Promise<void> {
  await eventually(
    async () => {
      expect(
        diffWindows(o.s.expected, await redisWindows(o.stack.redis, o.stack.redisConfig.keyPrefix)),
      ).toEqual([]);
      expect(diffWindows(o.s.expected, await cassandraWindows(o.stack.cassandra))).toEqual([]);
    },
    { timeoutMs: 40_000, intervalMs: 500 },
  );
}

function parts(
  s: Scenario,
): [Scenario['messages'], Scenario['messages'], Scenario['messages'], Scenario['messages']] {
  // Windows close 3 minutes of event time after they start (1 m + 2 m lateness): the first part is long enough to
  // close (and commit past) some, the outage part closes several more per partition than the bound allows.
  const [a, b, c] = [0.4, 0.8, 0.9].map((f) => Math.floor(s.messages.length * f)) as [number, number, number];
  return [s.messages.slice(0, a), s.messages.slice(a, b), s.messages.slice(b, c), s.messages.slice(c)];
}

describe('the speed app during a sink outage', () => {
  it.each<Sink>(['cassandra', 'redis'])(
    '%s down mid-stream: holds commits and intake at the bound, retries, and is exact once it is back',
    async (sink) =>
      withOutage(`speed_${sink}_down`, async (o) => {
        const [before, during, held, after] = parts(o.s);
        const p = startSpeed(process.env, o.stack, o.proxies, OUTAGE_ENV);
        o.processes.push(p);
        await producePaced(o.stack, before);
        await waitForCommitsWithWatermark(o.admin, o.stack, p);

        o.proxies[sink].pause();
        // Paced: the first batches close fewer windows than the bound, so commits are attempted while the sink is down.
        await producePaced(o.stack, during);
        await expectHeldWhileDown(o, p, sink, held);
        const heldOffsets = await committedOffsets(o.admin, o.stack);

        o.proxies[sink].resume();
        await o.stack.produce(after);
        await expectExact(o);
        // The same process recovered on its own, and commits move on again.
        expect(isRunning(p)).toBe(true);
        await eventually(
          async () => {
            const now = await committedOffsets(o.admin, o.stack);
            for (const partition of [0, 1, 2])
              expect(Number(now[partition])).toBeGreaterThan(Number(heldOffsets[partition]));
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
      }),
    90_000,
  );

  it(
    'SIGKILL while Cassandra is down, restart after it is back: exact, nothing lost or counted twice',
    async () =>
      withOutage('speed_cassandra_kill', async (o) => {
        const [before, during, held, after] = parts(o.s);
        const first = startSpeed(process.env, o.stack, o.proxies, OUTAGE_ENV);
        o.processes.push(first);
        await producePaced(o.stack, before);
        await waitForCommitsWithWatermark(o.admin, o.stack, first);

        o.proxies.cassandra.pause();
        // Paced: the first batches close fewer windows than the bound, so commits are attempted while the sink is down.
        await producePaced(o.stack, during);
        await expectHeldWhileDown(o, first, 'cassandra', held);
        first.child.kill('SIGKILL');
        expect(await first.exited).toBeNull();
        await o.stack.produce(after);

        o.proxies.cassandra.resume();
        const second = startSpeed(process.env, o.stack, o.proxies, OUTAGE_ENV);
        o.processes.push(second);
        await expectExact(o);
      }),
    90_000,
  );
});
