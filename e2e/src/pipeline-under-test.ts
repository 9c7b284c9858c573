// Every app of the pipeline as a real process, isolated by unique topic, group, keyspace, prefix, queue and archive.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createCassandra, createRedis } from '@lambda-iot/connections';
import { createKafka } from '@lambda-iot/kafka';
import {
  AppProcess,
  deleteKeys,
  deleteMatching,
  testCassandraConfig,
  testKafkaConfig,
  testRedisConfig,
  uniqueName,
} from '@lambda-iot/testkit';
import { freePort } from './free-port';

export type AppName = 'gateway' | 'speed' | 'archiver' | 'batch' | 'serving';
export const APPS: readonly AppName[] = ['gateway', 'speed', 'archiver', 'batch', 'serving'];

export interface PipelineOptions {
  partitions: number;
  /** Per-app extra settings, e.g. a longer speed-layer lateness. */
  env?: Partial<Record<AppName, Record<string, string>>>;
}

export class PipelineUnderTest {
  readonly id = uniqueName('e2e');
  readonly topic = `${this.id}_readings`;
  readonly dlqTopic = `${this.id}_readings.dlq`;
  readonly keyPrefix = `${this.id}:`;
  readonly keyspace = this.id;
  readonly servingToken = 'e2e-serving-token-0123456789';
  readonly apps = new Map<AppName, AppProcess>();
  readonly ports = new Map<AppName, number>();
  archiveRoot = '';
  /** When each app last (re)started, so convergence checks ignore status written by a killed process. */
  readonly startedAt = new Map<AppName, number>();

  constructor(private readonly options: PipelineOptions) {}

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.ports.get('gateway')}`;
  }

  get servingUrl(): string {
    return `http://127.0.0.1:${this.ports.get('serving')}`;
  }

  redis(): Redis {
    return createRedis(testRedisConfig(this.keyPrefix), { connectionName: 'e2e' });
  }

  async start(): Promise<void> {
    this.archiveRoot = await mkdtemp(join(tmpdir(), `${this.id}-archive-`));
    for (const app of APPS) this.ports.set(app, await freePort());
    for (const app of APPS) {
      const process = new AppProcess({
        app,
        env: this.envFor(app),
        healthUrl: `http://127.0.0.1:${this.ports.get(app)}/healthz`,
      });
      this.apps.set(app, process);
      this.startedAt.set(app, Date.now());
      await process.start(120_000);
    }
  }

  app(name: AppName): AppProcess {
    const process = this.apps.get(name);
    if (!process) throw new Error(`${name} was not started`);
    return process;
  }

  /** SIGKILL then start again with the same settings: a crash the pipeline must absorb. */
  async crash(name: AppName): Promise<void> {
    const process = this.app(name);
    await process.kill('SIGKILL');
    this.startedAt.set(name, Date.now());
    await process.start(120_000);
  }

  async close(): Promise<void> {
    for (const app of [...APPS].reverse())
      await this.apps
        .get(app)
        ?.stop()
        .catch(() => undefined);
    await this.cleanUp();
  }

  /** The last output of every app, for a failure message. */
  tails(): string {
    return [...this.apps].map(([name, p]) => `--- ${name}\n${p.tail(20)}`).join('\n');
  }

  private envFor(app: AppName): Record<string, string> {
    const port = String(this.ports.get(app));
    const common: Record<string, string> = {
      KAFKA_BROKERS: testKafkaConfig().brokers.join(','),
      READINGS_TOPIC: this.topic,
      DLQ_TOPIC: this.dlqTopic,
      READINGS_PARTITIONS: String(this.options.partitions),
      REDIS_KEY_PREFIX: this.keyPrefix,
      CASSANDRA_KEYSPACE: this.keyspace,
      ARCHIVE_ROOT: this.archiveRoot,
      LOG_LEVEL: 'warn',
    };
    const own: Record<AppName, Record<string, string>> = {
      gateway: {
        GATEWAY_PORT: port,
        GATEWAY_DEVICE_REGISTRY: 'redis',
        MQTT_SHARE_GROUP: this.id,
        MQTT_CLEAN_SESSION: 'true',
      },
      speed: { OPS_PORT: port, SPEED_GROUP_ID: `${this.id}_speed` },
      archiver: {
        OPS_PORT: port,
        ARCHIVER_GROUP_ID: `${this.id}_archiver`,
        ARCHIVER_FLUSH_MAX_AGE: '1s',
        ARCHIVER_SESSION_TIMEOUT: '10s',
      },
      batch: { OPS_PORT: port, BATCH_QUEUE: `${this.id}_batch`, BATCH_SCHEDULE_INTERVAL: '1s' },
      serving: { SERVING_PORT: port, SERVING_TOKENS: this.servingToken, SERVING_RATE_LIMIT: '1000000' },
    };
    return { ...common, ...own[app], ...(this.options.env?.[app] ?? {}) };
  }

  private async cleanUp(): Promise<void> {
    const kafka = createKafka(testKafkaConfig('e2e-cleanup'));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.topic, this.dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
    const cassandra = createCassandra(testCassandraConfig(this.keyspace), { withoutKeyspace: true });
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${this.keyspace}`).catch(() => undefined);
    await cassandra.shutdown();
    const redis = this.redis();
    await deleteKeys(redis, this.keyPrefix);
    // BullMQ keys live under its own prefix with the queue name in them.
    await deleteMatching(redis, `*${this.id}_batch*`);
    redis.disconnect();
    await rm(this.archiveRoot, { recursive: true, force: true });
  }
}
