import { DAY_MS, deriveStats, HOUR_MS, LambdaIotError, MINUTE_MS } from '@lambda-iot/core';
import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import {
  aggregatesOf,
  B,
  DAY,
  fixtureReadings,
  NOW,
  servingFixture,
  TOKEN,
  type ServingFixture,
} from './test-support/serving-fixture';

const auth = { authorization: `Bearer ${TOKEN}` };

let fx: ServingFixture;
let app: FastifyInstance;

beforeAll(async () => {
  fx = await servingFixture();
  app = fx.app;
});
afterAll(() => app.close());

function get(url: string, headers: Record<string, string> = auth) {
  return app.inject({ method: 'GET', url, headers });
}

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split('\r\n');
  const names = (header ?? '').split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

describe('GET /v1/series', () => {
  const url = `/v1/series?deviceId=pump-1&metric=temperature&from=${DAY}&to=${DAY + DAY_MS}&step=1h`;

  it('answers every hour of the day with the ground truth: batch and final below B, speed above', async () => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body).toMatchObject({
      deviceId: 'pump-1',
      metric: 'temperature',
      step: '1h',
      boundary: B,
      from: DAY,
      to: DAY + DAY_MS,
    });
    const truth = aggregatesOf(fx.readings, 'pump-1', '1h');
    expect(body.points.map((p: { t: number }) => p.t)).toEqual([...truth.keys()]);
    for (const p of body.points) {
      const a = truth.get(p.t)!;
      const { mean, stddev } = deriveStats(a);
      expect(p).toEqual({
        t: p.t,
        count: a.count,
        sum: expect.closeTo(a.sum, 9),
        min: a.min,
        max: a.max,
        mean: expect.closeTo(mean, 9),
        stddev: expect.closeTo(stddev, 9),
        first: a.first,
        last: a.last,
        source: p.t < B ? 'batch' : 'speed',
        final: p.t < B,
      });
    }
  });

  it('accepts ISO-8601 times and chooses the finest step within the points limit when step is omitted', async () => {
    const res = await get(
      '/v1/series?deviceId=pump-1&metric=temperature&from=2024-06-01T00:00:00Z&to=2024-06-01T12:00:00Z',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ step: '1m', from: DAY, to: DAY + 12 * HOUR_MS });
    expect(res.json().points).toHaveLength(72);
    const week = await get(
      `/v1/series?deviceId=pump-1&metric=temperature&from=${DAY - 6 * DAY_MS}&to=${DAY + DAY_MS}`,
    );
    expect(week.json().step).toBe('1h');
  });

  it('defaults to the 24 hours before now', async () => {
    const res = await get('/v1/series?deviceId=pump-1&metric=temperature');
    expect(res.json()).toMatchObject({ step: '1m', from: NOW - DAY_MS, to: NOW });
  });

  it('answers CSV with a header row and one row per point', async () => {
    const res = await get(url, { ...auth, accept: 'text/csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(res.body);
    const json = (await get(url)).json();
    expect(Object.keys(rows[0]!)).toEqual([
      't',
      'count',
      'sum',
      'min',
      'max',
      'mean',
      'stddev',
      'first',
      'last',
      'source',
      'final',
    ]);
    expect(rows.map((r) => [Number(r.t), Number(r.count), Number(r.max), r.source, r.final])).toEqual(
      json.points.map((p: { t: number; count: number; max: number; source: string; final: boolean }) => [
        p.t,
        p.count,
        p.max,
        p.source,
        String(p.final),
      ]),
    );
  });

  it('answers an Arrow IPC stream that reads back to the same points', async () => {
    const res = await get(url, { ...auth, accept: 'application/vnd.apache.arrow.stream' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(res.rawPayload);
    const json = (await get(url)).json();
    expect(table.numRows).toBe(json.points.length);
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      't',
      'count',
      'sum',
      'min',
      'max',
      'mean',
      'stddev',
      'first',
      'last',
      'source',
      'final',
    ]);
    const rows = table.toArray().map((r) => [Number(r.t), r.count, r.mean, r.source, r.final]);
    expect(rows).toEqual(
      json.points.map((p: { t: number; count: number; mean: number; source: string; final: boolean }) => [
        p.t,
        p.count,
        p.mean,
        p.source,
        p.final,
      ]),
    );
  });

  it('picks the format with the highest q and refuses an Accept it cannot serve with 406', async () => {
    const csv = await get(url, { ...auth, accept: 'application/json;q=0.5, text/csv' });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const json = await get(url, { ...auth, accept: '*/*' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const refused = await get(url, { ...auth, accept: 'image/png' });
    expect(refused.statusCode).toBe(406);
    expect(refused.json().message).toMatch(/text\/csv/);
  });

  it.each([
    ['a missing deviceId', 'metric=temperature', /"deviceId" is required/],
    ['a malformed deviceId', 'deviceId=pump%201&metric=temperature', /deviceId.*pattern/],
    ['a too long deviceId', `deviceId=${'d'.repeat(129)}&metric=temperature`, /deviceId.*128/],
    ['a malformed metric', 'deviceId=pump-1&metric=temp/x', /metric.*pattern/],
    ['an unknown step', 'deviceId=pump-1&metric=temperature&step=5m', /step.*one of 1m, 1h, 1d/],
    ['an unknown parameter', 'deviceId=pump-1&metric=temperature&stpe=1h', /"stpe" is not allowed/],
    [
      'from after to',
      `deviceId=pump-1&metric=temperature&from=${DAY + HOUR_MS}&to=${DAY}`,
      /must be after from/,
    ],
    ['from equal to to', `deviceId=pump-1&metric=temperature&from=${DAY}&to=${DAY}`, /must be after from/],
    [
      'a malformed time',
      'deviceId=pump-1&metric=temperature&from=yesterday',
      /from must be epoch milliseconds or ISO-8601/,
    ],
    ['a zoneless ISO time', 'deviceId=pump-1&metric=temperature&from=2024-06-01T00:00:00', /from must be/],
    ['an impossible date', 'deviceId=pump-1&metric=temperature&from=2024-13-45', /not a valid time/],
    [
      'a range too long for 1m',
      `deviceId=pump-1&metric=temperature&step=1m&from=${DAY}&to=${DAY + 8 * DAY_MS}`,
      /longest allowed for step 1m/,
    ],
    [
      'too many points',
      `deviceId=pump-1&metric=temperature&step=1m&from=${DAY}&to=${DAY + 2 * DAY_MS}`,
      /2880 points, more than the limit of 1500/,
    ],
    [
      'a range too long for any step',
      `deviceId=pump-1&metric=temperature&from=0&to=${DAY}`,
      /too long for any step/,
    ],
  ])('answers 400 with a reason for %s', async (_what, query, reason) => {
    const res = await get(`/v1/series?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: expect.any(String),
      message: expect.stringMatching(reason),
      requestId: expect.any(String),
    });
  });
});

describe('authentication', () => {
  const url = '/v1/series?deviceId=pump-1&metric=temperature';

  it('answers 401 with WWW-Authenticate without a token, with a wrong one, or with another scheme', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer nope' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
    ]) {
      const res = await get(url, headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="lambda-iot"/);
      expect(res.json().error).toBe('unauthorized');
    }
  });

  it('accepts every configured token', async () => {
    expect((await get(url, { authorization: 'Bearer other-token' })).statusCode).toBe(200);
  });

  it('guards every API route, /metrics and /openapi.json, but not /healthz or the static pages', async () => {
    for (const path of [
      '/v1/fleet?metric=temperature',
      '/v1/top?metric=temperature',
      '/v1/devices',
      '/v1/status',
      '/metrics',
      '/openapi.json',
      '/nowhere',
    ]) {
      expect([path, (await get(path, {})).statusCode]).toEqual([path, 401]);
    }
    for (const path of ['/healthz', '/', '/dashboard.js', '/docs', '/vendor/uPlot.esm.js']) {
      expect([path, (await get(path, {})).statusCode]).toEqual([path, 200]);
    }
  });
});

describe('GET /v1/fleet', () => {
  it('merges each site’s devices per window, batch below B and speed above', async () => {
    const res = await get(`/v1/fleet?metric=temperature&groupBy=site&from=${DAY}&to=${DAY + DAY_MS}&step=1h`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ metric: 'temperature', groupBy: 'site', step: '1h', boundary: B });
    expect(body.groups.map((g: { group: string; devices: number }) => [g.group, g.devices])).toEqual([
      ['berlin', 2],
      ['paris', 1],
    ]);
    const berlin = body.groups[0];
    const p1 = aggregatesOf(fx.readings, 'pump-1', '1h');
    const p2 = aggregatesOf(fx.readings, 'pump-2', '1h');
    for (const p of berlin.points) {
      expect([p.t, p.count, p.max, p.source]).toEqual([
        p.t,
        p1.get(p.t)!.count + p2.get(p.t)!.count,
        Math.max(p1.get(p.t)!.max, p2.get(p.t)!.max),
        p.t < B ? 'batch' : 'speed',
      ]);
    }
  });

  it('groups by type or deviceId, and answers CSV with a group column', async () => {
    const byType = (await get('/v1/fleet?metric=temperature&groupBy=type')).json();
    expect(byType.groups.map((g: { group: string }) => g.group)).toEqual(['fan', 'pump']);
    const csv = await get('/v1/fleet?metric=temperature&groupBy=deviceId&step=1d', {
      ...auth,
      accept: 'text/csv',
    });
    expect(parseCsv(csv.body).map((r) => r.group)).toEqual(['fan-1', 'pump-1', 'pump-2']);
  });

  it('answers 400 for an unknown groupBy or a missing metric', async () => {
    const bad = await get('/v1/fleet?metric=temperature&groupBy=colour');
    expect([bad.statusCode, bad.json().message]).toEqual([
      400,
      expect.stringMatching(/groupBy.*site, type, deviceId/),
    ]);
    expect((await get('/v1/fleet?groupBy=site')).statusCode).toBe(400);
  });
});

describe('GET /v1/top', () => {
  it('ranks devices over the whole range by max, mean or count', async () => {
    const res = await get(`/v1/top?metric=temperature&by=mean&limit=2&from=${DAY}&to=${DAY + DAY_MS}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual(['fan-1', 'pump-2']);
    const all = [...aggregatesOf(fx.readings, 'fan-1', '1d').values()][0]!;
    expect(body.devices[0]).toMatchObject({ count: all.count, max: all.max, final: false });
  });

  it('answers 400 for a limit out of range or an unknown ranking', async () => {
    for (const q of ['limit=0', 'limit=1000', 'limit=two', 'by=median']) {
      const res = await get(`/v1/top?metric=temperature&${q}`);
      expect([q, res.statusCode]).toEqual([q, 400]);
    }
  });
});

describe('GET /v1/devices and /v1/status', () => {
  it('lists the registry’s devices with tags, sorted by id', async () => {
    const body = (await get('/v1/devices')).json();
    expect(body.devices.map((d: { deviceId: string; tags: object }) => [d.deviceId, d.tags])).toEqual([
      ['fan-1', { site: 'paris', type: 'fan' }],
      ['pump-1', { site: 'berlin', type: 'pump' }],
      ['pump-2', { site: 'berlin', type: 'pump' }],
    ]);
  });

  it('says when each device last reported, and null for a device never seen', async () => {
    const lastReading = fixtureReadings()
      .filter((r) => r.deviceId === 'pump-1')
      .reduce((latest, r) => Math.max(latest, r.ts), 0);
    const body = (await get('/v1/devices')).json();
    expect(
      Object.fromEntries(
        body.devices.map((d: { deviceId: string; lastSeen: number | null }) => [d.deviceId, d.lastSeen]),
      ),
    ).toEqual({
      'fan-1': null,
      'pump-1': lastReading,
      'pump-2': lastReading,
    });
    // The tags column holds quoted JSON with commas, so look at each line's last field only.
    const lines = (await get('/v1/devices', { ...auth, accept: 'text/csv' })).body.trimEnd().split('\r\n');
    expect(lines.map((line) => line.slice(line.lastIndexOf(',') + 1))).toEqual([
      'lastSeen',
      '',
      String(lastReading),
      String(lastReading),
    ]);
  });

  it('reports the boundary, the speed watermark and lag, late readings and dirty hours', async () => {
    const res = await get('/v1/status');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      now: NOW,
      boundary: B,
      boundaryAgeMs: NOW - B,
      sealedThrough: B + HOUR_MS,
      dirtyHours: [DAY + 3 * HOUR_MS],
      dirtyHourCount: 1,
      speed: { watermark: NOW - 9_000, lag: 42, late: 7, duplicates: 1, partitions: expect.any(Array) },
    });
    expect(res.json().speed.partitions).toHaveLength(2);
  });
});

describe('operations', () => {
  it('serves /healthz without a token and counts request latency by route in /metrics', async () => {
    expect((await get('/healthz', {})).json()).toEqual({ status: 'up', checks: {} });
    await get('/v1/devices');
    const metrics = await get('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(
      /serving_request_duration_seconds_count\{route="\/v1\/devices",method="GET",status="200"\} [1-9]/,
    );
  });

  it('serves an OpenAPI description generated from the route schemas, and the docs page', async () => {
    const spec = (await get('/openapi.json')).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/v1/devices',
      '/v1/fleet',
      '/v1/series',
      '/v1/status',
      '/v1/top',
    ]);
    const params = spec.paths['/v1/series'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['deviceId', 'metric', 'from', 'to', 'step']));
    expect(Object.keys(spec.paths['/v1/series'].get.responses['200'].content)).toEqual([
      'application/json',
      'text/csv',
      'application/vnd.apache.arrow.stream',
    ]);
    const docs = await get('/docs', {});
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    expect(docs.body).toContain('/docs.js');
  });
});

describe('failures', () => {
  it('answers 500 with a request id, not the internal message, when a view fails unexpectedly', async () => {
    const original = fx.speed.readSeries.bind(fx.speed);
    fx.speed.readSeries = async () => {
      throw new Error('secret internals');
    };
    try {
      const res = await get('/v1/series?deviceId=pump-1&metric=temperature');
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: 'internal',
        message: 'internal error',
        requestId: res.headers['x-request-id'],
      });
    } finally {
      fx.speed.readSeries = original;
    }
  });

  it('answers 503 with Retry-After when a view reports a retriable failure', async () => {
    const original = fx.speed.readSeries.bind(fx.speed);
    fx.speed.readSeries = async () => {
      throw new LambdaIotError('redis and cassandra down', { code: 'speed_unavailable', retriable: true });
    };
    try {
      const res = await get('/v1/series?deviceId=pump-1&metric=temperature');
      expect([res.statusCode, res.headers['retry-after']]).toEqual([503, '1']);
    } finally {
      fx.speed.readSeries = original;
    }
  });
});

describe('rate limiting', () => {
  it('answers 429 once a token used its budget, counting each token on its own', async () => {
    const limited = await servingFixture({ rateLimit: { max: 2, timeWindowMs: 60_000 } });
    try {
      const call = (token: string) =>
        limited.app.inject({
          method: 'GET',
          url: '/v1/devices',
          headers: { authorization: `Bearer ${token}` },
        });
      expect([(await call(TOKEN)).statusCode, (await call(TOKEN)).statusCode]).toEqual([200, 200]);
      const third = await call(TOKEN);
      expect([third.statusCode, third.json().error]).toEqual([429, 'rate_limited']);
      expect((await call('other-token')).statusCode).toBe(200);
    } finally {
      await limited.app.close();
    }
  });
});

it('keeps minutes exact at 1m step across B', async () => {
  const res = await get(
    `/v1/series?deviceId=pump-2&metric=temperature&from=${B - 30 * MINUTE_MS}&to=${B + 30 * MINUTE_MS}&step=1m`,
  );
  const pts = res.json().points as { t: number; source: string }[];
  expect(pts.map((p) => [(p.t - B) / MINUTE_MS, p.source])).toEqual([
    [-30, 'batch'],
    [-20, 'batch'],
    [-10, 'batch'],
    [0, 'speed'],
    [10, 'speed'],
    [20, 'speed'],
  ]);
});
