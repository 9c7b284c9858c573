// One simulator run: build the fleet's traffic, optionally register the fleet, send it over the chosen transport, summarise.
import { createRedis } from '@lambda-iot/connections';
import { writeFile } from 'node:fs/promises';
import { ConfigError, DAY_MS, systemClock, type Clock } from '@lambda-iot/core';
import {
  MosquittoDynsecCredentials,
  ProvisionedDeviceRegistry,
  RedisDeviceRegistry,
  type DeviceRegistration,
  type DeviceRegistry,
} from '@lambda-iot/devices';
import { createKafka, createProducer } from '@lambda-iot/kafka';
import {
  AnomalyInjector,
  GroundTruth,
  HttpSender,
  KafkaSender,
  MqttSender,
  NO_FAULTS,
  SendPacer,
  TrafficGenerator,
  deviceToken,
  fleetDevices,
  runTraffic,
  type AnomalyLabel,
  type SendReport,
  type TrafficSender,
  type TrafficStats,
} from '@lambda-iot/simulator';
import type { CliOptions } from './cli-options';
import type { SimulatorConfig } from './config';

export interface RunSummary {
  via: string;
  devices: number;
  items: number;
  stats: TrafficStats;
  delivered: SendReport;
  groundTruthReadings: number;
  /** Labels of the injected anomalies (a dropout has one per metric). */
  anomalies: number;
  elapsedMs: number;
  readingsPerSecond: number;
}

export async function registerFleet(config: Readonly<SimulatorConfig>, options: CliOptions): Promise<number> {
  const fleet = fleetDevices(options.devices, options.seed);
  await registerDevices(
    config,
    fleet.map((d) => ({ ...d, token: deviceToken(options.seed, d.deviceId) })),
  );
  return fleet.length;
}

/** Registers devices in the Redis registry and, unless MQTT_PROVISION=false, gives each its broker login. */
export async function registerDevices(
  config: Readonly<SimulatorConfig>,
  devices: ReadonlyArray<DeviceRegistration>,
): Promise<void> {
  const redis = createRedis(config.redis, { connectionName: 'simulator' });
  let credentials: MosquittoDynsecCredentials | undefined;
  try {
    let registry: DeviceRegistry = new RedisDeviceRegistry({ redis, keyPrefix: config.redis.keyPrefix });
    if (config.mqttAdmin) {
      credentials = await MosquittoDynsecCredentials.connect(config.mqttUrl, config.mqttAdmin);
      registry = new ProvisionedDeviceRegistry(registry, credentials);
    }
    await registry.registerMany(devices);
  } finally {
    await credentials?.close();
    redis.disconnect();
  }
}

export async function runSimulation(
  config: Readonly<SimulatorConfig>,
  options: CliOptions,
  progress: (line: string) => void,
  clock: Clock = systemClock,
): Promise<RunSummary> {
  const started = clock.now();
  // Fast runs end at "now" so every event time is valid for receivers; paced runs start now.
  const startTime = options.fast ? started - options.durationMs : started;
  const gen = new TrafficGenerator({
    seed: options.seed,
    devices: options.devices,
    startTime,
    durationMs: options.durationMs,
    readingsPerSecond: options.rate,
    envelopeSize: options.envelopeSize,
    ...(options.faults === 'none' ? { faults: NO_FAULTS } : {}),
  });
  const truth = options.groundTruth !== undefined ? new GroundTruth() : undefined;
  const injector = anomalyInjector(options, startTime);
  if (injector && options.labels !== undefined) await writeLabels(options.labels, injector.labels);
  const { sender, close } = await openSender(config, options);
  let items = 0;
  try {
    items = await runTraffic(injector ? injector.inject(gen.items()) : gen.items(), {
      sender,
      pacer: new SendPacer({ clock, simStart: startTime, fast: options.fast }),
      ...(truth ? { truth } : {}),
      onProgress: (n) => progress(`sent ${n} items, ${sender.report.readings} readings acknowledged`),
    });
  } finally {
    await close();
  }
  if (truth && options.groundTruth !== undefined) await truth.writeNdjson(options.groundTruth);
  const elapsedMs = Math.max(1, clock.now() - started);
  return {
    via: options.via,
    devices: options.devices,
    items,
    stats: gen.stats,
    delivered: sender.report,
    groundTruthReadings: truth?.size ?? 0,
    anomalies: injector?.labels.length ?? 0,
    elapsedMs,
    readingsPerSecond: Math.round((sender.report.readings * 1000) / elapsedMs),
  };
}

/**
 * The run's anomalies, planned over its whole span (`--anomalies` per device per day) on the metrics a baseline
 * describes (the energy counter only rises); undefined without `--anomalies`. The ground truth records what was
 * sent, anomalies included.
 */
function anomalyInjector(options: CliOptions, startTime: number): AnomalyInjector | undefined {
  const perDevice = Math.floor((options.anomaliesPerDay * options.durationMs) / DAY_MS);
  if (perDevice === 0) return undefined;
  try {
    return new AnomalyInjector({
      seed: options.seed,
      deviceIds: fleetDevices(options.devices, options.seed).map((d) => d.deviceId),
      metrics: ANOMALY_METRICS,
      from: startTime,
      to: startTime + options.durationMs,
      perDevice,
    });
  } catch (err) {
    throw new ConfigError([`--anomalies: ${err instanceof Error ? err.message : String(err)}`]);
  }
}

const ANOMALY_METRICS = ['temperature', 'humidity', 'vibration'] as const;

async function writeLabels(path: string, labels: readonly AnomalyLabel[]): Promise<void> {
  await writeFile(path, labels.map((l) => `${JSON.stringify(l)}\n`).join(''));
}

async function openSender(
  config: Readonly<SimulatorConfig>,
  options: CliOptions,
): Promise<{ sender: TrafficSender; close: () => Promise<void> }> {
  switch (options.via) {
    case 'kafka': {
      const producer = createProducer(createKafka(config.kafka));
      await producer.connect();
      const sender = new KafkaSender({
        producer,
        topic: config.readingsTopic,
        maxInFlightBatches: Math.min(options.concurrency, 4),
      });
      return { sender, close: () => sender.close().finally(() => producer.disconnect()) };
    }
    case 'http': {
      const sender = new HttpSender({
        baseUrl: config.gatewayUrl,
        tokenFor: (id) => deviceToken(options.seed, id),
        concurrency: options.concurrency,
      });
      return { sender, close: () => sender.close() };
    }
    case 'mqtt': {
      // Each device logs in as itself; its broker login comes from --register-devices with the same seed.
      const sender = new MqttSender({
        url: config.mqttUrl,
        tokenFor: (id) => deviceToken(options.seed, id),
        maxInFlight: options.concurrency,
      });
      return { sender, close: () => sender.close() };
    }
  }
}
