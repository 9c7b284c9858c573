// Wires the gateway's parts from its configuration; main.ts runs them, tests build them with their own clients.
import type { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '@lambda-iot/core';
import type { DeviceRegistry } from '@lambda-iot/devices';
import type { Lifecycle, Logger } from '@lambda-iot/runtime';
import type { GatewayConfig } from './config';
import { createGatewayMetrics } from './gateway-metrics';
import { buildGateway, GatewayServer } from './http-gateway';
import { MqttIngest } from './mqtt-ingest';
import { ReadingIngest } from './reading-ingest';
import { ReadingsPublisher } from './readings-publisher';

export interface GatewayPartsDeps {
  config: Readonly<GatewayConfig>;
  producer: Producer;
  registry: DeviceRegistry;
  metricsRegistry: Registry;
  logger: Logger;
  clock?: Clock;
  redis?: Redis;
}

export interface GatewayParts {
  publisher: ReadingsPublisher;
  ingest: ReadingIngest;
  server: GatewayServer;
  mqtt: MqttIngest | undefined;
  /** In start order: Kafka first, then the intakes that write to it. */
  lifecycles: Lifecycle[];
}

export function createGatewayParts(deps: GatewayPartsDeps): GatewayParts {
  const { config, logger } = deps;
  const metrics = createGatewayMetrics(deps.metricsRegistry);
  const publisher = new ReadingsPublisher({
    producer: deps.producer,
    readingsTopic: config.readingsTopic,
    deadLetterTopic: config.deadLetterTopic,
    maxInFlightBytes: config.maxInFlightBytes,
    sendTimeoutMs: config.sendTimeoutMs,
    metrics,
    logger: logger.child({ component: 'publisher' }),
  });
  const ingest = new ReadingIngest({
    publish: (b) => publisher.publish(b),
    clock: deps.clock ?? systemClock,
    metrics,
  });
  const checks = [
    {
      name: 'kafka',
      check: () =>
        publisher.isConnected
          ? { state: 'up' as const }
          : { state: 'down' as const, detail: 'producer not connected' },
    },
    ...(deps.redis
      ? [
          {
            name: 'redis',
            check: async () =>
              (await deps.redis?.ping()) === 'PONG' ? { state: 'up' as const } : { state: 'down' as const },
          },
        ]
      : []),
  ];
  const app = buildGateway(
    { ingest, registry: deps.registry, metricsRegistry: deps.metricsRegistry, metrics, checks, logger },
    { bodyLimit: config.bodyLimit },
  );
  const server = new GatewayServer(app, { host: config.host, port: config.port });
  const mqtt = config.mqtt.enabled
    ? new MqttIngest({
        url: config.mqtt.url,
        login: { username: config.mqtt.username, password: config.mqtt.password },
        ingest,
        connections: config.mqtt.connections,
        clientIdPrefix: config.mqtt.clientIdPrefix,
        group: config.mqtt.shareGroup,
        cleanSession: config.mqtt.cleanSession,
        logger: logger.child({ component: 'mqtt' }),
      })
    : undefined;
  return { publisher, ingest, server, mqtt, lifecycles: [publisher, server, ...(mqtt ? [mqtt] : [])] };
}
