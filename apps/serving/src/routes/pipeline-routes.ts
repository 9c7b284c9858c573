// GET /v1/devices (the registry) and GET /v1/status (how fresh and how complete the answers are right now).
import type { Device } from '@lambda-iot/devices';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { errorResponses } from '../api-schemas';
import { negotiateFormat, sendTable, type Column } from '../response-format';
import type { ServingContext } from '../serving-context';

/** A registered device and when it last reported. */
type SeenDevice = Device & { lastSeen: number | null };

const DEVICE_COLUMNS: readonly Column<SeenDevice>[] = [
  { name: 'deviceId', type: 'string', value: (d) => d.deviceId },
  { name: 'site', type: 'string', value: (d) => d.tags.site ?? '' },
  { name: 'type', type: 'string', value: (d) => d.tags.type ?? '' },
  { name: 'tags', type: 'string', value: (d) => JSON.stringify(d.tags) },
  { name: 'registeredAt', type: 'timestamp', value: (d) => d.registeredAt },
  { name: 'lastSeen', type: 'timestamp', value: (d) => d.lastSeen },
];

const partitionSchema = {
  type: 'object',
  required: ['partition', 'watermark', 'lag', 'late', 'duplicates', 'openWindows', 'updatedAt'],
  properties: {
    partition: { type: 'integer' },
    watermark: { type: 'integer', description: 'Event-time watermark, epoch ms' },
    lag: { type: 'integer', description: 'Consumer lag in messages' },
    late: { type: 'integer', description: 'Readings too late for the speed layer (left to the batch layer)' },
    duplicates: { type: 'integer' },
    openWindows: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

const nullableInt = { type: ['integer', 'null'] } as const;

export function registerPipelineRoutes(app: FastifyInstance, ctx: ServingContext): void {
  app.get(
    '/v1/devices',
    {
      schema: {
        summary: 'Registered devices with their tags and when they last reported',
        tags: ['fleet'],
        response: {
          200: {
            description: 'Devices sorted by id (CSV/Arrow: one row per device, tags as JSON)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['devices'],
                  properties: {
                    devices: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['deviceId', 'tags', 'registeredAt', 'lastSeen'],
                        properties: {
                          deviceId: { type: 'string' },
                          tags: { type: 'object', additionalProperties: { type: 'string' } },
                          registeredAt: { type: 'integer' },
                          lastSeen: {
                            ...nullableInt,
                            description:
                              'Event time (epoch ms) of the latest reading the speed layer counted; null if none ' +
                              'is known (never seen, or the speed view is unreachable)',
                          },
                        },
                      },
                    },
                  },
                },
              },
              'text/csv': { schema: { type: 'string' } },
              'application/vnd.apache.arrow.stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const format = negotiateFormat(request.headers.accept, ['json', 'csv', 'arrow']);
      const registered = (await ctx.registry.list()).sort((a, b) =>
        a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0,
      );
      const seen = await lastSeenOf(
        ctx,
        registered.map((d) => d.deviceId),
        request.log,
      );
      const devices: SeenDevice[] = registered.map((d) => ({ ...d, lastSeen: seen.get(d.deviceId) ?? null }));
      return sendTable(reply, format, { devices }, devices, DEVICE_COLUMNS);
    },
  );

  app.get(
    '/v1/status',
    {
      schema: {
        summary: 'Pipeline health: batch boundary, speed watermark and lag per partition, dirty hours',
        tags: ['fleet'],
        response: {
          200: {
            description: 'JSON only',
            type: 'object',
            required: [
              'now',
              'boundary',
              'boundaryAgeMs',
              'sealedThrough',
              'dirtyHours',
              'dirtyHourCount',
              'speed',
            ],
            properties: {
              now: { type: 'integer' },
              boundary: {
                type: 'integer',
                description: 'Windows starting before it come from the batch view; 0 when none',
              },
              boundaryAgeMs: {
                ...nullableInt,
                description: 'now - boundary: how much is answered by the speed view',
              },
              sealedThrough: {
                ...nullableInt,
                description: 'Event time below which the archive sealed every hour',
              },
              dirtyHours: {
                type: 'array',
                items: { type: 'integer' },
                description: 'Hours awaiting a recompute',
              },
              dirtyHourCount: { type: 'integer' },
              speed: {
                type: 'object',
                required: ['watermark', 'lag', 'late', 'duplicates', 'partitions'],
                properties: {
                  watermark: { ...nullableInt, description: 'Lowest partition watermark' },
                  lag: { type: 'integer', description: 'Total consumer lag' },
                  late: { type: 'integer' },
                  duplicates: { type: 'integer' },
                  partitions: { type: 'array', items: partitionSchema },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      negotiateFormat(request.headers.accept, ['json']);
      const [boundary, snapshot] = await Promise.all([ctx.boundary.readBoundary(), ctx.status.read()]);
      const now = ctx.clock.now();
      const parts = snapshot.partitions;
      const sum = (k: 'lag' | 'late' | 'duplicates'): number => parts.reduce((n, p) => n + p[k], 0);
      return {
        now,
        boundary,
        boundaryAgeMs: boundary > 0 ? now - boundary : null,
        sealedThrough: snapshot.sealedThrough,
        dirtyHours: snapshot.dirtyHours,
        dirtyHourCount: snapshot.dirtyHourCount,
        speed: {
          watermark: parts.length > 0 ? Math.min(...parts.map((p) => p.watermark)) : null,
          lag: sum('lag'),
          late: sum('late'),
          duplicates: sum('duplicates'),
          partitions: parts,
        },
      };
    },
  );
}

/** Last-seen times are a convenience next to the registry: when they cannot be read, the list still answers. */
async function lastSeenOf(
  ctx: ServingContext,
  deviceIds: readonly string[],
  log: FastifyBaseLogger,
): Promise<Map<string, number>> {
  if (ctx.lastSeen === undefined) return new Map();
  try {
    return await ctx.lastSeen.lastSeen(deviceIds);
  } catch (err) {
    log.warn({ err }, 'last-seen times unavailable; answering lastSeen null');
    return new Map();
  }
}
