// Readings/s into Kafka through the simulator's KafkaSender (acks=all, envelopes of 100 readings), per producer setting.
import { CompressionTypes } from 'kafkajs';
import { createProducer } from '@lambda-iot/kafka';
import { KafkaSender } from '@lambda-iot/simulator';
import { benchKafka, prepareTraffic, report, uniqueSuffix, withTopics } from './bench-support';

const READINGS = Number(process.env.BENCH_READINGS ?? 2_000_000);

interface Variant {
  name: string;
  idempotent: boolean;
  inFlight: number;
  compression: CompressionTypes;
}

const VARIANTS: Variant[] = [
  {
    name: 'idempotent, none, 1 in flight',
    idempotent: true,
    inFlight: 1,
    compression: CompressionTypes.None,
  },
  {
    name: 'idempotent, none, 4 in flight',
    idempotent: true,
    inFlight: 4,
    compression: CompressionTypes.None,
  },
  {
    name: 'non-idempotent, none, 4 in flight',
    idempotent: false,
    inFlight: 4,
    compression: CompressionTypes.None,
  },
  {
    name: 'idempotent, gzip, 4 in flight',
    idempotent: true,
    inFlight: 4,
    compression: CompressionTypes.GZIP,
  },
];

async function main(): Promise<void> {
  const prepared = prepareTraffic(READINGS, 200, 100);
  report('ingest.generate', {
    readings: prepared.readings,
    ms: Math.round(prepared.generateMs),
    readingsPerSecond: Math.round((prepared.readings * 1000) / prepared.generateMs),
  });
  const kafka = benchKafka('bench-direct');
  for (const v of VARIANTS) {
    const topic = `bench_direct_${uniqueSuffix()}`;
    await withTopics(kafka, [{ topic, numPartitions: 6 }], async () => {
      const producer = createProducer(kafka, { idempotent: v.idempotent });
      await producer.connect();
      try {
        const sender = new KafkaSender({
          producer,
          topic,
          maxInFlightBatches: v.inFlight,
          compression: v.compression,
          batchMessages: 1_000,
        });
        const t0 = performance.now();
        for (const item of prepared.envelopes) await sender.send(item);
        await sender.flush();
        const ms = performance.now() - t0;
        report('ingest.direct', {
          variant: v.name,
          readings: sender.report.readings,
          envelopes: sender.report.envelopes,
          ms: Math.round(ms),
          readingsPerSecond: Math.round((sender.report.readings * 1000) / ms),
        });
      } finally {
        await producer.disconnect();
      }
    });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
