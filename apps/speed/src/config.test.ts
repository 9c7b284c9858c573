import { ConfigError } from '@lambda-iot/core';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults to the contract topic, group and IoT-friendly windowing', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      groupId: 'speed',
      readingsTopic: 'readings',
      deadLetterTopic: 'readings.dlq',
      readingsPartitions: 6,
      outOfOrdernessMs: 5_000,
      allowedLatenessMs: 120_000,
      flushIntervalMs: 500,
      durableFlushIntervalMs: 5_000,
      commitIntervalMs: 5_000,
      redisTtlMs: 48 * 3_600_000,
      opsPort: 9102,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads durations with units and reports every problem at once', () => {
    expect(loadConfig({ SPEED_ALLOWED_LATENESS: '10m', SPEED_OUT_OF_ORDERNESS: '250ms' })).toMatchObject({
      allowedLatenessMs: 600_000,
      outOfOrdernessMs: 250,
    });
    expect(() =>
      loadConfig({ SPEED_FLUSH_INTERVAL: 'soon', READINGS_PARTITIONS: '0', LOG_LEVEL: 'loud' }),
    ).toThrow(ConfigError);
    try {
      loadConfig({ SPEED_FLUSH_INTERVAL: 'soon', READINGS_PARTITIONS: '0', LOG_LEVEL: 'loud' });
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(3);
    }
  });
});
