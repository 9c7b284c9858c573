// The gateway while Kafka goes away mid-run and comes back: 503 with Retry-After while it is down, and every
// reading that was answered 202 is in the topic afterwards.
//
// All of the gateway's Kafka traffic goes through a fault proxy. A proxy in the broker list alone would only see the
// bootstrap connection (kafkajs then connects to the broker's advertised listener), so the gateway's kafkajs client
// gets a socket factory that dials the proxy for every broker address; the stack has a single broker.
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Kafka, type ISocketFactory } from 'kafkajs';
import { decodeEnvelope, validationLimitsAt } from '@lambda-iot/core';
import { createProducer, kafkaConfig } from '@lambda-iot/kafka';
import { eventually, TcpProxy, testKafkaConfig, testMqttUrl, testRedisConfig } from '@lambda-iot/testkit';
import { loadConfig } from './config';
import type { GatewayParts } from './gateway-parts';
import { GatewayTestStack, stopGateway } from './test-support/gateway-test-stack';

const TOKEN = 'outage-token';

describe('gateway during a Kafka outage', () => {
  let stack: GatewayTestStack;
  let proxy: TcpProxy;

  beforeAll(async () => {
    stack = await GatewayTestStack.open('gwo', ['readings']);
    const [host, port] = testKafkaConfig().brokers[0]!.split(':') as [string, string];
    proxy = new TcpProxy({ targetHost: host, targetPort: Number(port) });
    await proxy.start(0);
  });

  afterAll(async () => {
    await proxy.close();
    await stack.close();
  });

  function kafkaThroughProxy(): Kafka {
    const socketFactory: ISocketFactory = ({ onConnect }) => {
      const socket = connect({ host: proxy.address.host, port: proxy.address.port }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    };
    return new Kafka({
      ...kafkaConfig(testKafkaConfig('gateway-outage-proxied'), { retries: 2, connectionTimeoutMs: 1_000 }),
      brokers: [proxy.endpoint],
      socketFactory,
    });
  }

  async function startGateway(): Promise<GatewayParts> {
    const config = loadConfig({
      KAFKA_BROKERS: proxy.endpoint,
      REDIS_PORT: String(testRedisConfig('x').port),
      REDIS_KEY_PREFIX: stack.keyPrefix,
      GATEWAY_PORT: '0',
      GATEWAY_SEND_TIMEOUT: '1500ms',
      MQTT_ENABLED: 'false',
      MQTT_URL: testMqttUrl(),
      READINGS_TOPIC: stack.readingsTopic,
      DLQ_TOPIC: stack.dlqTopic,
      LOG_LEVEL: 'silent',
    });
    return stack.startGateway(config, createProducer(kafkaThroughProxy()));
  }

  it('answers 503 with Retry-After while Kafka is away, and every reading it acknowledged is in the topic after', async () => {
    const parts = await startGateway();
    const deviceId = `outage-${randomBytes(4).toString('hex')}`;
    await stack.registry.register({ deviceId, tags: {}, token: TOKEN });
    const acknowledged = new Set<number>();
    let seq = 0;
    const post = async (): Promise<{ status: number; retryAfter: string | null }> => {
      const s = seq++;
      const res = await fetch(`http://127.0.0.1:${parts.server.address.port}/v1/readings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({
          deviceId,
          readings: [{ metric: 'temperature', ts: Date.now(), value: s, seq: s }],
        }),
      });
      await res.arrayBuffer();
      if (res.status === 202) acknowledged.add(s);
      return { status: res.status, retryAfter: res.headers.get('retry-after') };
    };
    try {
      for (let i = 0; i < 10; i++) expect((await post()).status).toBe(202);

      proxy.pause();
      // Concurrent requests while Kafka is away: none is acknowledged, all say when to come back.
      const down = await Promise.all(Array.from({ length: 8 }, () => post()));
      expect(down).toEqual(Array.from({ length: 8 }, () => ({ status: 503, retryAfter: '5' })));
      const laterDown = await post();
      expect(laterDown).toEqual({ status: 503, retryAfter: '5' });

      proxy.resume();
      // The gateway reconnects by itself; requests are acknowledged again.
      await eventually(async () => expect((await post()).status).toBe(202), {
        timeoutMs: 30_000,
        intervalMs: 250,
      });
      for (let i = 0; i < 10; i++) expect((await post()).status).toBe(202);

      await eventually(
        () => {
          const landed = new Set<number>();
          for (const r of stack.tap.of(stack.readingsTopic)) {
            const envelope = decodeEnvelope(r.value, validationLimitsAt(Date.now()));
            if (envelope.deviceId !== deviceId) continue;
            for (const reading of envelope.readings) landed.add(reading.seq as number);
          }
          expect([...acknowledged].filter((s) => !landed.has(s))).toEqual([]);
        },
        { timeoutMs: 30_000 },
      );
      expect(acknowledged.size).toBeGreaterThanOrEqual(21);
    } finally {
      await stopGateway(parts);
    }
  }, 90_000);
});
