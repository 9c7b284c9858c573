// GET /v1/fleet (a metric merged across the devices sharing a tag) and GET /v1/top (devices ranked).
import { RESOLUTIONS, ValidationError, RESOLUTION_MS, type Resolution } from '@lambda-iot/core';
import {
  groupFleet,
  rankDevices,
  type FleetGroupBy,
  type RankBy,
  type RankedDevice,
  type SeriesPoint,
} from '@lambda-iot/views';
import type { FastifyInstance } from 'fastify';
import {
  errorResponses,
  groupByParam,
  metricParam,
  pointSchema,
  rankByParam,
  rankedDeviceSchema,
  stepParam,
  tabularOk,
  timeParam,
} from '../api-schemas';
import { negotiateFormat, sendTable, type Column } from '../response-format';
import type { ServingContext } from '../serving-context';
import { parseTimeRange } from '../time-param';
import { POINT_COLUMNS, resolveStep } from './series-route';

interface FleetQuerystring {
  metric: string;
  groupBy: FleetGroupBy;
  from?: string;
  to?: string;
  step?: Resolution;
}

interface TopQuerystring {
  metric: string;
  by: RankBy;
  limit: number;
  from?: string;
  to?: string;
}

type GroupPoint = SeriesPoint & { group: string };

const GROUP_POINT_COLUMNS: readonly Column<GroupPoint>[] = [
  { name: 'group', type: 'string', value: (p) => p.group },
  ...(POINT_COLUMNS as readonly Column<GroupPoint>[]),
];

const RANKED_COLUMNS: readonly Column<RankedDevice>[] = [
  { name: 'deviceId', type: 'string', value: (d) => d.deviceId },
  ...(['count', 'sum', 'min', 'max', 'mean', 'stddev', 'first', 'last'] as const).map(
    (k): Column<RankedDevice> => ({ name: k, type: 'float', value: (d) => d[k] }),
  ),
  { name: 'final', type: 'bool', value: (d) => d.final },
];

/**
 * The coarsest step whose windows tile [from, to) exactly (range end points aligned to it) within that
 * step's range limit: a ranking over the whole range needs no finer windows, and coarse ones are cheaper.
 */
export function rankingStep(from: number, to: number, ctx: ServingContext): Resolution {
  for (const step of [...RESOLUTIONS].reverse()) {
    const size = RESOLUTION_MS[step];
    if (from % size === 0 && to % size === 0 && to - from <= ctx.limits.maxRangeMs[step]) return step;
  }
  if (to - from > ctx.limits.maxRangeMs['1m']) {
    throw new ValidationError(
      `a range of ${to - from} ms must start and end on whole hours (or days) to be ranked; unaligned ranges are limited to ${ctx.limits.maxRangeMs['1m']} ms`,
    );
  }
  return '1m';
}

export function registerFleetRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.get<{ Querystring: FleetQuerystring }>(
    '/v1/fleet',
    {
      schema: {
        summary: 'A metric per window, merged across the devices that share a tag',
        description:
          'Groups devices by the registry tag `groupBy` (devices without it form the group "(none)"). ' +
          'Below the boundary one batch-view scan answers; above it every registered device is read from the speed view.',
        tags: ['query'],
        querystring: {
          type: 'object',
          required: ['metric'],
          additionalProperties: false,
          properties: {
            metric: metricParam,
            groupBy: groupByParam,
            from: timeParam('Range start (inclusive)', '`to` minus 24 hours'),
            to: timeParam('Range end (exclusive)', 'now'),
            step: stepParam,
          },
        },
        response: {
          200: tabularOk('One series per group (CSV/Arrow: one row per group and window)', {
            type: 'object',
            required: ['metric', 'groupBy', 'step', 'from', 'to', 'boundary', 'groups'],
            properties: {
              metric: { type: 'string' },
              groupBy: { type: 'string' },
              step: { type: 'string' },
              from: { type: 'integer' },
              to: { type: 'integer' },
              boundary: { type: 'integer' },
              groups: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['group', 'devices', 'points'],
                  properties: {
                    group: { type: 'string' },
                    devices: { type: 'integer', description: 'Devices of the group with data in the range' },
                    points: { type: 'array', items: pointSchema },
                  },
                },
              },
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
      const [answer, devices] = await Promise.all([
        ctx.fleet.read(q.metric, step, from, to),
        ctx.registry.list(),
      ]);
      const groups = groupFleet(answer.devices, devices, q.groupBy);
      const total = groups.reduce((n, g) => n + g.points.length, 0);
      if (total > ctx.limits.maxFleetPoints) {
        throw new ValidationError(
          `the answer has ${total} points, more than the fleet limit of ${ctx.limits.maxFleetPoints}; use a coarser step, a shorter range or a coarser groupBy`,
        );
      }
      const body = {
        metric: q.metric,
        groupBy: q.groupBy,
        step,
        from: answer.from,
        to: answer.to,
        boundary: answer.boundary,
        groups,
      };
      const rows =
        format === 'json' ? [] : groups.flatMap((g) => g.points.map((p) => ({ ...p, group: g.group })));
      return sendTable(reply, format, body, rows, GROUP_POINT_COLUMNS);
    },
  );

  app.get<{ Querystring: TopQuerystring }>(
    '/v1/top',
    {
      schema: {
        summary: 'The devices with the highest max, mean or count of a metric over a range',
        tags: ['query'],
        querystring: {
          type: 'object',
          required: ['metric'],
          additionalProperties: false,
          properties: {
            metric: metricParam,
            by: rankByParam,
            limit: { type: 'integer', minimum: 1, maximum: ctx.limits.maxTop, default: 10 },
            from: timeParam('Range start (inclusive)', '`to` minus 24 hours'),
            to: timeParam('Range end (exclusive)', 'now'),
          },
        },
        response: {
          200: tabularOk('Devices ranked, highest first; ties by deviceId', {
            type: 'object',
            required: ['metric', 'by', 'from', 'to', 'boundary', 'devices'],
            properties: {
              metric: { type: 'string' },
              by: { type: 'string' },
              from: { type: 'integer' },
              to: { type: 'integer' },
              boundary: { type: 'integer' },
              devices: { type: 'array', items: rankedDeviceSchema },
            },
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const format = negotiateFormat(request.headers.accept, ['json', 'csv', 'arrow']);
      const q = request.query;
      const range = parseTimeRange(q, ctx.clock.now(), ctx.limits.defaultRangeMs);
      const step = rankingStep(range.from, range.to, ctx);
      const answer = await ctx.fleet.read(q.metric, step, range.from, range.to);
      const ranked = rankDevices(answer.devices, q.by, q.limit);
      const body = {
        metric: q.metric,
        by: q.by,
        from: answer.from,
        to: answer.to,
        boundary: answer.boundary,
        devices: ranked,
      };
      return sendTable(reply, format, body, ranked, RANKED_COLUMNS);
    },
  );
}
