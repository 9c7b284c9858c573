// GET /v1/alerts: anomaly alerts of one device (any state), or every device's open alerts (issue 9).
import {
  AlertReader,
  ALERT_KINDS,
  CassandraAlertStore,
  RedisAlertStore,
  type AlertEvent,
  type AlertStateFilter,
} from '@lambda-iot/anomaly';
import type { Client } from 'cassandra-driver';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { deviceIdParam, errorResponses, tabularOk, timeParam } from '../api-schemas';
import { negotiateFormat, sendTable, type Column } from '../response-format';
import type { ServingContext } from '../serving-context';
import { parseTimeRange } from '../time-param';

/** What the route reads: `AlertReader` over the Cassandra `alerts` table and the Redis open-alert set. */
export type AlertSource = Pick<AlertReader, 'query'>;

/** The production source, from the clients the serving app already has. */
export function createAlertSource(redis: Redis, cassandra: Client, keyPrefix: string): AlertSource {
  return new AlertReader({
    durable: new CassandraAlertStore({ client: cassandra }),
    hot: new RedisAlertStore({ redis, keyPrefix }),
  });
}

interface AlertsQuerystring {
  deviceId?: string;
  from?: string;
  to?: string;
  state: AlertStateFilter;
}

const ALERT_COLUMNS: readonly Column<AlertEvent>[] = [
  { name: 'id', type: 'string', value: (a) => a.id },
  { name: 'deviceId', type: 'string', value: (a) => a.deviceId },
  { name: 'metric', type: 'string', value: (a) => a.metric },
  { name: 'kind', type: 'string', value: (a) => a.kind },
  { name: 'state', type: 'string', value: (a) => a.state },
  { name: 'openedAt', type: 'timestamp', value: (a) => a.openedAt },
  {
    name: 'resolvedAt',
    type: 'string',
    value: (a) => (a.resolvedAt === undefined ? '' : String(a.resolvedAt)),
  },
  { name: 'windowStart', type: 'timestamp', value: (a) => a.windowStart },
  { name: 'score', type: 'float', value: (a) => a.score },
  { name: 'value', type: 'float', value: (a) => a.value },
  { name: 'baselineVersion', type: 'string', value: (a) => a.baselineVersion },
];

const alertSchema = {
  type: 'object',
  required: [
    'id',
    'deviceId',
    'metric',
    'kind',
    'state',
    'openedAt',
    'windowStart',
    'score',
    'value',
    'baselineVersion',
  ],
  properties: {
    id: { type: 'string', description: '`deviceId|metric|kind|openedAt`: stable across replays' },
    deviceId: { type: 'string' },
    metric: { type: 'string' },
    kind: { type: 'string', enum: [...ALERT_KINDS] },
    state: { type: 'string', enum: ['open', 'resolved'] },
    openedAt: {
      type: 'integer',
      description: 'Start of the window the alert opened at, epoch ms (event time)',
    },
    resolvedAt: { type: 'integer', description: 'End of the clean window that resolved it, epoch ms' },
    windowStart: { type: 'integer', description: 'Window of the latest state change' },
    score: {
      type: 'number',
      description: 'Robust z (spike, drift), windows (stuck), minutes (gap), value (out_of_range)',
    },
    value: { type: 'number' },
    baselineVersion: { type: 'string' },
  },
} as const;

export function registerAlertRoutes(app: FastifyInstance, ctx: ServingContext, alerts: AlertSource): void {
  app.get<{ Querystring: AlertsQuerystring }>(
    '/v1/alerts',
    {
      schema: {
        summary:
          'Anomaly alerts opened in [from, to): one device in any state, or every device’s open alerts',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            deviceId: { ...deviceIdParam, description: 'Required unless state=open' },
            from: timeParam(
              'Opened at or after',
              '0 (every open alert) with state=open, else `to` minus 24 hours',
            ),
            to: timeParam('Opened before', 'now'),
            state: { type: 'string', enum: ['open', 'resolved', 'all'], default: 'all' },
          },
        },
        response: {
          200: tabularOk('Alerts ordered by opening time', {
            type: 'object',
            required: ['from', 'to', 'state', 'alerts'],
            properties: {
              deviceId: { type: 'string' },
              from: { type: 'integer' },
              to: { type: 'integer' },
              state: { type: 'string' },
              alerts: { type: 'array', items: alertSchema },
            },
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const format = negotiateFormat(request.headers.accept, ['json', 'csv', 'arrow']);
      const q = request.query;
      // "What is open now" must not hide an alert that opened before the default window (a device silent for two
      // days): open alerts default to every opening time, as an alert manager lists everything firing.
      const { from, to } = parseTimeRange(
        q.state === 'open' && q.from === undefined ? { ...q, from: '0' } : q,
        ctx.clock.now(),
        ctx.limits.defaultRangeMs,
      );
      const found = await alerts.query({
        ...(q.deviceId === undefined ? {} : { deviceId: q.deviceId }),
        from,
        to,
        state: q.state,
      });
      const body = {
        ...(q.deviceId === undefined ? {} : { deviceId: q.deviceId }),
        from,
        to,
        state: q.state,
        alerts: found,
      };
      return sendTable(reply, format, body, found, ALERT_COLUMNS);
    },
  );
}
