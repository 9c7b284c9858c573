import { isRetriable } from '@lambda-iot/core';
import type { AlertEvent } from './alert-event';
import { AlertPublisher, alertRecord } from './alert-publisher';
import { MemoryAlertStore } from './memory-alert-store';

const event: AlertEvent = {
  id: 'd1|t|spike|0',
  deviceId: 'd1',
  metric: 't',
  kind: 'spike',
  state: 'open',
  openedAt: 0,
  windowStart: 0,
  score: 9,
  value: 1,
  baselineVersion: 'v1',
};

describe('AlertPublisher', () => {
  it('sends every event to the topic and every store', async () => {
    const produced: AlertEvent[] = [];
    const store = new MemoryAlertStore();
    await new AlertPublisher({ produce: async (e) => void produced.push(...e), stores: [store] }).publish([
      event,
    ]);
    expect(produced).toEqual([event]);
    expect(await store.query({ from: 0, to: 1, state: 'all' })).toEqual([event]);
  });

  it('fails retriably when the topic refuses, after the stores were written (a repeat is harmless)', async () => {
    const store = new MemoryAlertStore();
    const publisher = new AlertPublisher({
      produce: async () => {
        throw new Error('broker down');
      },
      stores: [store],
    });
    const err: unknown = await publisher.publish([event]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/kafka: broker down/);
    expect(isRetriable(err)).toBe(true);
    expect(await store.query({ from: 0, to: 1, state: 'all' })).toEqual([event]);
  });

  it('keys records by device so the alerts of one device stay in order', () => {
    expect(alertRecord(event)).toEqual({ key: 'd1', value: JSON.stringify(event) });
  });
});
