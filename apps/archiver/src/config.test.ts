import { resolve } from 'node:path';
import { ConfigError } from '@lambda-iot/core';
import { loadConfig } from './config';

describe('archiver config', () => {
  it('has documented defaults: ./.data/archive under the working directory, group archiver, lateness 10m', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      archiveRoot: resolve('./.data/archive'),
      groupId: 'archiver',
      topic: 'readings',
      latenessMs: 600_000,
      partitionIdleTimeoutMs: 120_000,
      deadLetterTopic: 'readings.dlq',
      flushMaxAgeMs: 5_000,
      opsPort: 9103,
    });
    expect(config.redis.keyPrefix).toBe('liot:');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every bad variable at once', () => {
    expect(() =>
      loadConfig({ ARCHIVE_LATENESS: 'soon', ARCHIVER_FLUSH_MAX_READINGS: '0', OPS_PORT: 'x' }),
    ).toThrow(ConfigError);
    try {
      loadConfig({ ARCHIVE_LATENESS: 'soon', ARCHIVER_FLUSH_MAX_READINGS: '0', OPS_PORT: 'x' });
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(3);
    }
  });
});
