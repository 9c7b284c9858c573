// The simulator's command line: what to simulate and where to send it, parsed and checked in one go.
import { parseArgs } from 'node:util';
import { ConfigError, parseDuration } from '@lambda-iot/core';

export const TRANSPORTS = ['kafka', 'http', 'mqtt'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface CliOptions {
  devices: number;
  /** Live readings per second across the fleet. */
  rate: number;
  durationMs: number;
  seed: number;
  via: Transport;
  faults: 'default' | 'none';
  /** Send flat out with simulated event times (ending now) instead of pacing in real time. */
  fast: boolean;
  envelopeSize: number;
  concurrency: number;
  groundTruth?: string;
  registerDevices: boolean;
  /** Labelled anomalies injected per device per simulated day (spike, drift, stuck, dropout); 0 for none. */
  anomaliesPerDay: number;
  /** Where to write the injected anomalies' labels as NDJSON, before any traffic is sent. */
  labels?: string;
  /** Print this device's token and exit (for curl and mosquitto_pub examples). */
  tokenFor?: string;
  help: boolean;
}

export const USAGE = `lambda-iot-simulate [options]
  --devices N            fleet size (default 50)
  --rate R               live readings per second across the fleet (default 1000)
  --duration D           simulated span, e.g. 60s, 10m, 2h (default 60s)
  --seed S               PRNG seed; same seed, same traffic (default 42)
  --via kafka|http|mqtt  transport (default kafka)
  --faults default|none  fault profile (default default)
  --fast                 send as fast as possible; event times end now
  --envelope-size N      readings per envelope (default 100)
  --concurrency N        requests or batches in flight (default 16)
  --ground-truth PATH    write every valid reading sent, deduplicated, as NDJSON
  --anomalies N          inject N labelled anomalies per device per simulated day (spike, drift, stuck,
                         dropout; at most 9; the first starts at least 45 minutes in; default 0)
  --labels PATH          write the injected anomalies' labels as NDJSON before sending
  --register-devices     register the fleet with seed-derived tokens in the Redis device registry,
                         and as the devices' MQTT broker logins (unless MQTT_PROVISION=false)
  --token-for DEVICE     print DEVICE's token for --seed and exit
Environment: KAFKA_*, REDIS_*, GATEWAY_URL, MQTT_URL, MQTT_ADMIN_USERNAME, MQTT_ADMIN_PASSWORD,
MQTT_PROVISION, READINGS_TOPIC.`;

export function parseCli(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      devices: { type: 'string', default: '50' },
      rate: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '60s' },
      seed: { type: 'string', default: '42' },
      via: { type: 'string', default: 'kafka' },
      faults: { type: 'string', default: 'default' },
      fast: { type: 'boolean', default: false },
      'envelope-size': { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '16' },
      'ground-truth': { type: 'string' },
      anomalies: { type: 'string', default: '0' },
      labels: { type: 'string' },
      'register-devices': { type: 'boolean', default: false },
      'token-for': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const problems: string[] = [];
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min)
      problems.push(`--${name}: expected an integer >= ${min}, got ${raw}`);
    return n;
  };
  const rate = Number(values.rate);
  if (!(rate > 0) || !Number.isFinite(rate))
    problems.push(`--rate: expected a positive number, got ${values.rate}`);
  const durationMs = parseDuration(values.duration) ?? Number.NaN;
  if (!(durationMs > 0))
    problems.push(`--duration: expected a duration such as 60s or 2h, got ${values.duration}`);
  if (!(TRANSPORTS as readonly string[]).includes(values.via))
    problems.push(`--via: expected one of ${TRANSPORTS.join(', ')}, got ${values.via}`);
  if (values.faults !== 'default' && values.faults !== 'none')
    problems.push(`--faults: expected default or none, got ${values.faults}`);
  const options: CliOptions = {
    devices: int('devices', values.devices, 1),
    rate,
    durationMs,
    seed: int('seed', values.seed, 0),
    via: values.via as Transport,
    faults: values.faults as 'default' | 'none',
    fast: values.fast,
    envelopeSize: int('envelope-size', values['envelope-size'], 1),
    concurrency: int('concurrency', values.concurrency, 1),
    registerDevices: values['register-devices'],
    anomaliesPerDay: Number(values.anomalies),
    help: values.help,
  };
  // Each anomaly needs a slot of 2.5 h (itself and the quiet time around it): at most 9 a day.
  if (!(options.anomaliesPerDay >= 0 && options.anomaliesPerDay <= 9))
    problems.push(
      `--anomalies: expected a number of anomalies per device per day from 0 to 9, got ${values.anomalies}`,
    );
  if (values.labels !== undefined) options.labels = values.labels;
  if (values['ground-truth'] !== undefined) options.groundTruth = values['ground-truth'];
  if (values['token-for'] !== undefined) options.tokenFor = values['token-for'];
  if (problems.length > 0) throw new ConfigError(problems);
  return options;
}
