import { Counter } from 'prom-client';
import { OpsServer } from './ops-server';
import { createMetricsRegistry } from './metrics-registry';
import { silentLogger } from './logger';
import type { HealthReport } from './health';

describe('OpsServer', () => {
  let state: HealthReport = { state: 'up' };
  const registry = createMetricsRegistry({ app: 'test', collectProcessMetrics: false });
  const counter = new Counter({ name: 'test_events_total', help: 'events', registers: [registry] });
  const server = new OpsServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    logger: silentLogger,
    checks: [{ name: 'store', check: () => state }],
  });
  const url = (path: string): string => `http://127.0.0.1:${server.address.port}${path}`;

  beforeAll(() => server.start());
  afterAll(() => server.close());

  it('answers /healthz with 200 and every check while all are up', async () => {
    state = { state: 'up' };
    const res = await fetch(url('/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'up', checks: { store: { state: 'up' } } });
  });

  it('answers /healthz with 503 when a check is down', async () => {
    state = { state: 'down', detail: 'connection refused' };
    const res = await fetch(url('/healthz'));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: Record<string, { detail?: string }> }).checks.store?.detail).toBe(
      'connection refused',
    );
  });

  it('serves Prometheus text with the app label on /metrics', async () => {
    counter.inc(3);
    const res = await fetch(url('/metrics'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('test_events_total{app="test"} 3');
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    expect((await fetch(url('/nope'))).status).toBe(404);
    expect((await fetch(url('/healthz'), { method: 'POST' })).status).toBe(405);
  });

  it('closes idempotently', async () => {
    const other = new OpsServer({ host: '127.0.0.1', port: 0, registry, logger: silentLogger, checks: [] });
    await other.start();
    await Promise.all([other.close(), other.close()]);
    await other.close();
  });
});
