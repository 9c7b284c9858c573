import { AlertReader, AlertStoreError, MemoryAlertStore, type AlertEvent } from '@lambda-iot/anomaly';
import { ManualClock } from '@lambda-iot/core';
import { silentLogger } from '@lambda-iot/runtime';
import {
  InMemoryBatchBoundary,
  InMemoryBatchView,
  InMemoryPipelineStatus,
  InMemorySpeedView,
} from '@lambda-iot/views';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../build-app';
import type { AlertSource } from './alert-routes';

const TOKEN = 'alerts-token';
const T = Date.UTC(2026, 0, 2, 10);
const M = 60_000;

function alert(
  deviceId: string,
  minute: number,
  kind: AlertEvent['kind'],
  resolvedMinute?: number,
): AlertEvent {
  const openedAt = T + minute * M;
  const e: AlertEvent = {
    id: `${deviceId}|temperature|${kind}|${openedAt}`,
    deviceId,
    metric: 'temperature',
    kind,
    state: 'open',
    openedAt,
    windowStart: openedAt,
    score: 8.5,
    value: 41.5,
    baselineVersion: 'b1-x',
  };
  if (resolvedMinute === undefined) return e;
  return {
    ...e,
    state: 'resolved',
    windowStart: T + resolvedMinute * M,
    resolvedAt: T + (resolvedMinute + 1) * M,
  };
}

const A = alert('pump-1', 5, 'spike', 12);
const B = alert('pump-1', 30, 'stuck');
const C = alert('pump-2', 20, 'gap');

/** The app over pump-1's and pump-2's alerts, or over `source` when given (a failing store). */
async function app(withAlerts: boolean, source?: AlertSource, now = T + 60 * M): Promise<FastifyInstance> {
  const durable = new MemoryAlertStore();
  const hot = new MemoryAlertStore();
  await durable.upsert([A, B, C]);
  await hot.upsert([A, B, C]);
  const alerts = source ?? new AlertReader({ durable, hot });
  return buildApp(
    {
      batch: new InMemoryBatchView(),
      speed: new InMemorySpeedView(),
      boundary: new InMemoryBatchBoundary(T),
      registry: { list: async () => [] },
      status: new InMemoryPipelineStatus({
        partitions: [],
        dirtyHours: [],
        dirtyHourCount: 0,
        sealedThrough: T,
      }),
      clock: new ManualClock(now),
      logger: silentLogger,
      metrics: new Registry(),
      ...(withAlerts ? { alerts } : {}),
    },
    { tokens: [TOKEN] },
  );
}

describe('GET /v1/alerts', () => {
  let server: FastifyInstance;
  beforeAll(async () => {
    server = await app(true);
  });
  afterAll(() => server.close());
  const get = (url: string, token = TOKEN) =>
    server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it("lists one device's alerts in any state, by opening time, defaulting to the last 24 hours", async () => {
    const res = await get('/v1/alerts?deviceId=pump-1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      deviceId: 'pump-1',
      from: T + 60 * M - 86_400_000,
      to: T + 60 * M,
      state: 'all',
      alerts: [A, B],
    });
  });

  it('filters by state and by opening time [from, to)', async () => {
    expect((await get(`/v1/alerts?deviceId=pump-1&state=resolved`)).json().alerts).toEqual([A]);
    expect((await get(`/v1/alerts?deviceId=pump-1&state=open`)).json().alerts).toEqual([B]);
    expect(
      (await get(`/v1/alerts?deviceId=pump-1&from=${T + 5 * M + 1}&to=${T + 31 * M}`)).json().alerts,
    ).toEqual([B]);
  });

  it('lists every device’s open alerts without a deviceId', async () => {
    expect((await get('/v1/alerts?state=open')).json().alerts).toEqual([C, B]);
  });

  it('lists open alerts whenever they opened, unless a from is given', async () => {
    // A day and a half on, pump-2's gap and pump-1's stuck sensor are still open.
    const old = await app(true, undefined, T + 36 * 60 * M);
    try {
      const open = await old.inject({
        method: 'GET',
        url: '/v1/alerts?state=open',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(open.json()).toMatchObject({ from: 0, alerts: [C, B] });
      const recent = await old.inject({
        method: 'GET',
        url: `/v1/alerts?state=open&from=${T + 36 * 60 * M - 86_400_000}`,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(recent.json().alerts).toEqual([]);
    } finally {
      await old.close();
    }
  });

  it('answers CSV on request', async () => {
    const res = await server.inject({
      method: 'GET',
      url: '/v1/alerts?deviceId=pump-2',
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/csv' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(C.id);
  });

  it.each([
    ['/v1/alerts', /deviceId is required unless state=open/],
    ['/v1/alerts?deviceId=pump-1&state=closed', /state/],
    ['/v1/alerts?deviceId=bad%20id', /deviceId/],
    ['/v1/alerts?deviceId=pump-1&from=yesterday', /from must be/],
    [`/v1/alerts?deviceId=pump-1&from=${T}&to=${T}`, /must be after/],
  ])('answers 400 with a reason for %s', async (url, reason) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(reason);
  });

  it('answers 503 with Retry-After while the alert store is down, and 500 for a store failure a retry cannot fix', async () => {
    const failing = (retriable: boolean) =>
      app(true, {
        query: () => Promise.reject(new AlertStoreError('cassandra', 'boom', { retriable })),
      });
    const down = await failing(true);
    const res = await down.inject({
      method: 'GET',
      url: '/v1/alerts?deviceId=pump-1',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    await down.close();
    const broken = await failing(false);
    expect(
      (
        await broken.inject({
          method: 'GET',
          url: '/v1/alerts?deviceId=pump-1',
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).statusCode,
    ).toBe(500);
    await broken.close();
  });

  it('needs a valid bearer token', async () => {
    expect((await get('/v1/alerts?state=open', 'wrong')).statusCode).toBe(401);
  });

  it('is not served (nor documented) by an app without alert stores', async () => {
    const bare = await app(false);
    const res = await bare.inject({
      method: 'GET',
      url: '/v1/alerts?state=open',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(404);
    const headers = { authorization: `Bearer ${TOKEN}` };
    const spec = (await bare.inject({ method: 'GET', url: '/openapi.json', headers })).json();
    expect(Object.keys(spec.paths)).not.toContain('/v1/alerts');
    expect(
      Object.keys((await server.inject({ method: 'GET', url: '/openapi.json', headers })).json().paths),
    ).toContain('/v1/alerts');
    await bare.close();
  });
});
