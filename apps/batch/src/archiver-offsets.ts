// The archiver group's committed offsets, which bound what compaction may merge (the archiver never replays below them).
import type { Admin, Kafka } from 'kafkajs';

export class ArchiverOffsets {
  private admin: Admin | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topic: string,
  ) {}

  get ready(): Promise<void> {
    return Promise.resolve();
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }

  /** Partition → next offset to read; partitions never committed are absent (nothing of them is compacted). */
  async committed(): Promise<ReadonlyMap<number, number>> {
    if (!this.admin) return new Map();
    const offsets = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    return new Map(
      (offsets[0]?.partitions ?? [])
        .filter((p) => p.offset !== '-1')
        .map((p) => [p.partition, Number(p.offset)]),
    );
  }
}
