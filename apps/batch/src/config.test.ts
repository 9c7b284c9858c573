import { ConfigError } from '@lambda-iot/core';
import { loadConfig } from './config';

describe('batch config', () => {
  it('defaults to queue batch, a bull prefix under the Redis key prefix, GC grace 1h and port 9104', () => {
    expect(loadConfig({ REDIS_KEY_PREFIX: 'staging:' })).toMatchObject({
      queueName: 'batch',
      bullPrefix: 'staging:bull',
      gcGraceMs: 3_600_000,
      lockDurationMs: 30_000,
      concurrency: 1,
      compact: true,
      archiverGroupId: 'archiver',
      opsPort: 9104,
    });
  });

  it('refuses a concurrency of 0 and an unparseable grace', () => {
    expect(() => loadConfig({ BATCH_CONCURRENCY: '0', BATCH_GC_GRACE: 'later' })).toThrow(ConfigError);
  });
});
