// What a gateway integration test runs against: its own topics, Redis prefix, device registry, broker logins and a topic tap.
import type { Redis } from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { createRedis } from '@lambda-iot/connections';
import {
  MosquittoDynsecCredentials,
  ProvisionedDeviceRegistry,
  RedisDeviceRegistry,
} from '@lambda-iot/devices';
import { createKafka, ensureTopics } from '@lambda-iot/kafka';
import { createMetricsRegistry, silentLogger } from '@lambda-iot/runtime';
import { testKafkaConfig, testMqttConfig, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import type { GatewayConfig } from '../config';
import { createGatewayParts, type GatewayParts } from '../gateway-parts';
import { TopicTap } from './topic-tap';

export class GatewayTestStack {
  private readonly provisioned = new Set<string>();
  /** The registry that also gives devices their broker login, as device registration does for real. */
  readonly devices: ProvisionedDeviceRegistry;

  private constructor(
    readonly kafka: Kafka,
    readonly redis: Redis,
    /** The registry alone (HTTP tokens only): for fleets with fixed ids, whose broker logins others may use. */
    readonly registry: RedisDeviceRegistry,
    readonly credentials: MosquittoDynsecCredentials,
    readonly keyPrefix: string,
    readonly readingsTopic: string,
    readonly dlqTopic: string,
    readonly tap: TopicTap,
  ) {
    this.devices = new ProvisionedDeviceRegistry(registry, credentials);
  }

  /** Registers a device (use a unique id: the broker is shared) with its token in the registry and on the broker. */
  async provisionDevice(deviceId: string, token: string): Promise<void> {
    this.provisioned.add(deviceId);
    await this.devices.register({ deviceId, tags: {}, token });
  }

  /** The gateway's MQTT settings for the stack broker, with its own login. */
  static mqttEnv(): Record<string, string> {
    const { url, gateway } = testMqttConfig();
    return { MQTT_URL: url, MQTT_USERNAME: gateway.username, MQTT_PASSWORD: gateway.password };
  }

  /** Creates unique topics (3 readings partitions) and a tap on `tapped` of them ('readings', 'dlq'). */
  static async open(name: string, tapped: ReadonlyArray<'readings' | 'dlq'>): Promise<GatewayTestStack> {
    const kafka = createKafka(testKafkaConfig(name), { retries: 2 });
    const keyPrefix = `${uniqueName(name)}:`;
    const redis = createRedis(testRedisConfig(keyPrefix));
    const registry = new RedisDeviceRegistry({ redis, keyPrefix });
    const readingsTopic = uniqueName('t_readings');
    const dlqTopic = uniqueName('t_dlq');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: readingsTopic, numPartitions: 3 },
      { topic: dlqTopic, numPartitions: 1 },
    ]);
    await admin.disconnect();
    const tap = await TopicTap.open(
      kafka,
      tapped.map((t) => (t === 'readings' ? readingsTopic : dlqTopic)),
    );
    const { url, admin: adminLogin } = testMqttConfig();
    const credentials = await MosquittoDynsecCredentials.connect(url, adminLogin);
    return new GatewayTestStack(kafka, redis, registry, credentials, keyPrefix, readingsTopic, dlqTopic, tap);
  }

  /** Starts the gateway's parts (HTTP server, publisher, MQTT ingest) as main would, with the given producer. */
  async startGateway(config: Readonly<GatewayConfig>, producer: Producer): Promise<GatewayParts> {
    const parts = createGatewayParts({
      config,
      producer,
      registry: this.registry,
      metricsRegistry: createMetricsRegistry({ app: 'gateway-it', collectProcessMetrics: false }),
      logger: silentLogger,
    });
    try {
      for (const part of parts.lifecycles) await part.start();
    } catch (err) {
      await stopGateway(parts);
      throw err;
    }
    return parts;
  }

  async close(): Promise<void> {
    await this.tap.close();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.readingsTopic, this.dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
    await this.redis.del(this.registry.key);
    this.redis.disconnect();
    await this.credentials.removeDevices([...this.provisioned]);
    await this.credentials.close();
  }
}

export async function stopGateway(parts: GatewayParts): Promise<void> {
  for (const part of [...parts.lifecycles].reverse()) await part.close();
}
