import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Message } from 'kafkajs';
import { CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE, ManualClock } from '@lambda-iot/core';
import { FileDeviceRegistry } from '@lambda-iot/devices';
import { DLQ_HEADERS, headerString } from '@lambda-iot/kafka';
import { createMetricsRegistry } from '@lambda-iot/runtime';
import { MALFORMED_KINDS, EXPECTED_REJECTION, Prng, malformedBytes } from '@lambda-iot/simulator';
import { GatewayBusyError, KafkaUnavailableError } from './gateway-errors';
import { createGatewayMetrics } from './gateway-metrics';
import { buildGateway } from './http-gateway';
import { ReadingIngest } from './reading-ingest';
import type { PublishBatch } from './readings-publisher';

const NOW = Date.UTC(2026, 0, 15, 12);
const LIMIT = 4_096;

interface Harness {
  app: FastifyInstance;
  batches: PublishBatch[];
  failWith: { error?: Error };
}

let dir: string;
let h: Harness;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gateway-'));
  const registry = await FileDeviceRegistry.load(join(dir, 'devices.json'));
  await registry.register({ deviceId: 'dev-1', tags: { site: 'oslo' }, token: 'token-1' });
  await registry.register({ deviceId: 'dev-2', tags: { site: 'paris' }, token: 'token-2' });
  const batches: PublishBatch[] = [];
  const failWith: { error?: Error } = {};
  const metricsRegistry = createMetricsRegistry({ app: 'gateway-test', collectProcessMetrics: false });
  const metrics = createGatewayMetrics(metricsRegistry);
  const ingest = new ReadingIngest({
    clock: new ManualClock(NOW),
    metrics,
    publish: async (batch) => {
      if (failWith.error) throw failWith.error;
      batches.push(batch);
    },
  });
  const app = buildGateway({ ingest, registry, metricsRegistry, metrics }, { bodyLimit: LIMIT });
  h = { app, batches, failWith };
});

afterEach(async () => {
  await h.app.close();
  rmSync(dir, { recursive: true, force: true });
});

const reading = (i: number, extra: Record<string, unknown> = {}) => ({
  metric: 'temperature',
  ts: NOW - 1_000 * i,
  value: 20 + i,
  seq: i,
  ...extra,
});
const envelope = (deviceId: string, readings: unknown[]) => ({ deviceId, readings });

function post(body: string | Buffer, headers: Record<string, string> = {}) {
  return h.app.inject({
    method: 'POST',
    url: '/v1/readings',
    headers: { 'content-type': 'application/json', authorization: 'Bearer token-1', ...headers },
    payload: body,
  });
}

const readingMessages = (): Message[] => h.batches.flatMap((b) => b.readings);
const deadLetters = (): Message[] => h.batches.flatMap((b) => b.deadLetters);
const reasonOf = (m: Message) => headerString(m.headers, DLQ_HEADERS.reason);

describe('POST /v1/readings', () => {
  it('accepts a valid envelope with 202 and writes it re-encoded, keyed by device, with its content type', async () => {
    const body = JSON.stringify({ ...envelope('dev-1', [reading(1), reading(2)]), extra: 'ignored' });
    const res = await post(body);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, rejected: [] });
    const [msg] = readingMessages();
    expect(readingMessages()).toHaveLength(1);
    expect(msg!.key).toBe('dev-1');
    expect(headerString(msg!.headers, CONTENT_TYPE_HEADER)).toBe(JSON_CONTENT_TYPE);
    expect(JSON.parse(msg!.value!.toString())).toEqual(envelope('dev-1', [reading(1), reading(2)]));
    expect(deadLetters()).toEqual([]);
  });

  it('accepts a JSON array of envelopes and NDJSON, one message per envelope; X-Device-Token works too', async () => {
    const arr = await post(
      JSON.stringify([envelope('dev-1', [reading(1)]), envelope('dev-1', [reading(2), reading(3)])]),
    );
    expect(arr.json()).toEqual({ accepted: 3, rejected: [] });
    const ndjson = `${JSON.stringify(envelope('dev-1', [reading(4)]))}\r\n\n${JSON.stringify(envelope('dev-1', [reading(5)]))}\n`;
    const nd = await post(ndjson, {
      'content-type': 'application/x-ndjson',
      authorization: '',
      'x-device-token': 'token-1',
    });
    expect(nd.statusCode).toBe(202);
    expect(nd.json()).toEqual({ accepted: 2, rejected: [] });
    expect(readingMessages()).toHaveLength(4);
  });

  it('accepts the valid part of a mixed request with 202, lists each refusal and dead-letters the envelope bytes', async () => {
    const bad = { ...reading(2), value: 'NaN' };
    const body = JSON.stringify(
      envelope('dev-1', [reading(1), bad, { ...reading(3), ts: Date.UTC(1990, 0, 1) }]),
    );
    const res = await post(body);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      accepted: 1,
      rejected: [
        { envelope: 0, index: 1, reason: 'invalid_value' },
        { envelope: 0, index: 2, reason: 'ts_too_old' },
      ],
    });
    const [letter] = deadLetters();
    expect(deadLetters()).toHaveLength(1);
    expect(letter!.value!.toString()).toBe(body);
    expect(reasonOf(letter!)).toBe('invalid_value');
    expect(headerString(letter!.headers, DLQ_HEADERS.source)).toBe('http');
    expect(headerString(letter!.headers, DLQ_HEADERS.detail)).toContain('[2]');
    expect(headerString(letter!.headers, DLQ_HEADERS.time)).toBe(new Date(NOW).toISOString());
  });

  it.each([
    ['a value that is a string', { value: '21.5' }, 'invalid_value'],
    ['a ts before 2000', { ts: Date.UTC(1999, 11, 31) }, 'ts_too_old'],
    ['a ts over a day ahead', { ts: NOW + 86_400_000 + 1 }, 'ts_in_future'],
    ['a fractional ts', { ts: NOW + 0.5 }, 'invalid_ts'],
    ['a bad metric name', { metric: 'temp/°C' }, 'invalid_metric'],
  ])('answers 400 when nothing valid remains: %s', async (_name, patch, reason) => {
    const body = JSON.stringify(envelope('dev-1', [reading(1, patch)]));
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ accepted: 0, rejected: [{ envelope: 0, index: 0, reason }] });
    expect(readingMessages()).toEqual([]);
    expect(deadLetters().map(reasonOf)).toEqual([reason]);
    expect(deadLetters()[0]!.value!.toString()).toBe(body);
  });

  it('dead-letters every malformed record the simulator produces, with the reason core gives it', async () => {
    const rng = new Prng(1);
    for (const kind of MALFORMED_KINDS) {
      const bytes = malformedBytes(kind, 'dev-1', NOW, rng);
      const res = await post(bytes, { 'x-device-id': 'dev-1' });
      expect({ kind, status: res.statusCode }).toEqual({ kind, status: 400 });
      const last = deadLetters().at(-1)!;
      expect({ kind, reason: reasonOf(last) }).toEqual({ kind, reason: EXPECTED_REJECTION[kind] });
      expect(last.value).toEqual(bytes);
    }
    expect(readingMessages()).toEqual([]);
  });

  it('refuses envelopes of another device than the token’s with device_mismatch', async () => {
    const res = await post(
      JSON.stringify([envelope('dev-1', [reading(1)]), envelope('dev-2', [reading(2)])]),
    );
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      accepted: 1,
      rejected: [{ envelope: 1, index: -1, reason: 'device_mismatch' }],
    });
    expect(deadLetters().map(reasonOf)).toEqual(['device_mismatch']);
    const onlyOther = await post(JSON.stringify(envelope('dev-2', [reading(1)])), { 'x-device-id': 'dev-1' });
    expect(onlyOther.statusCode).toBe(400);
  });

  it('answers 401 without a token, with a wrong token or for an unknown device, dead-lettering the original bytes', async () => {
    const body = JSON.stringify(envelope('dev-1', [reading(1)]));
    const none = await post(body, { authorization: '' });
    const wrong = await post(body, { authorization: 'Bearer token-2' });
    const unknownBody = JSON.stringify(envelope('dev-9', [reading(1)]));
    const unknown = await post(unknownBody);
    for (const res of [none, wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect(deadLetters().map(reasonOf)).toEqual(['unauthorized', 'unauthorized', 'unknown_device']);
    expect(deadLetters().map((m) => m.value!.toString())).toEqual([body, body, unknownBody]);
    expect(readingMessages()).toEqual([]);
  });

  it('answers 413 over the body limit and dead-letters the body cut at the limit', async () => {
    const big = JSON.stringify(
      envelope(
        'dev-1',
        Array.from({ length: 200 }, (_, i) => reading(i)),
      ),
    );
    expect(big.length).toBeGreaterThan(LIMIT);
    const res = await post(big, { 'x-device-id': 'dev-1' });
    expect(res.statusCode).toBe(413);
    expect(deadLetters().map(reasonOf)).toEqual(['oversized']);
    expect(deadLetters()[0]!.value!.toString()).toBe(big.slice(0, LIMIT));
    expect(deadLetters()[0]!.key).toBe('dev-1');
  });

  it('answers 400 for an empty body and for an empty array', async () => {
    expect((await post('', { 'x-device-id': 'dev-1' })).statusCode).toBe(400);
    expect((await post('[]', { 'x-device-id': 'dev-1' })).statusCode).toBe(400);
  });

  it('answers 503 with Retry-After when Kafka is unavailable, and 429 with Retry-After when too much is in flight', async () => {
    const body = JSON.stringify(envelope('dev-1', [reading(1)]));
    h.failWith.error = new KafkaUnavailableError('down');
    const down = await post(body);
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    h.failWith.error = new GatewayBusyError(10, 5);
    const busy = await post(body);
    expect(busy.statusCode).toBe(429);
    expect(busy.headers['retry-after']).toBe('1');
  });
});

describe('ops routes', () => {
  it('serves /healthz and Prometheus /metrics counting accepted and rejected readings', async () => {
    await post(JSON.stringify(envelope('dev-1', [reading(1), { ...reading(2), value: 'x' }])));
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('gateway_readings_accepted_total{source="http",app="gateway-test"} 1');
    expect(metrics.body).toContain(
      'gateway_rejections_total{source="http",reason="invalid_value",app="gateway-test"} 1',
    );
    expect(metrics.body).toContain(
      'gateway_dead_letters_total{source="http",reason="invalid_value",app="gateway-test"} 1',
    );
    expect(metrics.body).toContain('gateway_http_requests_total{status="202",app="gateway-test"} 1');
  });
});
