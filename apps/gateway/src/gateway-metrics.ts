// The gateway's Prometheus series: what came in, what was refused and why, and how long Kafka took.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface GatewayMetrics {
  accepted: Counter<'source'>;
  rejected: Counter<'source' | 'reason'>;
  deadLetters: Counter<'source' | 'reason'>;
  requests: Counter<'status'>;
  kafkaSendSeconds: Histogram<'outcome'>;
  inFlightBytes: Gauge;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    accepted: new Counter({
      name: 'gateway_readings_accepted_total',
      help: 'Readings acknowledged by Kafka on the readings topic.',
      labelNames: ['source'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'gateway_rejections_total',
      help: 'Refused readings, or whole envelopes/requests when refused as a whole, by reason.',
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'gateway_dead_letters_total',
      help: 'Records written to the dead-letter topic.',
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
    requests: new Counter({
      name: 'gateway_http_requests_total',
      help: 'POST /v1/readings answers by status.',
      labelNames: ['status'],
      registers: [registry],
    }),
    kafkaSendSeconds: new Histogram({
      name: 'gateway_kafka_send_seconds',
      help: 'Time from a coalesced Kafka write being sent to its acknowledgement.',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inFlightBytes: new Gauge({
      name: 'gateway_in_flight_bytes',
      help: 'Bytes handed to the publisher and not yet acknowledged by Kafka.',
      registers: [registry],
    }),
  };
}
