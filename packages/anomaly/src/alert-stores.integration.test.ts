import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCassandra, createRedis, ensureKeyspace } from '@lambda-iot/connections';
import { testCassandraConfig, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { BaselineWatcher } from './baseline-watcher';
import { fitBaselineModel } from './baseline-fitting';
import { FileBaselineStore } from './baseline-store';
import { CassandraAlertStore, ensureAlertsTable } from './cassandra-alert-store';
import { RedisAlertStore } from './redis-alert-store';
import { describeAlertStoreConformance } from './test-support/alert-store-conformance';

describeAlertStoreConformance('RedisAlertStore', async () => {
  const keyPrefix = `${uniqueName('t_alerts')}:`;
  const redis = createRedis(testRedisConfig(''));
  return {
    store: new RedisAlertStore({ redis, keyPrefix }),
    cleanup: async () => {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
});

describeAlertStoreConformance('CassandraAlertStore', async () => {
  const config = testCassandraConfig(uniqueName('t_alerts'));
  await ensureKeyspace(config);
  const client = createCassandra(config);
  await ensureAlertsTable(client);
  return {
    store: new CassandraAlertStore({ client }),
    cleanup: async () => {
      await client.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
      await client.shutdown();
    },
  };
});

describe('CassandraAlertStore before the speed app created its table', () => {
  it('answers no alerts (a fresh deployment), then the alerts once the table exists', async () => {
    const config = testCassandraConfig(uniqueName('t_alerts'));
    await ensureKeyspace(config);
    const client = createCassandra(config);
    try {
      const store = new CassandraAlertStore({ client });
      const q = { deviceId: 'd1', from: 0, to: Date.UTC(2030, 0, 1), state: 'all' as const };
      expect(await store.query(q)).toEqual([]);
      await ensureAlertsTable(client);
      const T = Date.UTC(2026, 0, 1);
      const open = {
        id: `d1|temp|spike|${T}`,
        deviceId: 'd1',
        metric: 'temp',
        kind: 'spike' as const,
        state: 'open' as const,
        openedAt: T,
        windowStart: T,
        score: 8,
        value: 1,
        baselineVersion: 'v1',
      };
      await store.upsert([open]);
      expect(await store.query(q)).toEqual([open]);
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
      await client.shutdown();
    }
  });

  it('reports any other failure as a typed store error; a query the table cannot answer is not retriable', async () => {
    const config = testCassandraConfig(uniqueName('t_alerts'));
    await ensureKeyspace(config);
    const client = createCassandra(config);
    try {
      const store = new CassandraAlertStore({ client });
      await client.execute(`CREATE TABLE alerts (device_id text PRIMARY KEY, other int)`);
      await expect(store.query({ deviceId: 'd1', from: 0, to: 1, state: 'all' })).rejects.toMatchObject({
        name: 'AlertStoreError',
        code: 'anomaly_alert_store',
        retriable: false,
      });
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
      await client.shutdown();
    }
  });
});

describe('RedisAlertStore hot set', () => {
  it('lists open alerts across devices and drops resolved ones past the retention', async () => {
    const keyPrefix = `${uniqueName('t_alerts')}:`;
    const redis = createRedis(testRedisConfig(''));
    const store = new RedisAlertStore({ redis, keyPrefix, retentionMs: 60 * 60_000 });
    try {
      const base = {
        metric: 'temp',
        kind: 'spike' as const,
        score: 8,
        value: 1,
        baselineVersion: 'v1',
      };
      const T = Date.UTC(2026, 0, 1);
      const a = { ...base, id: 'a', deviceId: 'd1', state: 'open' as const, openedAt: T, windowStart: T };
      const b = {
        ...base,
        id: 'b',
        deviceId: 'd2',
        state: 'open' as const,
        openedAt: T + 1,
        windowStart: T + 1,
      };
      await store.upsert([a, b]);
      expect(await store.openAlerts()).toEqual([a, b]);
      expect(await store.openAlerts('d2')).toEqual([b]);
      await store.upsert([{ ...a, state: 'resolved', resolvedAt: T + 60_000, windowStart: T }]);
      expect(await store.openAlerts()).toEqual([b]);
      // resolving b two hours later ages a out of the hot store
      await store.upsert([
        { ...b, state: 'resolved', windowStart: T + 7_200_000, resolvedAt: T + 7_260_000 },
      ]);
      expect(await redis.hexists(store.keys.alerts, 'a')).toBe(0);
      expect(await redis.hexists(store.keys.alerts, 'b')).toBe(1);
    } finally {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});

describe('FileBaselineStore + BaselineWatcher', () => {
  it('publishes the artifact before the pointer, and a watcher picks up a new version at its next poll', async () => {
    const root = await mkdtemp(join(tmpdir(), 'baselines-'));
    const keyPrefix = `${uniqueName('t_baseline')}:`;
    const redis = createRedis(testRedisConfig(keyPrefix));
    const store = new FileBaselineStore({ redis, keyPrefix, root });
    const loaded: string[] = [];
    const errors: unknown[] = [];
    const watcher = new BaselineWatcher({
      store,
      intervalMs: 60_000,
      onLoaded: (m) => loaded.push(m.version),
      onError: (e) => errors.push(e),
    });
    const fit = (version: string) =>
      fitBaselineModel([{ deviceId: 'd', metric: 'm', windowStart: 0, mean: 1 }], {
        version,
        fittedAt: 0,
        from: 0,
        to: 60_000,
        days: 1,
        minSamples: 1,
        deviceTypes: new Map(),
      });
    try {
      await watcher.start();
      expect(watcher.current()).toBeUndefined();
      await store.publish(fit('b1-aa'));
      await watcher.poll();
      expect(watcher.current()?.version).toBe('b1-aa');
      await store.publish(fit('b2-bb'));
      await watcher.poll();
      await watcher.poll();
      expect(loaded).toEqual(['b1-aa', 'b2-bb']);
      // a pointer to a missing artifact is reported and the model in use stays
      await redis.set(`${keyPrefix}anomaly:baseline`, 'b3-missing');
      await watcher.poll();
      expect(watcher.current()?.version).toBe('b2-bb');
      expect(errors).toHaveLength(1);
    } finally {
      await watcher.close();
      await redis.del(`${keyPrefix}anomaly:baseline`);
      redis.disconnect();
      await rm(root, { recursive: true, force: true });
    }
  });
});
