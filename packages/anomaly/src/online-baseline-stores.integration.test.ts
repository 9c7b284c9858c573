import { createRedis } from '@lambda-iot/connections';
import { deleteKeys, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import type { OnlineBaselineStoreError } from './errors';
import { RedisOnlineBaselineStore } from './redis-online-baseline-store';
import { describeOnlineBaselineStoreConformance } from './test-support/online-baseline-store-conformance';

describeOnlineBaselineStoreConformance('RedisOnlineBaselineStore', async () => {
  const keyPrefix = `${uniqueName('t_online')}:`;
  const redis = createRedis(testRedisConfig(''));
  return {
    store: new RedisOnlineBaselineStore({ redis, keyPrefix, partition: 0 }),
    cleanup: async () => {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    },
  };
});

describe('RedisOnlineBaselineStore', () => {
  const T = Date.UTC(2026, 2, 1);
  const good = { times: [T, T + 60_000], means: [20, 20.5] };

  it('keeps each partition’s series in its own hash under the key prefix, the snapshot as JSON', async () => {
    const keyPrefix = `${uniqueName('t_online')}:`;
    const redis = createRedis(testRedisConfig(''));
    try {
      const p0 = new RedisOnlineBaselineStore({ redis, keyPrefix, partition: 0 });
      const p3 = new RedisOnlineBaselineStore({ redis, keyPrefix, partition: 3 });
      await p0.save({ saved: [['d1|temp', good]], removed: [] });
      await p3.save({ saved: [['d2|temp', good]], removed: [] });
      expect(p3.key).toBe(`${keyPrefix}anomaly:online-baselines:3`);
      expect(JSON.parse((await redis.hget(p0.key, 'd1|temp'))!)).toEqual(good);
      expect([...(await p0.load()).keys()]).toEqual(['d1|temp']);
      expect([...(await p3.load()).keys()]).toEqual(['d2|temp']);
    } finally {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    }
  });

  it('skips and reports entries that are not valid snapshots; the valid ones load', async () => {
    const keyPrefix = `${uniqueName('t_online')}:`;
    const redis = createRedis(testRedisConfig(''));
    const invalid: OnlineBaselineStoreError[] = [];
    try {
      const store = new RedisOnlineBaselineStore({
        redis,
        keyPrefix,
        partition: 0,
        onInvalid: (e) => invalid.push(e),
      });
      await store.save({ saved: [['d1|temp', good]], removed: [] });
      await redis.hset(store.key, 'd2|temp', '{"times":[1,2', 'd3|temp', '{"times":[2,1],"means":[0,0]}');
      expect(await store.load()).toEqual(new Map([['d1|temp', good]]));
      expect(invalid.map((e) => [e.code, e.retriable])).toEqual([
        ['anomaly_online_baseline_store', false],
        ['anomaly_online_baseline_store', false],
      ]);
      expect(invalid.map((e) => e.message).sort()).toEqual([
        expect.stringContaining('d2|temp is not JSON'),
        expect.stringContaining('d3|temp is not an online baseline snapshot'),
      ]);
      // an unreadable entry is no newer than anything: the next save replaces it
      await store.save({ saved: [['d2|temp', good]], removed: [] });
      expect((await store.load()).get('d2|temp')).toEqual(good);
    } finally {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    }
  });

  it('reports a lost connection as a retriable typed error, and a wrong-typed key as a non-retriable one', async () => {
    const keyPrefix = `${uniqueName('t_online')}:`;
    const redis = createRedis(testRedisConfig(''));
    const closed = createRedis(testRedisConfig(''));
    try {
      const store = new RedisOnlineBaselineStore({ redis, keyPrefix, partition: 0 });
      await redis.set(store.key, 'not a hash');
      const changes = { saved: [['d1|temp', good]] as Array<[string, typeof good]>, removed: [] };
      await expect(store.save(changes)).rejects.toMatchObject({
        name: 'OnlineBaselineStoreError',
        code: 'anomaly_online_baseline_store',
        retriable: false,
      });
      await expect(store.load()).rejects.toMatchObject({ retriable: false });
      // a client whose connection is gone for good
      await closed.ping();
      closed.disconnect();
      const offline = new RedisOnlineBaselineStore({ redis: closed, keyPrefix, partition: 0 });
      await expect(offline.save(changes)).rejects.toMatchObject({
        name: 'OnlineBaselineStoreError',
        retriable: true,
      });
      await expect(offline.load()).rejects.toMatchObject({ retriable: true });
    } finally {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    }
  });
});
