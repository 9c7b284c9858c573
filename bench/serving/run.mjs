// Open-loop load on the serving app: requests sent on a fixed schedule, latency measured from the scheduled
// send time (no coordinated omission). The app runs in a child process over in-memory views holding 24 h of
// 1-minute windows for 50 devices, so the figures are the HTTP + merge + serialization cost, not the stores'.
// Usage: npm run build -w @lambda-iot/views -w @lambda-iot/serving && node bench/serving/run.mjs
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const TOKEN = 'bench-token-0123456789';
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 2);
const B = NOW - 6 * HOUR;
const DEVICES = 50;

async function serve() {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const { buildApp } = require('../../apps/serving/dist/build-app.js');
  const views = require('../../packages/views/dist/index.js');
  const { ManualClock, aggregateOf } = require('../../packages/core/dist/index.js');
  const { silentLogger } = require('../../packages/runtime/dist/index.js');
  const { Registry } = require('prom-client');
  const batch = new views.InMemoryBatchView();
  const speed = new views.InMemorySpeedView();
  const devices = [];
  for (let d = 0; d < DEVICES; d++) {
    const deviceId = `dev-${String(d).padStart(3, '0')}`;
    devices.push({ deviceId, tags: { site: `site-${d % 5}`, type: 'pump' }, registeredAt: 0 });
    const key = { deviceId, metric: 'temperature' };
    const hours = new Map();
    for (let t = NOW - DAY; t < NOW; t += 60_000) {
      const agg = aggregateOf([
        { ts: t, value: 20 + Math.sin(t / HOUR + d) },
        { ts: t + 30_000, value: 21 },
      ]);
      speed.put(key, '1m', t, agg);
      if (t < B) {
        batch.put(key, '1m', t, agg);
        const h = t - (t % HOUR);
        hours.set(h, [
          ...(hours.get(h) ?? []),
          { ts: t, value: 20 + Math.sin(t / HOUR + d) },
          { ts: t + 30_000, value: 21 },
        ]);
      }
    }
    for (const [h, rs] of hours) batch.put(key, '1h', h, aggregateOf(rs));
  }
  const app = await buildApp(
    {
      batch,
      speed,
      boundary: new views.InMemoryBatchBoundary(B),
      registry: { list: async () => devices },
      status: new views.InMemoryPipelineStatus(),
      clock: new ManualClock(NOW),
      logger: silentLogger,
      metrics: new Registry(),
    },
    { tokens: [TOKEN], rateLimit: { max: 10_000_000, timeWindowMs: 60_000 } },
  );
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ address });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(base, path, rate, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(path, base);
  const latencies = [];
  let errors = 0;
  let bytes = 0;
  const total = rate * seconds;
  const start = performance.now() + 50;
  const pending = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      new Promise((resolve) => {
        const req = http.get(url, { agent, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
          res.on('data', (c) => (bytes += c.length));
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - scheduled);
            resolve();
          });
        });
        req.on('error', () => {
          errors++;
          resolve();
        });
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    path,
    targetRps: rate,
    achievedRps: Math.round(latencies.length / elapsed),
    p50: +percentile(latencies, 50).toFixed(1),
    p99: +percentile(latencies, 99).toFixed(1),
    max: +latencies[latencies.length - 1].toFixed(1),
    errors,
    kbPerResponse: Math.round(bytes / latencies.length / 1024),
  };
}

if (process.argv[2] === 'serve') {
  await serve();
} else {
  const child = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: 'inherit' });
  const { address } = await new Promise((resolve) => child.once('message', resolve));
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const series = `/v1/series?deviceId=dev-007&metric=temperature&from=${NOW - DAY}&to=${NOW}&step=1m`;
  const fleet = `/v1/fleet?metric=temperature&groupBy=site&from=${NOW - DAY}&to=${NOW}&step=1h`;
  await load(address, series, 50, 2); // warm-up
  const results = [];
  for (const rate of (process.env.BENCH_SERIES_RATES ?? '200,500,1000').split(',').map(Number)) {
    results.push(await load(address, series, rate, seconds));
  }
  for (const rate of (process.env.BENCH_FLEET_RATES ?? '10,50').split(',').map(Number)) {
    results.push(await load(address, fleet, rate, seconds));
  }
  console.table(results);
  child.kill('SIGTERM');
}
