// When the ConsumerRunner commits: on a timer for idle partitions, on revoke before a partition moves, on close,
// and with a real heartbeat during a slow checkpoint.
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { eventually, testKafkaConfig, uniqueName } from '@lambda-iot/testkit';
import { createKafka } from './kafka-client';
import { ensureTopics } from './topics';
import { ACKS_ALL, createProducer } from './producer';
import { ConsumerRunner, type CommitReason } from './consumer-runner';
import type {
  BatchContext,
  Checkpoint,
  PartitionHandler,
  PartitionHandlerFactory,
} from './partition-handler';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Behaviour {
  /** A record with this value makes `handle` wait, heartbeating, until the heartbeat fails (a rebalance). */
  blockOn?: string;
  /** The first checkpoint of the factory takes this long, heartbeating every 500 ms. */
  slowFirstCheckpointMs?: number;
  /** The first open waits this long, as on a state store that is down, without heartbeating itself. */
  slowFirstOpenMs?: number;
}

/** Keeps every value it sees per partition; checkpoints "next offset" with the count so far as metadata. */
class RecordingFactory implements PartitionHandlerFactory {
  readonly seen: Array<{ partition: number; value: string }> = [];
  readonly opened: Array<{ partition: number; committed: Checkpoint | undefined }> = [];
  blocked = false;
  private slowDone = false;

  constructor(private readonly behaviour: Behaviour = {}) {}

  values(partition?: number): string[] {
    return this.seen.filter((s) => partition === undefined || s.partition === partition).map((s) => s.value);
  }

  async open(
    _topic: string,
    partition: number,
    committed: Checkpoint | undefined,
  ): Promise<PartitionHandler> {
    this.opened.push({ partition, committed });
    if (this.behaviour.slowFirstOpenMs !== undefined && this.opened.length === 1)
      await sleep(this.behaviour.slowFirstOpenMs);
    let next: string | undefined;
    let count = committed?.metadata ? Number(committed.metadata) : 0;
    return {
      handle: async (records: readonly KafkaMessage[], ctx: BatchContext) => {
        for (const r of records) {
          const value = r.value?.toString() ?? '';
          this.seen.push({ partition, value });
          count++;
          next = String(Number(r.offset) + 1);
          if (value === this.behaviour.blockOn) await this.block(ctx);
        }
      },
      checkpoint: async (ctx: BatchContext) => {
        if (this.behaviour.slowFirstCheckpointMs !== undefined && !this.slowDone && next !== undefined) {
          this.slowDone = true;
          const until = Date.now() + this.behaviour.slowFirstCheckpointMs;
          while (Date.now() < until) {
            await ctx.heartbeat().catch(() => undefined);
            await sleep(500);
          }
        }
        return next === undefined ? undefined : { offset: next, metadata: String(count) };
      },
      close: async () => undefined,
    };
  }

  private async block(ctx: BatchContext): Promise<void> {
    this.blocked = true;
    while (!ctx.signal.aborted) {
      try {
        await ctx.heartbeat();
      } catch {
        return;
      }
      await sleep(200);
    }
  }
}

describe('ConsumerRunner commits', () => {
  let kafka: Kafka;
  let admin: Admin;
  const runners: ConsumerRunner[] = [];
  const topics: string[] = [];

  beforeAll(async () => {
    kafka = createKafka(testKafkaConfig('runner-commits'));
    admin = kafka.admin();
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  async function topicWith(partitions: number): Promise<string> {
    const topic = uniqueName('t_commits');
    topics.push(topic);
    await ensureTopics(admin, [{ topic, numPartitions: partitions }]);
    return topic;
  }

  async function produce(topic: string, partition: number, values: string[]): Promise<void> {
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, acks: ACKS_ALL, messages: values.map((value) => ({ partition, value })) });
    await producer.disconnect();
  }

  async function committed(groupId: string, topic: string): Promise<Record<number, Checkpoint | undefined>> {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const out: Record<number, Checkpoint | undefined> = {};
    for (const p of entry?.partitions ?? [])
      out[p.partition] = p.offset === '-1' ? undefined : { offset: p.offset, metadata: p.metadata ?? null };
    return out;
  }

  function runner(
    topic: string,
    groupId: string,
    factory: PartitionHandlerFactory,
    options: { commitIntervalMs: number; sessionTimeoutMs?: number; commits?: CommitReason[] },
  ): ConsumerRunner {
    const r = new ConsumerRunner({
      kafka,
      groupId,
      topic,
      factory,
      commitIntervalMs: options.commitIntervalMs,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      partitionsConsumedConcurrently: 2,
      onCommit: ({ reason }) => options.commits?.push(reason),
    });
    runners.push(r);
    return r;
  }

  it('commits an idle partition on the timer: progress handled in the first batch is committed without another batch', async () => {
    const topic = await topicWith(1);
    const groupId = uniqueName('g_timer');
    await produce(topic, 0, ['a', 'b', 'c']);
    const factory = new RecordingFactory();
    const commits: CommitReason[] = [];
    // The first batch comes well within the interval of the handler opening, so no batch commit happens.
    await runner(topic, groupId, factory, { commitIntervalMs: 2_000, commits }).start();
    await eventually(() => expect(factory.values()).toEqual(['a', 'b', 'c']));
    await eventually(
      async () => expect(await committed(groupId, topic)).toEqual({ 0: { offset: '3', metadata: '3' } }),
      {
        timeoutMs: 15_000,
      },
    );
    expect(commits).toEqual(['interval']);
    expect(factory.values()).toEqual(['a', 'b', 'c']);
  });

  it('commits on revoke: when a second member joins, the partition it takes arrives with the first member’s progress', async () => {
    const topic = await topicWith(2);
    const groupId = uniqueName('g_revoke');
    await produce(topic, 0, ['a0', 'b0', 'block']);
    await produce(topic, 1, ['a1', 'b1']);
    // The first member is busy (waiting on its "sink", heartbeating) when the second joins, as during an outage.
    const first = new RecordingFactory({ blockOn: 'block' });
    const firstCommits: CommitReason[] = [];
    // No interval commit within the test: whatever is committed is committed on revoke.
    await runner(topic, groupId, first, { commitIntervalMs: 600_000, commits: firstCommits }).start();
    await eventually(() => {
      expect(first.values(0)).toEqual(['a0', 'b0', 'block']);
      expect(first.values(1)).toEqual(['a1', 'b1']);
      expect(first.blocked).toBe(true);
    });
    expect(await committed(groupId, topic)).toEqual({ 0: undefined, 1: undefined });

    const second = new RecordingFactory();
    const secondRunner = runner(topic, groupId, second, { commitIntervalMs: 600_000 });
    await secondRunner.start();
    await eventually(
      async () =>
        expect(await committed(groupId, topic)).toEqual({
          0: { offset: '3', metadata: '3' },
          1: { offset: '2', metadata: '2' },
        }),
      { timeoutMs: 30_000 },
    );
    expect(firstCommits).toEqual(['revoke', 'revoke']);

    // New records on both partitions: each is handled once, and the moved partition is not replayed.
    await produce(topic, 0, ['c0']);
    await produce(topic, 1, ['c1']);
    await eventually(
      () =>
        expect([...first.values(), ...second.values()].sort()).toEqual([
          'a0',
          'a1',
          'b0',
          'b1',
          'block',
          'c0',
          'c1',
        ]),
      { timeoutMs: 30_000 },
    );
    expect(second.opened).toHaveLength(1);
    const moved = second.opened[0]!.partition;
    expect(second.opened[0]!.committed).toEqual(
      moved === 0 ? { offset: '3', metadata: '3' } : { offset: '2', metadata: '2' },
    );
    expect(second.values()).toEqual([moved === 0 ? 'c0' : 'c1']);
    expect(secondRunner.ownedPartitions()).toEqual([moved]);
  });

  it('commits every partition on close, while still a member of the group', async () => {
    const topic = await topicWith(2);
    const groupId = uniqueName('g_close');
    await produce(topic, 0, ['a0', 'b0']);
    await produce(topic, 1, ['a1']);
    const factory = new RecordingFactory();
    const commits: CommitReason[] = [];
    const r = runner(topic, groupId, factory, { commitIntervalMs: 600_000, commits });
    await r.start();
    await eventually(() => expect(factory.values().sort()).toEqual(['a0', 'a1', 'b0']));
    await r.close();
    expect(commits).toEqual(['close', 'close']);
    expect(await committed(groupId, topic)).toEqual({
      0: { offset: '2', metadata: '2' },
      1: { offset: '1', metadata: '1' },
    });
  });

  it('passes the real heartbeat to checkpoint: a checkpoint slower than the session timeout keeps the member', async () => {
    const topic = await topicWith(1);
    const groupId = uniqueName('g_heartbeat');
    await produce(topic, 0, ['a', 'b', 'c']);
    // The slow checkpoint runs inside the batch (interval 0), so kafkajs' own fetch loop cannot heartbeat.
    const factory = new RecordingFactory({ slowFirstCheckpointMs: 10_000 });
    const commits: CommitReason[] = [];
    await runner(topic, groupId, factory, { commitIntervalMs: 0, sessionTimeoutMs: 6_000, commits }).start();
    await eventually(
      async () => expect(await committed(groupId, topic)).toEqual({ 0: { offset: '3', metadata: '3' } }),
      {
        timeoutMs: 30_000,
      },
    );
    // Expelled members rejoin under a new id and reopen their partitions from the commit; this one never was.
    expect(factory.opened).toEqual([{ partition: 0, committed: undefined }]);
    expect(factory.values()).toEqual(['a', 'b', 'c']);
    expect(commits[0]).toBe('batch');
  }, 60_000);

  it('heartbeats while a partition opens: an open slower than the session timeout keeps the member', async () => {
    const topic = await topicWith(1);
    const groupId = uniqueName('g_slow_open');
    await produce(topic, 0, ['a', 'b', 'c']);
    const factory = new RecordingFactory({ slowFirstOpenMs: 10_000 });
    await runner(topic, groupId, factory, { commitIntervalMs: 0, sessionTimeoutMs: 6_000 }).start();
    await eventually(
      async () => expect(await committed(groupId, topic)).toEqual({ 0: { offset: '3', metadata: '3' } }),
      { timeoutMs: 30_000 },
    );
    // Expelled while opening, the member would rejoin under a new id and open the partition a second time.
    expect(factory.opened).toEqual([{ partition: 0, committed: undefined }]);
    expect(factory.values()).toEqual(['a', 'b', 'c']);
  }, 60_000);
});
