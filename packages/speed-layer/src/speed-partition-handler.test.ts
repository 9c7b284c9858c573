import type { KafkaMessage, Message } from 'kafkajs';
import { encodeEnvelope, MINUTE_MS, type EnvelopeReading } from '@lambda-iot/core';
import type { BatchContext } from '@lambda-iot/kafka';
import { SinkError } from './errors';
import { decodeCheckpointMetadata } from './partition-checkpoint';
import { SpeedPartitionHandler, type SpeedHandlerOptions } from './speed-partition-handler';
import { MemoryWindowSink, windowId } from './test-support/memory-window-sink';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const FAST = { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 };

function record(offset: number, deviceId: string, readings: EnvelopeReading[]): KafkaMessage {
  return {
    offset: String(offset),
    key: Buffer.from(deviceId),
    value: encodeEnvelope({ deviceId, readings }),
    timestamp: String(T0 + 3_600_000),
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

function raw(offset: number, value: string): KafkaMessage {
  return {
    offset: String(offset),
    key: Buffer.from('d1'),
    value: Buffer.from(value),
    timestamp: String(T0),
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

function context(): BatchContext & { heartbeats: number } {
  const ctx = {
    heartbeats: 0,
    signal: new AbortController().signal,
    heartbeat: async () => {
      ctx.heartbeats++;
    },
  };
  return ctx;
}

function handlerWith(
  sinks: MemoryWindowSink[],
  extra: Partial<SpeedHandlerOptions> = {},
): { handler: SpeedPartitionHandler; letters: Message[] } {
  const letters: Message[] = [];
  const handler = new SpeedPartitionHandler('readings', 0, undefined, {
    hotSinks: sinks.slice(0, 1),
    durableSinks: sinks.slice(1),
    deadLetters: async (messages) => {
      letters.push(...messages);
    },
    flushIntervalMs: 60_000,
    durableFlushIntervalMs: 60_000,
    backoff: FAST,
    ...extra,
  });
  return { handler, letters };
}

describe('SpeedPartitionHandler', () => {
  const open: SpeedPartitionHandler[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  it('writes windows to the hot and the durable sinks before it returns a checkpoint, with the watermark as metadata', async () => {
    const redis = new MemoryWindowSink('a');
    const cassandra = new MemoryWindowSink('b');
    const { handler } = handlerWith([redis, cassandra]);
    open.push(handler);
    await handler.handle(
      [
        record(0, 'd1', [{ metric: 'm', ts: T0 + 1, value: 1 }]),
        record(1, 'd1', [{ metric: 'm', ts: T0 + 10 * MINUTE_MS, value: 2 }]),
      ],
      context(),
    );
    const cp = await handler.checkpoint(context());
    expect(cp?.offset).toBe('1'); // the window opened at offset 1 is still open
    expect(decodeCheckpointMetadata(1, cp?.metadata ?? null)).toEqual({
      offset: 1,
      watermark: T0 + 10 * MINUTE_MS - 5_000,
      processedEnd: 2,
    });
    for (const sink of [redis, cassandra]) {
      expect(sink.windows.get(windowId({ deviceId: 'd1', metric: 'm', windowStart: T0 }))?.final).toBe(true);
      expect(
        sink.windows.get(windowId({ deviceId: 'd1', metric: 'm', windowStart: T0 + 10 * MINUTE_MS }))?.final,
      ).toBe(false);
    }
  });

  it('never returns a checkpoint while a sink is down, and blocks intake past the memory bound until it is back', async () => {
    const redis = new MemoryWindowSink('a');
    const cassandra = new MemoryWindowSink('b');
    cassandra.failWith = new SinkError('b', 'down', { retriable: true });
    const { handler } = handlerWith([redis, cassandra], { maxUnwrittenWindows: 1 });
    open.push(handler);
    // Three minutes close, one stays open: three unwritten final windows > the bound of one.
    const ctx = context();
    const handled = handler.handle(
      [0, 1, 2]
        .map((i) => record(i, 'd1', [{ metric: 'm', ts: T0 + i * MINUTE_MS, value: i }]))
        .concat([record(3, 'd1', [{ metric: 'm', ts: T0 + 20 * MINUTE_MS, value: 9 }])]),
      ctx,
    );
    let returned = false;
    void handled.then(() => (returned = true));
    await expect(handler.checkpoint(context())).rejects.toThrow('down');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(returned).toBe(false);
    expect(ctx.heartbeats).toBeGreaterThan(0);
    expect(handler.stats().unwrittenWindows).toBe(3);

    cassandra.failWith = undefined;
    await handled;
    const cp = await handler.checkpoint(context());
    expect(cp?.offset).toBe('3');
    expect([...cassandra.windows.values()].filter((w) => w.final).map((w) => w.aggregate.count)).toEqual([
      1, 1, 1,
    ]);
  });

  it('sends malformed and invalid input to the dead-letter publisher, counts it, and applies the valid readings', async () => {
    const sink = new MemoryWindowSink();
    const { handler, letters } = handlerWith([sink]);
    open.push(handler);
    await handler.handle(
      [
        raw(0, '{not json'),
        record(1, 'd1', [
          { metric: 'm', ts: T0 + 1, value: 1 },
          { metric: 'bad metric', ts: T0 + 2, value: 2 },
        ]),
        // A device clock far ahead of the record's Kafka timestamp (not the wall clock) is refused.
        record(2, 'd1', [{ metric: 'm', ts: T0 + 3_600_000 + 2 * 86_400_000, value: 3 }]),
      ],
      context(),
    );
    expect(letters.map((l) => l.headers?.['x-dlq-reason'])).toEqual([
      'malformed_json',
      'invalid_metric',
      'ts_in_future',
    ]);
    expect(letters.map((l) => l.headers?.['x-dlq-source'])).toEqual(['speed', 'speed', 'speed']);
    expect(letters[0]?.value?.toString()).toBe('{not json');
    expect(handler.stats()).toMatchObject({ applied: 1, invalid: 3 });
    expect((await handler.checkpoint(context()))?.offset).toBe('1');
  });

  it('refuses to commit past dead letters it could not publish', async () => {
    const sink = new MemoryWindowSink();
    const controller = new AbortController();
    const handler = new SpeedPartitionHandler('readings', 0, undefined, {
      hotSinks: [sink],
      durableSinks: [],
      deadLetters: async () => {
        controller.abort();
        throw new Error('dlq down');
      },
      flushIntervalMs: 60_000,
      backoff: FAST,
    });
    open.push(handler);
    await handler.handle([raw(0, 'nope')], { heartbeat: async () => undefined, signal: controller.signal });
    await expect(handler.checkpoint(context())).rejects.toThrow('dead letters');
  });

  it('writes changed open windows to the hot sinks on the flush interval, before any checkpoint', async () => {
    const hot = new MemoryWindowSink('hot');
    const durable = new MemoryWindowSink('durable');
    const { handler } = handlerWith([hot, durable], { flushIntervalMs: 10 });
    open.push(handler);
    await handler.handle([record(0, 'd1', [{ metric: 'm', ts: T0, value: 4 }])], context());
    for (let i = 0; i < 100 && hot.windows.size === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect([...hot.windows.values()].map((w) => [w.aggregate.count, w.final])).toEqual([[1, false]]);
    expect(durable.writes).toBe(0);
  });

  it('writes the durable sinks at checkpoints (and on their own slower interval), each changed window once', async () => {
    const hot = new MemoryWindowSink('hot');
    const durable = new MemoryWindowSink('durable');
    const { handler } = handlerWith([hot, durable], { flushIntervalMs: 5 });
    open.push(handler);
    for (let i = 0; i < 5; i++) {
      await handler.handle([record(i, 'd1', [{ metric: 'm', ts: T0 + i, value: i }])], context());
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(hot.writes).toBeGreaterThan(1);
    expect(durable.writes).toBe(0);
    await handler.checkpoint(context());
    expect(durable.writes).toBe(1);
    expect([...durable.windows.values()].map((w) => w.aggregate.count)).toEqual([5]);
  });

  it('writes the durable sinks on their interval when no checkpoint comes (an idle partition)', async () => {
    const hot = new MemoryWindowSink('hot');
    const durable = new MemoryWindowSink('durable');
    const { handler } = handlerWith([hot, durable], { flushIntervalMs: 5, durableFlushIntervalMs: 20 });
    open.push(handler);
    await handler.handle([record(0, 'd1', [{ metric: 'm', ts: T0, value: 4 }])], context());
    for (let i = 0; i < 100 && durable.windows.size === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect([...durable.windows.values()].map((w) => w.aggregate.count)).toEqual([1]);
  });
});
