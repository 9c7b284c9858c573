// Speed app processes killed (SIGKILL) mid-stream: an open alert is neither lost nor duplicated, and online baselines survive.
import {
  CassandraAlertStore,
  FileBaselineStore,
  RedisAlertStore,
  RedisOnlineBaselineStore,
  type AlertEvent,
} from '@lambda-iot/anomaly';
import { MINUTE_MS, windowStart } from '@lambda-iot/core';
import { eventually } from '@lambda-iot/testkit';
import type { Admin } from 'kafkajs';
import type { ScenarioMessage } from './test-support/reading-scenario';
import { flatBaseline, twoDeviceMinute } from './test-support/alert-scenario';
import { openAlertTestStack, type AlertTestStack } from './test-support/alert-test-stack';
import { isRunning, requireBuiltApp, startSpeed, type SpeedProcess } from './test-support/speed-process';

const T0 = windowStart(Date.now() - 3 * 3_600_000, '1h');
const SPIKE_FROM = 5;
const SPIKE_ID = `d1|temp|spike|${T0 + SPIKE_FROM * MINUTE_MS}`;

/** Minutes [from, to) of d1 (at `d1Value`) and d2 (always 20). */
const minutes = (from: number, to: number, d1Value: number): ScenarioMessage[] =>
  Array.from({ length: to - from }, (_, i) => twoDeviceMinute(T0, from + i, d1Value)).flat();

/**
 * One speed stack (one partition) with a flat baseline published for `covered` series, the speed processes a test
 * starts on it, and their cleanup. Lateness 0, so each minute's readings close the window before and the test
 * controls when windows are final.
 */
interface CrashRig extends AlertTestStack {
  admin: Admin;
  start(overrides?: Record<string, string>): SpeedProcess;
  /** `assertion` eventually holds, or fails with the tail of `speed`'s output. */
  expectSoon(
    speed: SpeedProcess,
    what: string,
    assertion: () => Promise<void>,
    timeoutMs?: number,
  ): Promise<void>;
  close(): Promise<void>;
}

async function openCrashRig(
  name: string,
  covered: string[],
  env: Record<string, string> = {},
): Promise<CrashRig> {
  requireBuiltApp();
  const alertStack = await openAlertTestStack(name);
  const { stack, root, alertsTopic } = alertStack;
  const admin = stack.kafka.admin();
  await admin.connect();
  await new FileBaselineStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix, root }).publish(
    flatBaseline(`${name}-aaaa`.replace(/_/g, '-'), T0, 20, covered),
  );
  const processes: SpeedProcess[] = [];
  const base = {
    READINGS_PARTITIONS: '1',
    SPEED_OUT_OF_ORDERNESS: '0ms',
    SPEED_ALLOWED_LATENESS: '0ms',
    ALERTS_TOPIC: alertsTopic,
    ALERTS_PARTITIONS: '1',
    ARCHIVE_ROOT: root,
    ANOMALY_BASELINE_POLL: '200ms',
    ANOMALY_METRICS: '{"temp":{"min":-40,"max":80,"scaleFloor":0.1}}',
    ...env,
  };
  return {
    ...alertStack,
    admin,
    start(overrides = {}) {
      const speed = startSpeed(process.env, stack, undefined, { ...base, ...overrides });
      processes.push(speed);
      return speed;
    },
    async expectSoon(speed, what, assertion, timeoutMs = 45_000) {
      await eventually(assertion, { timeoutMs, intervalMs: 200 }).catch((err: unknown) => {
        throw new Error(`${what}; speed output:\n${speed.output().slice(-3_000)}`, { cause: err });
      });
    },
    async close() {
      for (const p of processes) if (isRunning(p)) p.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
      await admin.disconnect();
      await alertStack.cleanup();
    },
  };
}

describe('anomaly alerts across a speed app crash', () => {
  it('keeps an alert open through a SIGKILL and restart: one id in Kafka, Cassandra and Redis, opened once, resolved once', async () => {
    const rig = await openCrashRig('anomaly_crash', ['d1|temp', 'd2|temp']);
    const { stack, admin, alertsTopic, consumer } = rig;
    const produced: AlertEvent[] = [];
    const hot = new RedisAlertStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix });
    const durable = new CassandraAlertStore({ client: stack.cassandra });
    const range = { from: T0, to: T0 + 3_600_000, state: 'all' } as const;
    try {
      // The first process never commits: its successor replays from offset 0, so the windows before the alert
      // opened are scored again against the alert it restores (they must neither resolve nor reopen it).
      const first = rig.start({ SPEED_COMMIT_INTERVAL: '1h' });
      // The app creates the alerts topic on start; read it from the beginning once it exists.
      await rig.expectSoon(first, 'no alerts topic', async () =>
        expect(await admin.listTopics()).toContain(alertsTopic),
      );
      await consumer.connect();
      await consumer.subscribe({ topic: alertsTopic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          produced.push(JSON.parse(message.value!.toString()) as AlertEvent);
        },
      });

      // d1 is normal for minutes 0-4 and jumps to 40 from minute 5; minute 8's readings close window 7.
      await stack.produce([...minutes(0, SPIKE_FROM, 20), ...minutes(SPIKE_FROM, 9, 40)]);
      await rig.expectSoon(first, 'alert not opened', async () => {
        expect(await hot.openAlerts()).toMatchObject([{ id: SPIKE_ID, state: 'open' }]);
        expect(await durable.query({ ...range, deviceId: 'd1' })).toMatchObject([
          { id: SPIKE_ID, state: 'open' },
        ]);
        expect(produced).toMatchObject([{ id: SPIKE_ID, state: 'open' }]);
      });

      // Killed with the anomaly still going on; it goes on while the app is down (minutes 9 and 10).
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();
      await stack.produce(minutes(9, 11, 40));
      const second = rig.start();
      // Back to normal from minute 11: clean windows 11, 12 and 13 resolve it (minute 14's readings close 13).
      await stack.produce(minutes(11, 15, 20));
      await rig.expectSoon(second, 'alert not resolved once', async () => {
        expect(await hot.openAlerts()).toEqual([]);
        expect(await hot.query(range)).toMatchObject([
          { id: SPIKE_ID, state: 'resolved', resolvedAt: T0 + 14 * MINUTE_MS },
        ]);
        for (const deviceId of ['d1', 'd2'])
          expect(await durable.query({ ...range, deviceId })).toMatchObject(
            deviceId === 'd1' ? [{ id: SPIKE_ID, state: 'resolved', resolvedAt: T0 + 14 * MINUTE_MS }] : [],
          );
        expect(produced.map((e) => [e.id, e.state])).toEqual([
          [SPIKE_ID, 'open'],
          [SPIKE_ID, 'resolved'],
        ]);
      });
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await rig.close();
    }
  }, 90_000);

  it('scores a device without history against its online baseline right after a SIGKILL and restart', async () => {
    // The batch baseline knows d1 only; d2 learns its own online baseline from 5 normal windows.
    const rig = await openCrashRig('online_crash', ['d1|temp'], {
      ANOMALY_ONLINE_MIN_WINDOWS: '5',
      ANOMALY_ONLINE_MAX_WINDOWS: '10',
    });
    const { stack, admin } = rig;
    const hot = new RedisAlertStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix });
    const online = new RedisOnlineBaselineStore({
      redis: stack.redis,
      keyPrefix: stack.redisConfig.keyPrefix,
      partition: 0,
    });
    /** Minutes [from, to) of d1 (always 20) and d2 (at `value`). */
    const d2Minutes = (from: number, to: number, value: number): ScenarioMessage[] =>
      Array.from({ length: to - from }, (_, i) => [
        ...twoDeviceMinute(T0, from + i, 20, 'd1'),
        ...twoDeviceMinute(T0, from + i, value, 'd2'),
      ]).flat();
    try {
      const first = rig.start();
      // Minutes 0-7 normal (minute 7's readings close window 6): d2 learns windows 0-6, saved before the commit.
      await stack.produce(d2Minutes(0, 8, 20));
      await rig.expectSoon(first, 'online baseline not saved and committed', async () => {
        expect((await online.load()).get('d2|temp')?.times.length).toBeGreaterThanOrEqual(6);
        const [offsets] = await admin.fetchOffsets({ groupId: stack.groupId, topics: [stack.topic] });
        // Committed past minute 5 at least (2 messages a minute; the speed layer keeps its still-open windows'
        // records uncommitted): the successor never sees enough of d2's normal windows to relearn it.
        expect(Number(offsets?.partitions[0]?.offset)).toBeGreaterThanOrEqual(12);
      });
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();

      // The successor resumes at the commit: of d2's normal windows it sees at most the last two again. Minute 8
      // is normal, then d2 jumps to 40 from minute 9 (minute 10's readings close window 9).
      const second = rig.start();
      await stack.produce([...d2Minutes(8, 9, 20), ...d2Minutes(9, 11, 40)]);
      await rig.expectSoon(second, 'no spike against the restored online baseline', async () =>
        expect(await hot.openAlerts()).toMatchObject([
          { id: `d2|temp|spike|${T0 + 9 * MINUTE_MS}`, baselineVersion: 'online', state: 'open' },
        ]),
      );
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await rig.close();
    }
  }, 90_000);
});
