// Shared pieces of the ingest benchmarks: pre-generated traffic, throwaway topics, a gateway child process, and result lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { encodeEnvelope, MINUTE_MS } from '@lambda-iot/core';
import { createKafka, ensureTopics } from '@lambda-iot/kafka';
import { NO_FAULTS, TrafficGenerator, type EnvelopeItem } from '@lambda-iot/simulator';
import type { Kafka } from 'kafkajs';

export const ROOT = join(__dirname, '..', '..', '..');
export const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

export function benchKafka(clientId: string): Kafka {
  return createKafka({
    brokers: BROKERS.split(','),
    clientId,
    tls: { enabled: false, rejectUnauthorized: true },
  });
}

export interface Prepared {
  envelopes: EnvelopeItem[];
  encoded: Buffer[];
  readings: number;
  generateMs: number;
}

/** `readings` fault-free readings from `devices` devices in envelopes of `envelopeSize`, generated before timing starts. */
export function prepareTraffic(readings: number, devices: number, envelopeSize: number, seed = 1): Prepared {
  const t0 = performance.now();
  const rate = 10_000;
  const gen = new TrafficGenerator({
    seed,
    devices,
    startTime: Date.now() - Math.ceil((readings / rate) * 1000) - MINUTE_MS,
    durationMs: Math.ceil((readings / rate) * 1000),
    readingsPerSecond: rate,
    envelopeSize,
    faults: NO_FAULTS,
  });
  const envelopes = [...gen.items()].filter((i): i is EnvelopeItem => i.kind === 'envelope');
  const encoded = envelopes.map((e) => encodeEnvelope(e.envelope));
  return { envelopes, encoded, readings: gen.stats.readings, generateMs: performance.now() - t0 };
}

export async function withTopics<T>(
  kafka: Kafka,
  specs: Array<{ topic: string; numPartitions: number }>,
  fn: () => Promise<T>,
): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, specs);
    return await fn();
  } finally {
    await admin.deleteTopics({ topics: specs.map((s) => s.topic) }).catch(() => undefined);
    await admin.disconnect();
  }
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}_${process.pid}`;
}

/** Starts the built gateway (apps/gateway/dist/main.js) and resolves once it listens. */
export async function spawnGateway(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'apps/gateway/dist/main.js')], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = env.GATEWAY_PORT ?? '8080';
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  throw new Error('gateway did not become healthy');
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Sum of a Prometheus counter over its label sets matching `labelFilter`. */
export async function counterValue(url: string, name: string, labelFilter = ''): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labelFilter))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
}

export function report(name: string, fields: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify({ bench: name, at: new Date().toISOString(), machine: machine(), ...fields })}\n`,
  );
}
