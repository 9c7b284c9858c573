import { createRedis } from '@lambda-iot/connections';
import { testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { RedisDeviceRegistry } from './redis-device-registry';
import { describeDeviceRegistryConformance } from './test-support/device-registry-conformance';

describeDeviceRegistryConformance('RedisDeviceRegistry', async (clock) => {
  const keyPrefix = `${uniqueName('devices')}:`;
  const redis = createRedis(testRedisConfig(keyPrefix));
  const registry = new RedisDeviceRegistry({ redis, keyPrefix, clock });
  return {
    registry,
    storedText: async () => JSON.stringify(await redis.hgetall(registry.key)),
    reopen: async () => new RedisDeviceRegistry({ redis, keyPrefix, clock }),
    cleanup: async () => {
      await redis.del(registry.key);
      redis.disconnect();
    },
  };
});

describe('RedisDeviceRegistry.registerMany', () => {
  it('registers a fleet in one round trip, each device with its own token', async () => {
    const keyPrefix = `${uniqueName('devices')}:`;
    const redis = createRedis(testRedisConfig(keyPrefix));
    const registry = new RedisDeviceRegistry({ redis, keyPrefix });
    try {
      const fleet = Array.from({ length: 30 }, (_, i) => ({
        deviceId: `dev-${i}`,
        tags: { site: 'oslo' },
        token: `tok-${i}`,
      }));
      await registry.registerMany(fleet);
      expect(await registry.list()).toHaveLength(30);
      expect(await registry.verifyToken('dev-7', 'tok-7')).toBe(true);
      expect(await registry.verifyToken('dev-7', 'tok-8')).toBe(false);
    } finally {
      await redis.del(registry.key);
      redis.disconnect();
    }
  });
});
