// `lambda-iot batch status`: the boundary, the queue's job counts and the dirty hours.
import { parseArgs } from 'node:util';
import { BatchQueue, RedisBatchBoundary } from '@lambda-iot/batch-layer';
import { layerKeys } from '@lambda-iot/archive';
import { createRedis, redisOptions } from '@lambda-iot/connections';
import { EXIT, type Command, type CommandIo } from '../command';
import type { CliConfig } from '../config';

const USAGE = `Usage: lambda-iot batch status [--json]

Shows the batch boundary, sealed-through time, queued/active/failed jobs and dirty hours.

Options:
  --json       print one JSON object instead of text
  -h, --help   show this help`;

export function batchStatusCommand(loadConfig: () => Readonly<CliConfig>): Command {
  return {
    path: ['batch', 'status'],
    summary: 'show the batch boundary, job counts and dirty hours',
    usage: USAGE,
    async run(args: readonly string[], io: CommandIo): Promise<number> {
      const { values } = parseArgs({
        args: [...args],
        options: { json: { type: 'boolean', default: false } },
        strict: true,
      });
      const config = loadConfig();
      const redis = createRedis(config.redis, { maxRetriesPerRequest: 2 });
      const queue = new BatchQueue({
        connection: redisOptions(config.redis, { maxRetriesPerRequest: null }),
        name: config.queueName,
        prefix: config.bullPrefix,
      });
      try {
        const keys = layerKeys(config.redis.keyPrefix);
        const [boundary, sealed, dirty, counts] = await Promise.all([
          new RedisBatchBoundary(redis, config.redis.keyPrefix).readBoundary(),
          redis.get(keys.sealedThrough),
          redis.zrange(keys.dirtyHours, 0, -1),
          queue.queue.getJobCounts(
            'waiting',
            'active',
            'delayed',
            'failed',
            'waiting-children',
            'prioritized',
          ),
        ]);
        const iso = (ms: number): string | null => (ms > 0 ? new Date(ms).toISOString() : null);
        const status = {
          boundary: iso(boundary),
          boundaryMs: boundary,
          sealedThrough: sealed === null ? null : iso(Number(sealed)),
          jobs: {
            queued:
              (counts.waiting ?? 0) +
              (counts.delayed ?? 0) +
              (counts.prioritized ?? 0) +
              (counts['waiting-children'] ?? 0),
            active: counts.active ?? 0,
            failed: counts.failed ?? 0,
          },
          dirtyHours: dirty.map((h) => iso(Number(h))),
        };
        if (values.json) io.out(JSON.stringify(status));
        else {
          io.out(
            [
              `boundary:        ${status.boundary ?? '(none published)'}`,
              `sealed through:  ${status.sealedThrough ?? '(nothing sealed)'}`,
              `jobs:            ${status.jobs.queued} queued, ${status.jobs.active} active, ${status.jobs.failed} failed`,
              `dirty hours:     ${status.dirtyHours.length === 0 ? 'none' : status.dirtyHours.join(', ')}`,
            ].join('\n'),
          );
        }
        return EXIT.ok;
      } finally {
        await queue.close();
        redis.disconnect();
      }
    },
  };
}
