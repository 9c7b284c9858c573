import type { AlertEvent } from './alert-event';
import { AlertReader } from './alert-reader';
import { MemoryAlertStore } from './memory-alert-store';

const e = (id: string, deviceId: string, state: AlertEvent['state']): AlertEvent => ({
  id,
  deviceId,
  metric: 't',
  kind: 'spike',
  state,
  openedAt: 10,
  windowStart: state === 'open' ? 10 : 20,
  score: 7,
  value: 1,
  baselineVersion: 'v',
});

describe('AlertReader', () => {
  it('answers a device from the durable store and the fleet-wide open list from the hot store', async () => {
    const durable = new MemoryAlertStore();
    const hot = new MemoryAlertStore();
    await durable.upsert([e('a', 'd1', 'resolved')]);
    await hot.upsert([e('b', 'd2', 'open')]);
    const reader = new AlertReader({ durable, hot });
    expect(await reader.query({ deviceId: 'd1', from: 0, to: 100, state: 'all' })).toEqual([
      e('a', 'd1', 'resolved'),
    ]);
    expect(await reader.query({ from: 0, to: 100, state: 'open' })).toEqual([e('b', 'd2', 'open')]);
  });

  it('refuses fleet-wide queries for resolved alerts', async () => {
    const reader = new AlertReader({ durable: new MemoryAlertStore(), hot: new MemoryAlertStore() });
    await expect(reader.query({ from: 0, to: 100, state: 'all' })).rejects.toThrow(/deviceId is required/);
  });
});
