import type { Message } from 'kafkajs';
import { ConsumerRunner } from '@lambda-iot/kafka';
import { CassandraWindowSink, RedisWindowSink, SpeedHandlerFactory } from '@lambda-iot/speed-layer';
import { eventually } from '@lambda-iot/testkit';
import { windowStart } from '@lambda-iot/core';
import {
  ALLOWED_LATENESS_MS,
  buildScenario,
  OUT_OF_ORDERNESS_MS,
  type Scenario,
} from './test-support/reading-scenario';
import { cassandraWindows, diffWindows, redisWindows } from './test-support/speed-stores';
import { openSpeedStack, type SpeedStack } from './test-support/speed-stack';

const PARTITIONS = 3;

function scenario(): Scenario {
  return buildScenario({
    partitions: PARTITIONS,
    devices: 6,
    steps: 300,
    start: windowStart(Date.now() - 2 * 3_600_000, '1m'),
  });
}

function factoryFor(stack: SpeedStack, letters: Message[]): SpeedHandlerFactory {
  return new SpeedHandlerFactory({
    hotSinks: [new RedisWindowSink({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix })],
    durableSinks: [new CassandraWindowSink({ client: stack.cassandra })],
    deadLetters: async (messages) => {
      letters.push(...messages);
    },
    engine: { outOfOrdernessMs: OUT_OF_ORDERNESS_MS, allowedLatenessMs: ALLOWED_LATENESS_MS },
    flushIntervalMs: 200,
    durableFlushIntervalMs: 1_000,
  });
}

function runner(stack: SpeedStack, factory: SpeedHandlerFactory): ConsumerRunner {
  return new ConsumerRunner({
    kafka: stack.kafka,
    groupId: stack.groupId,
    topic: stack.topic,
    factory,
    commitIntervalMs: 200,
    sessionTimeoutMs: 10_000,
  });
}

async function expectStoresToMatch(stack: SpeedStack, s: Scenario): Promise<void> {
  await eventually(
    async () => {
      expect(diffWindows(s.expected, await redisWindows(stack.redis, stack.redisConfig.keyPrefix))).toEqual(
        [],
      );
      expect(diffWindows(s.expected, await cassandraWindows(stack.cassandra))).toEqual([]);
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

describe('speed layer on the real stack', () => {
  it('gives every window exactly the aggregate of its distinct, timely readings, in Redis and in Cassandra', async () => {
    const s = scenario();
    // The scenario exercises what it claims to.
    expect(s.lateReadings).toBeGreaterThan(0);
    expect(s.duplicateEnvelopes).toBeGreaterThan(0);
    expect([...s.expected.values()].some((w) => w.final)).toBe(true);
    expect([...s.expected.values()].some((w) => !w.final)).toBe(true);
    const stack = await openSpeedStack('speed_e2e', PARTITIONS);
    const letters: Message[] = [];
    const factory = factoryFor(stack, letters);
    const r = runner(stack, factory);
    try {
      await stack.produce(s.messages);
      await r.start();
      await expectStoresToMatch(stack, s);
      expect(letters.map((l) => l.headers?.['x-dlq-reason'])).toEqual(['malformed_json']);
      const stats = factory.stats();
      expect(stats.map((p) => p.partition)).toEqual([0, 1, 2]);
      expect(stats.reduce((n, p) => n + p.late, 0)).toBe(s.lateArrivals);
      expect(stats.reduce((n, p) => n + p.duplicates, 0)).toBe(s.duplicateEnvelopes * 2);
    } finally {
      await r.close();
      await stack.cleanup();
    }
  }, 120_000);

  it('gives the same results when runners join and leave the group mid-stream', async () => {
    const s = scenario();
    const stack = await openSpeedStack('speed_group', PARTITIONS);
    const letters: Message[] = [];
    const first = runner(stack, factoryFor(stack, letters));
    const second = runner(stack, factoryFor(stack, letters));
    const third = runner(stack, factoryFor(stack, letters));
    const thirds = Math.floor(s.messages.length / 3);
    try {
      await stack.produce(s.messages.slice(0, thirds));
      await first.start();
      await first.ready;
      await second.start();
      await stack.produce(s.messages.slice(thirds, 2 * thirds));
      await eventually(() => expect(second.ownedPartitions().length).toBeGreaterThan(0), {
        timeoutMs: 30_000,
      });
      await third.start();
      await eventually(() => expect(third.ownedPartitions().length).toBeGreaterThan(0), {
        timeoutMs: 30_000,
      });
      await third.close();
      await stack.produce(s.messages.slice(2 * thirds));
      await expectStoresToMatch(stack, s);
    } finally {
      await Promise.all([first.close(), second.close(), third.close()]);
      await stack.cleanup();
    }
  }, 120_000);
});
