import { HOUR_MS, type Resolution } from '@lambda-iot/core';
import { silentLogger } from '@lambda-iot/runtime';
import { Registry } from 'prom-client';
import { createServingApp, type ServingApp } from './create-serving-app';
import { PrivateRedis } from './test-support/private-redis';
import { H0, METRIC, SERVING_TOKEN, SeededStores } from './test-support/seeded-stores';
import { disagreements, type SeriesBody } from './test-support/series-truth';

const DEVICES = ['pump-1', 'pump-2', 'fan-1'];
const HOURS = 5;
const B = H0 + 3 * HOUR_MS;
const STEPS: Resolution[] = ['1m', '1h', '1d'];

describe('serving app with Redis down (main’s wiring, a private redis-server that the test stops)', () => {
  const redisServer = new PrivateRedis();
  let stores: SeededStores;
  let serving: ServingApp;
  let metrics: Registry;
  let base: string;

  const get = (path: string) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${SERVING_TOKEN}` } });
  const seriesPath = (deviceId: string, step: Resolution) =>
    `/v1/series?deviceId=${deviceId}&metric=${METRIC}&from=${H0}&to=${H0 + HOURS * HOUR_MS}&step=${step}`;

  async function expectSeriesEqualTruth(deviceId: string, step: Resolution): Promise<void> {
    const res = await get(seriesPath(deviceId, step));
    const body = (await res.json()) as SeriesBody;
    expect(res.status).toBe(200);
    expect(body.boundary).toBe(B);
    expect(disagreements(stores, deviceId, body)).toEqual([]);
  }

  async function fallbacks(): Promise<number> {
    const text = await (await get('/metrics')).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('serving_speed_fallbacks_total{reason="redis_error"'));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  }

  beforeAll(async () => {
    await redisServer.start();
    stores = new SeededStores({ devices: DEVICES, hours: HOURS, redisPort: redisServer.port });
    await stores.seed();
    for (let h = 0; h < 3; h++) await stores.publishHour(h);
    metrics = new Registry();
    // No kept speed answers or settled windows: every query below must reach the store to show the fallback.
    serving = await createServingApp(
      stores.config({ SERVING_SPEED_CACHE_MS: '0', SERVING_SPEED_SETTLED_POINTS: '0' }),
      silentLogger,
      metrics,
    );
    base = await serving.app.listen({ host: '127.0.0.1', port: 0 });
    // The app has answered once with Redis up (boundary, manifest entries and devices read).
    for (const step of STEPS) await expectSeriesEqualTruth('pump-1', step);
    expect((await get('/v1/devices')).status).toBe(200);
    await redisServer.stop();
  }, 120_000);

  afterAll(async () => {
    await serving?.app.close();
    await serving?.views.close();
    await redisServer.stop();
    await stores?.close({ redisGone: true });
  });

  it.each(DEVICES.flatMap((d) => STEPS.map((s) => [d, s] as const)))(
    '/v1/series %s %s still equals the ground truth: batch view below the last B, Cassandra above it',
    async (deviceId, step) => {
      const before = await fallbacks();
      await expectSeriesEqualTruth(deviceId, step);
      expect(await fallbacks()).toBeGreaterThan(before);
    },
  );

  it('/v1/devices answers the devices last read', async () => {
    const res = await get('/v1/devices');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { devices: Array<{ deviceId: string }> };
    expect(body.devices.map((d) => d.deviceId)).toEqual([...DEVICES].sort());
  });

  it('/v1/fleet still answers from the batch view and Cassandra', async () => {
    const res = await get(
      `/v1/fleet?metric=${METRIC}&groupBy=deviceId&from=${H0}&to=${H0 + HOURS * HOUR_MS}&step=1h`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { groups: Array<{ points: Array<{ count: number }> }> };
    const total = body.groups.flatMap((g) => g.points).reduce((n, p) => n + p.count, 0);
    expect(total).toBe(DEVICES.length * HOURS * 60);
  });

  it('what only Redis can answer gets 503 with Retry-After, never 500', async () => {
    // Hours this process never read from the manifest, and the pipeline status, which lives only in Redis.
    for (const path of [
      `/v1/series?deviceId=pump-1&metric=${METRIC}&from=${H0 - 3 * HOUR_MS}&to=${H0}&step=1h`,
      '/v1/status',
    ]) {
      const res = await get(path);
      expect({ path, status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({
        path,
        status: 503,
        retryAfter: '1',
      });
      expect(((await res.json()) as { error: string }).error).toBe('unavailable');
    }
  });
});
