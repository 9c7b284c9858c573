import { HOUR_MS, type Resolution } from '@lambda-iot/core';
import { silentLogger } from '@lambda-iot/runtime';
import { Registry } from 'prom-client';
import { createServingApp, type ServingApp } from './create-serving-app';
import { H0, METRIC, SERVING_TOKEN, SeededStores } from './test-support/seeded-stores';
import { disagreements, type SeriesBody } from './test-support/series-truth';

const DEVICES = ['pump-1', 'pump-2', 'fan-1'];
const HOURS = 6;
const FROM = H0;
const TO = H0 + HOURS * HOUR_MS;

describe('serving app on the real stack (main’s wiring)', () => {
  const stores = new SeededStores({ devices: DEVICES, hours: HOURS });
  let serving: ServingApp;
  let base: string;

  const get = (
    path: string,
    headers: Record<string, string> = { authorization: `Bearer ${SERVING_TOKEN}` },
  ) => fetch(`${base}${path}`, { headers });

  beforeAll(async () => {
    await stores.seed();
    await stores.publishHour(0);
    expect(await stores.publishHour(1)).toBe(H0 + 2 * HOUR_MS);
    serving = await createServingApp(stores.config(), silentLogger, new Registry());
    base = await serving.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);

  afterAll(async () => {
    await serving?.app.close();
    await serving?.views.close();
    await stores.close();
  });

  it('lists each device with the time of its latest reading, as the speed layer’s Redis sink recorded it', async () => {
    const res = await get('/v1/devices');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { devices: Array<{ deviceId: string; lastSeen: number | null }> };
    const latest = new Map<string, number>();
    for (const r of stores.readings) latest.set(r.deviceId, Math.max(r.ts, latest.get(r.deviceId) ?? 0));
    expect(Object.fromEntries(body.devices.map((d) => [d.deviceId, d.lastSeen]))).toEqual(
      Object.fromEntries(latest),
    );
  });

  it('never loses or doubles a point while recomputes move the boundary under a stream of queries', async () => {
    const steps: Resolution[] = ['1m', '1h', '1d'];
    const boundaries = new Set<number>();
    const problems: string[] = [];
    let answers = 0;
    let publishing = true;
    const query = async (i: number): Promise<void> => {
      const deviceId = DEVICES[i % DEVICES.length] as string;
      const step = steps[i % steps.length] as Resolution;
      const res = await get(
        `/v1/series?deviceId=${deviceId}&metric=${METRIC}&from=${FROM}&to=${TO}&step=${step}`,
      );
      const body = (await res.json()) as SeriesBody;
      if (res.status !== 200) {
        problems.push(`status ${res.status}: ${JSON.stringify(body)}`);
        return;
      }
      answers++;
      boundaries.add(body.boundary);
      // One reading per device per minute: any lost or doubled window shows in the total count.
      const total = body.points.reduce((n, p) => n + p.count, 0);
      if (total !== HOURS * 60)
        problems.push(`${deviceId} ${step} at B ${body.boundary}: total count ${total}`);
      problems.push(...disagreements(stores, deviceId, body).map((p) => `${deviceId} ${step}: ${p}`));
    };
    const loop = async (worker: number): Promise<void> => {
      // Keep querying until every publish finished, then once more at the final boundary.
      for (let i = worker; publishing; i += 4) await query(i);
      for (let i = 0; i < steps.length * DEVICES.length; i++) await query(worker + i);
    };
    const loops = [0, 1, 2, 3].map(loop);
    for (let h = 2; h < HOURS; h++) await stores.publishHour(h);
    publishing = false;
    await Promise.all(loops);

    expect(problems.slice(0, 20)).toEqual([]);
    expect(boundaries).toContain(H0 + 2 * HOUR_MS);
    expect(boundaries).toContain(TO);
    expect(answers).toBeGreaterThan(4 * steps.length * DEVICES.length);
  });

  describe('bad requests', () => {
    const series = `/v1/series?deviceId=pump-1&metric=${METRIC}&from=${FROM}&to=${TO}`;

    it.each([
      ['no token', 401, series, {}, /token/i],
      ['a wrong token', 401, series, { authorization: 'Bearer not-the-token-0123456789' }, /token/i],
      ['an unknown step', 400, `${series}&step=5m`, undefined, /step/],
      [
        'from after to',
        400,
        `/v1/series?deviceId=pump-1&metric=${METRIC}&from=${TO}&to=${FROM}`,
        undefined,
        /from/,
      ],
      [
        'a range too large for the step',
        400,
        `/v1/series?deviceId=pump-1&metric=${METRIC}&from=${FROM}&to=${FROM + 30 * 24 * HOUR_MS}&step=1m`,
        undefined,
        /range|1m/,
      ],
      ['a malformed device id', 400, `/v1/series?deviceId=pump%201&metric=${METRIC}`, undefined, /deviceId/],
      ['an unknown parameter', 400, `${series}&colour=red`, undefined, /colour/],
      [
        'a malformed time',
        400,
        `/v1/series?deviceId=pump-1&metric=${METRIC}&from=yesterday`,
        undefined,
        /from/,
      ],
      ['an unknown groupBy', 400, `/v1/fleet?metric=${METRIC}&groupBy=planet`, undefined, /groupBy/],
    ] as const)('%s: %i with a reason', async (_name, status, path, headers, reason) => {
      const res = await get(path, headers);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: string; message: string; requestId: string };
      expect(body.message).toMatch(reason);
      expect(body.requestId).toBe(res.headers.get('x-request-id'));
      if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('an unsupported Accept: 406 naming the formats on offer', async () => {
      const res = await get(series, { authorization: `Bearer ${SERVING_TOKEN}`, accept: 'image/png' });
      expect(res.status).toBe(406);
      expect(((await res.json()) as { message: string }).message).toMatch(/text\/csv/);
    });
  });
});
