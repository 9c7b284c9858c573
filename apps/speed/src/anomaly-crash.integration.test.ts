// A speed app process killed (SIGKILL) while an alert is open: after the restart the alert is neither lost nor duplicated.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CassandraAlertStore,
  FileBaselineStore,
  RedisAlertStore,
  RedisOnlineBaselineStore,
  type AlertEvent,
} from '@lambda-iot/anomaly';
import { MINUTE_MS, windowStart } from '@lambda-iot/core';
import { eventually, uniqueName } from '@lambda-iot/testkit';
import type { ScenarioMessage } from './test-support/reading-scenario';
import { flatBaseline, twoDeviceMinute } from './test-support/alert-scenario';
import { openSpeedStack } from './test-support/speed-stack';
import { isRunning, requireBuiltApp, startSpeed, type SpeedProcess } from './test-support/speed-process';

const T0 = windowStart(Date.now() - 3 * 3_600_000, '1h');
const SPIKE_FROM = 5;
const SPIKE_ID = `d1|temp|spike|${T0 + SPIKE_FROM * MINUTE_MS}`;

/** Minutes [from, to) of d1 (at `d1Value`) and d2 (always 20). */
const minutes = (from: number, to: number, d1Value: number): ScenarioMessage[] =>
  Array.from({ length: to - from }, (_, i) => twoDeviceMinute(T0, from + i, d1Value)).flat();

/** One partition; lateness 0, so each minute's readings close the window before and the test controls finality. */
function anomalyEnv(alertsTopic: string, root: string): Record<string, string> {
  return {
    READINGS_PARTITIONS: '1',
    SPEED_OUT_OF_ORDERNESS: '0ms',
    SPEED_ALLOWED_LATENESS: '0ms',
    ALERTS_TOPIC: alertsTopic,
    ALERTS_PARTITIONS: '1',
    ARCHIVE_ROOT: root,
    ANOMALY_BASELINE_POLL: '200ms',
    ANOMALY_METRICS: '{"temp":{"min":-40,"max":80,"scaleFloor":0.1}}',
  };
}

describe('anomaly alerts across a speed app crash', () => {
  it('keeps an alert open through a SIGKILL and restart: one id in Kafka, Cassandra and Redis, opened once, resolved once', async () => {
    requireBuiltApp();
    const stack = await openSpeedStack('anomaly_crash', 1);
    const root = await mkdtemp(join(tmpdir(), 'speed-anomaly-crash-'));
    const alertsTopic = `${stack.topic}.alerts`;
    const env = anomalyEnv(alertsTopic, root);
    const processes: SpeedProcess[] = [];
    const admin = stack.kafka.admin();
    const consumer = stack.kafka.consumer({ groupId: uniqueName('g_alerts') });
    const produced: AlertEvent[] = [];
    const hot = new RedisAlertStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix });
    const durable = new CassandraAlertStore({ client: stack.cassandra });
    const range = { from: T0, to: T0 + 3_600_000, state: 'all' } as const;
    await admin.connect();
    try {
      await new FileBaselineStore({
        redis: stack.redis,
        keyPrefix: stack.redisConfig.keyPrefix,
        root,
      }).publish(flatBaseline('crash-aaaa', T0, 20, ['d1|temp', 'd2|temp']));
      // The first process never commits: its successor replays from offset 0, so the windows before the alert
      // opened are scored again against the alert it restores (they must neither resolve nor reopen it).
      const first = startSpeed(process.env, stack, undefined, { ...env, SPEED_COMMIT_INTERVAL: '1h' });
      processes.push(first);
      // The app creates the alerts topic on start; read it from the beginning once it exists.
      await eventually(async () => expect(await admin.listTopics()).toContain(alertsTopic), {
        timeoutMs: 30_000,
        intervalMs: 200,
      }).catch((err: unknown) => {
        throw new Error(`no alerts topic; speed output:\n${first.output().slice(-3_000)}`, { cause: err });
      });
      await consumer.connect();
      await consumer.subscribe({ topic: alertsTopic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          produced.push(JSON.parse(message.value!.toString()) as AlertEvent);
        },
      });

      // d1 is normal for minutes 0-4 and jumps to 40 from minute 5; minute 8's readings close window 7.
      await stack.produce([...minutes(0, SPIKE_FROM, 20), ...minutes(SPIKE_FROM, 9, 40)]);
      await eventually(
        async () => {
          expect(await hot.openAlerts()).toMatchObject([{ id: SPIKE_ID, state: 'open' }]);
          expect(await durable.query({ ...range, deviceId: 'd1' })).toMatchObject([
            { id: SPIKE_ID, state: 'open' },
          ]);
          expect(produced).toMatchObject([{ id: SPIKE_ID, state: 'open' }]);
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );

      // Killed with the anomaly still going on; it goes on while the app is down (minutes 9 and 10).
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();
      await stack.produce(minutes(9, 11, 40));
      const second = startSpeed(process.env, stack, undefined, env);
      processes.push(second);
      // Back to normal from minute 11: clean windows 11, 12 and 13 resolve it (minute 14's readings close 13).
      await stack.produce(minutes(11, 15, 20));
      await eventually(
        async () => {
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
        },
        { timeoutMs: 45_000, intervalMs: 300 },
      ).catch((err: unknown) => {
        throw new Error(`alert not resolved once; speed output:\n${second.output().slice(-3_000)}`, {
          cause: err,
        });
      });
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const p of processes) if (isRunning(p)) p.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: [alertsTopic] }).catch(() => undefined);
      await admin.disconnect();
      await stack.cleanup();
      await rm(root, { recursive: true, force: true });
    }
  }, 90_000);

  it('scores a device without history against its online baseline right after a SIGKILL and restart', async () => {
    requireBuiltApp();
    const stack = await openSpeedStack('online_crash', 1);
    const root = await mkdtemp(join(tmpdir(), 'speed-online-crash-'));
    const alertsTopic = `${stack.topic}.alerts`;
    // The batch baseline knows d1 only; d2 learns its own online baseline from 5 normal windows.
    const env = {
      ...anomalyEnv(alertsTopic, root),
      ANOMALY_ONLINE_MIN_WINDOWS: '5',
      ANOMALY_ONLINE_MAX_WINDOWS: '10',
    };
    /** Minutes [from, to) of d1 (always 20) and d2 (at `value`). */
    const d2Minutes = (from: number, to: number, value: number): ScenarioMessage[] =>
      Array.from({ length: to - from }, (_, i) => [
        ...twoDeviceMinute(T0, from + i, 20, 'd1'),
        ...twoDeviceMinute(T0, from + i, value, 'd2'),
      ]).flat();
    const processes: SpeedProcess[] = [];
    const admin = stack.kafka.admin();
    const hot = new RedisAlertStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix });
    const online = new RedisOnlineBaselineStore({
      redis: stack.redis,
      keyPrefix: stack.redisConfig.keyPrefix,
    });
    await admin.connect();
    try {
      await new FileBaselineStore({
        redis: stack.redis,
        keyPrefix: stack.redisConfig.keyPrefix,
        root,
      }).publish(flatBaseline('online-aaaa', T0, 20, ['d1|temp']));
      const first = startSpeed(process.env, stack, undefined, env);
      processes.push(first);
      // Minutes 0-7 normal (minute 7's readings close window 6): d2 learns windows 0-6, saved before the commit.
      const messages = d2Minutes(0, 8, 20);
      await stack.produce(messages);
      await eventually(
        async () => {
          expect((await online.load()).get('d2|temp')?.times.length).toBeGreaterThanOrEqual(6);
          const [offsets] = await admin.fetchOffsets({ groupId: stack.groupId, topics: [stack.topic] });
          // Committed past minute 5 at least (2 messages a minute; the speed layer keeps its still-open windows'
          // records uncommitted): the successor never sees enough of d2's normal windows to relearn it.
          expect(Number(offsets?.partitions[0]?.offset)).toBeGreaterThanOrEqual(12);
        },
        { timeoutMs: 45_000, intervalMs: 200 },
      ).catch((err: unknown) => {
        throw new Error(
          `online baseline not saved and committed; speed output:\n${first.output().slice(-3_000)}`,
          {
            cause: err,
          },
        );
      });
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();

      // The successor resumes at the commit: of d2's normal windows it sees at most the last two again. Minute 8 is normal,
      // then d2 jumps to 40 from minute 9 (minute 10's readings close window 9).
      const second = startSpeed(process.env, stack, undefined, env);
      processes.push(second);
      await stack.produce([...d2Minutes(8, 9, 20), ...d2Minutes(9, 11, 40)]);
      await eventually(
        async () =>
          expect(await hot.openAlerts()).toMatchObject([
            { id: `d2|temp|spike|${T0 + 9 * MINUTE_MS}`, baselineVersion: 'online', state: 'open' },
          ]),
        { timeoutMs: 45_000, intervalMs: 300 },
      ).catch((err: unknown) => {
        throw new Error(
          `no spike against the restored online baseline; speed output:\n${second.output().slice(-3_000)}`,
          {
            cause: err,
          },
        );
      });
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const p of processes) if (isRunning(p)) p.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
      await admin.deleteTopics({ topics: [alertsTopic] }).catch(() => undefined);
      await admin.disconnect();
      await stack.cleanup();
      await rm(root, { recursive: true, force: true });
    }
  }, 90_000);
});
