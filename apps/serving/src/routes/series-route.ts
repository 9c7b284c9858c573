// GET /v1/series: one device's metric over a range, merged at the batch boundary.
import { checkStep, chooseStep, type SeriesPoint } from '@lambda-iot/views';
import type { Resolution } from '@lambda-iot/core';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import {
  deviceIdParam,
  errorResponses,
  metricParam,
  pointSchema,
  stepParam,
  tabularOk,
  timeParam,
} from '../api-schemas';
import { negotiateFormat, sendTable, type Column } from '../response-format';
import type { ServingContext } from '../serving-context';
import { seriesBody } from '../series-json';
import { parseTimeRange } from '../time-param';

interface SeriesQuerystring {
  deviceId: string;
  metric: string;
  from?: string;
  to?: string;
  step?: Resolution;
}

export const POINT_COLUMNS: readonly Column<SeriesPoint>[] = [
  { name: 't', type: 'timestamp', value: (p) => p.t },
  { name: 'count', type: 'float', value: (p) => p.count },
  { name: 'sum', type: 'float', value: (p) => p.sum },
  { name: 'min', type: 'float', value: (p) => p.min },
  { name: 'max', type: 'float', value: (p) => p.max },
  { name: 'mean', type: 'float', value: (p) => p.mean },
  { name: 'stddev', type: 'float', value: (p) => p.stddev },
  { name: 'first', type: 'float', value: (p) => p.first },
  { name: 'last', type: 'float', value: (p) => p.last },
  { name: 'source', type: 'string', value: (p) => p.source },
  { name: 'final', type: 'bool', value: (p) => p.final },
];

/** The explicit step after its limits are checked, or the finest step within them. */
export function resolveStep(
  step: Resolution | undefined,
  from: number,
  to: number,
  ctx: ServingContext,
): Resolution {
  if (step === undefined) return chooseStep(from, to, ctx.limits);
  checkStep(step, from, to, ctx.limits);
  return step;
}

export function registerSeriesRoute(app: FastifyInstance, ctx: ServingContext): void {
  app.get<{ Querystring: SeriesQuerystring }>(
    '/v1/series',
    {
      schema: {
        summary: 'One device’s metric per window, batch view below the boundary and speed view above it',
        tags: ['query'],
        querystring: {
          type: 'object',
          required: ['deviceId', 'metric'],
          additionalProperties: false,
          properties: {
            deviceId: deviceIdParam,
            metric: metricParam,
            from: timeParam('Range start (inclusive)', '`to` minus 24 hours'),
            to: timeParam('Range end (exclusive)', 'now'),
            step: stepParam,
          },
        },
        response: {
          200: tabularOk('The merged series', {
            type: 'object',
            required: ['deviceId', 'metric', 'step', 'from', 'to', 'boundary', 'points'],
            properties: {
              deviceId: { type: 'string' },
              metric: { type: 'string' },
              step: { type: 'string' },
              from: { type: 'integer', description: 'Range start aligned down to the step' },
              to: { type: 'integer', description: 'Range end aligned up to the step' },
              boundary: { type: 'integer', description: 'Batch boundary this answer was merged at' },
              points: { type: 'array', items: pointSchema },
            },
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const format = negotiateFormat(request.headers.accept, ['json', 'csv', 'arrow']);
      const q = request.query;
      const { from, to } = parseTimeRange(q, ctx.clock.now(), ctx.limits.defaultRangeMs);
      const step = resolveStep(q.step, from, to, ctx);
      const answer = await ctx.series.read({ deviceId: q.deviceId, metric: q.metric }, step, from, to);
      if (format === 'json') {
        const body = seriesBody({ deviceId: q.deviceId, metric: q.metric, step }, answer);
        reply.type('application/json; charset=utf-8');
        if (body.chunks.length === 1) return reply.send(body.chunks[0]);
        // Shared chunks go out as they are (a stream with a known length), never copied into one buffer.
        return reply.header('content-length', body.length).send(Readable.from(body.chunks));
      }
      const body = {
        deviceId: q.deviceId,
        metric: q.metric,
        step,
        from: answer.from,
        to: answer.to,
        boundary: answer.boundary,
        points: answer.points,
      };
      return sendTable(reply, format, body, answer.points, POINT_COLUMNS);
    },
  );
}
