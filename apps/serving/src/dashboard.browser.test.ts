// The dashboard in real headless Chromium (Debian's /usr/bin/chromium) against an app over known data.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AlertReader, MemoryAlertStore, type AlertEvent } from '@lambda-iot/anomaly';
import { HOUR_MS, ManualClock, MINUTE_MS } from '@lambda-iot/core';
import { silentLogger } from '@lambda-iot/runtime';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { Registry } from 'prom-client';
import { buildApp } from './build-app';
import {
  B,
  DEVICES,
  InMemoryRegistry,
  NOW,
  servingFixture,
  TOKEN,
  type ServingFixture,
} from './test-support/serving-fixture';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function alert(
  deviceId: string,
  kind: AlertEvent['kind'],
  openedAt: number,
  resolvedAt?: number,
): AlertEvent {
  const open: AlertEvent = {
    id: `${deviceId}|temperature|${kind}|${openedAt}`,
    deviceId,
    metric: 'temperature',
    kind,
    state: 'open',
    openedAt,
    windowStart: openedAt,
    score: 7.5,
    value: 42,
    baselineVersion: 'b-1',
  };
  return resolvedAt === undefined
    ? open
    : { ...open, state: 'resolved', windowStart: resolvedAt - MINUTE_MS, resolvedAt };
}

/** The device the dashboard shows first (the registry sorted by id). */
const SHOWN = [...DEVICES].sort((a, b) => a.deviceId.localeCompare(b.deviceId))[0]!.deviceId;
/** On the shown device: a spike resolved two hours ago and a drift still open; another device's stuck sensor. */
const SPIKE = alert(SHOWN, 'spike', NOW - 3 * HOUR_MS, NOW - 2 * HOUR_MS);
const DRIFT = alert(SHOWN, 'drift', NOW - HOUR_MS);
const STUCK = alert('pump-2', 'stuck', NOW - 30 * MINUTE_MS);
/** Opened the day before the chart's range: neither shown on the chart nor, being resolved, listed. */
const OLD = alert(SHOWN, 'gap', NOW - 40 * HOUR_MS, NOW - 39 * HOUR_MS);

let fx: ServingFixture;
let app: FastifyInstance;
let browser: Browser;
let base: string;

beforeAll(async () => {
  fx = await servingFixture();
  // The fixture's views plus alerts, served through the real reader and route (a durable and a hot store).
  const durable = new MemoryAlertStore();
  const hot = new MemoryAlertStore();
  for (const e of [alert(SHOWN, 'spike', SPIKE.openedAt), SPIKE, DRIFT, STUCK, OLD]) {
    await durable.upsert([e]);
    await hot.upsert([e]);
  }
  app = await buildApp(
    {
      batch: fx.batch,
      speed: fx.speed,
      boundary: fx.boundary,
      registry: new InMemoryRegistry(DEVICES),
      status: fx.status,
      clock: new ManualClock(NOW),
      logger: silentLogger,
      metrics: new Registry(),
      alerts: new AlertReader({ durable, hot }),
    },
    { tokens: [TOKEN] },
  );
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await fx?.app.close();
});

interface PageDocument {
  querySelector(selector: string): {
    width: number;
    height: number;
    getContext(kind: '2d'): {
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    };
  };
}

interface Row {
  dataset: Record<string, string | undefined>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('dashboard', () => {
  it('renders the device chart with batch and speed points apart, the fleet by site, and pipeline health', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const failed: string[] = [];
    page.on('pageerror', (err) => failed.push(err.message));
    await page.goto(`${base}/?token=${TOKEN}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });

    // The token left the address bar once stored.
    expect(page.url()).toBe(`${base}/`);

    const health = async (field: string) => page.textContent(`#health [data-field="${field}"]`);
    expect(await health('boundary')).toBe(iso(B));
    expect(await health('boundary-age')).toBe(`${((NOW - B) / 3_600_000).toFixed(1)} h`);
    expect(await health('watermark')).toBe(iso(NOW - 9_000));
    expect(await health('lag')).toBe('42 messages (2 partitions)');
    expect(await health('late')).toBe('7');
    expect(await health('dirty-hours')).toMatch(/^1: 2024-06-01T03:00:00Z/);

    // The device shown is the first of the registry; its points split at B exactly as the API answers.
    const api = (
      await fx.app.inject({
        url: '/v1/series?deviceId=fan-1&metric=temperature',
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).json() as { points: { source: string }[] };
    const batchPoints = api.points.filter((p) => p.source === 'batch').length;
    expect(batchPoints).toBeGreaterThan(0);
    expect(api.points.length - batchPoints).toBeGreaterThan(0);
    const chart = page.locator('#device-chart');
    expect(await chart.getAttribute('data-batch-points')).toBe(String(batchPoints));
    expect(await chart.getAttribute('data-speed-points')).toBe(String(api.points.length - batchPoints));
    expect(await page.locator('#device-chart canvas').count()).toBe(1);
    const legend = await page.locator('#device-chart .u-legend .u-label').allTextContents();
    expect(legend).toEqual(expect.arrayContaining(['batch mean', 'speed mean']));
    // Two series in two colours were actually drawn: the canvas holds both the batch and the speed colour.
    const colours = await page.evaluate(() => {
      // Runs in the page; typed by hand because this project compiles without the DOM library.
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const canvas = doc.querySelector('#device-chart canvas');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let batch = 0;
      let speed = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        if (Math.abs(r - 0x1f) < 24 && Math.abs(g - 0x6f) < 24 && Math.abs(b - 0xeb) < 24) batch++;
        if (Math.abs(r - 0xe3) < 24 && Math.abs(g - 0x62) < 24 && Math.abs(b - 0x09) < 24) speed++;
      }
      return { batch, speed };
    });
    expect(colours.batch).toBeGreaterThan(50);
    expect(colours.speed).toBeGreaterThan(50);

    expect(await page.locator('#fleet-chart').getAttribute('data-groups')).toBe('berlin,paris');
    expect(await page.locator('#fleet-chart canvas').count()).toBe(1);

    // Open alerts of every device, newest first, as /v1/alerts?state=open answers them.
    expect(await page.inputValue('#device')).toBe(SHOWN);
    const rows = page.locator('#open-alerts tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as unknown as Row).dataset.alertId))).toEqual([
      STUCK.id,
      DRIFT.id,
    ]);
    expect(await rows.first().locator('td').allTextContents()).toEqual([
      'pump-2',
      'temperature',
      'stuck',
      iso(STUCK.openedAt),
      '7.5',
    ]);
    expect(await page.textContent('#alerts-summary')).toBe('2');
    // The shown device's alerts on the shown metric within the chart's range are marked on it: the resolved
    // spike and the open drift, not the gap of the day before.
    expect((await chart.getAttribute('data-alerts'))!.split(',')).toEqual([SPIKE.id, DRIFT.id]);
    const marks = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const canvas = doc.querySelector('#device-chart canvas');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let band = 0;
      let edge = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
        if (Math.abs(r - 0xcf) > 16 || Math.abs(g - 0x22) > 16 || Math.abs(b - 0x2e) > 16) continue;
        // The canvas is transparent: the band is #cf222e at alpha 0.16 (≈ 41 of 255), the edge opaque.
        if (Math.abs(a - 41) < 10) band++;
        if (a > 200) edge++;
      }
      return { band, edge };
    });
    // One hour of spike and one of drift on a 24-hour axis: each band is over 1/24 of the plot wide.
    expect(marks.band).toBeGreaterThan(5_000);
    expect(marks.edge).toBeGreaterThan(200);

    // Choosing an alert shows its device and metric, with that alert marked.
    await rows.first().click();
    await page.waitForFunction(
      (id) =>
        (globalThis as unknown as { document: { querySelector(s: string): Row } }).document.querySelector(
          '#device-chart',
        ).dataset.alerts === id,
      STUCK.id,
    );
    expect(await page.inputValue('#device')).toBe('pump-2');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(failed).toEqual([]);
    await page.close();
  });

  it('asks for a token when it has none, then renders', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector('#token-form:not([hidden])');
    await page.fill('#token-form input[name="token"]', TOKEN);
    await page.click('#token-form button');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.textContent('#health [data-field="late"]')).toBe('7');
    await page.close();
  });

  it('renders the API docs from /openapi.json', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/docs?token=${TOKEN}`);
    await page.waitForSelector('#api h2');
    const routes = await page.locator('#api h2').allTextContents();
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /v1/series',
        'GET /v1/fleet',
        'GET /v1/top',
        'GET /v1/devices',
        'GET /v1/status',
      ]),
    );
    await page.close();
  });
});
