// `lambda-iot recompute`: enqueue a backfill of any range, optionally waiting with a progress bar.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BatchQueue } from '@lambda-iot/batch-layer';
import { redisOptions } from '@lambda-iot/connections';
import { EXIT, UsageError, type Command, type CommandIo } from '../command';
import type { CliConfig } from '../config';
import { ProgressBar } from '../progress-bar';
import { parseTimeArg } from '../time-arg';

const USAGE = `Usage: lambda-iot recompute --from <time> --to <time> [--wait]

Recomputes the batch view of every hour in [from, to), then rolls up each day touched.
Times are epoch milliseconds or ISO-8601 (UTC unless a zone is given).

Options:
  --from <time>   start of the range (inclusive, aligned down to the hour)
  --to <time>     end of the range (exclusive)
  --wait          wait for the jobs, with a progress bar on stderr; exit 1 if any failed
  -h, --help      show this help

Environment: REDIS_* (connection, REDIS_KEY_PREFIX), BATCH_QUEUE, BATCH_BULL_PREFIX.`;

export function recomputeCommand(loadConfig: () => Readonly<CliConfig>, pollMs = 500): Command {
  return {
    path: ['recompute'],
    summary: 'backfill: recompute the batch view for a time range',
    usage: USAGE,
    async run(args: readonly string[], io: CommandIo): Promise<number> {
      const { values } = parseArgs({
        args: [...args],
        options: {
          from: { type: 'string' },
          to: { type: 'string' },
          wait: { type: 'boolean', default: false },
        },
        strict: true,
        allowPositionals: false,
      });
      const from = parseTimeArg('from', values.from);
      const to = parseTimeArg('to', values.to);
      if (to <= from) throw new UsageError('--to must be after --from');
      if (to - from > 366 * 86_400_000) throw new UsageError('the range is longer than a year; split it');
      const config = loadConfig();
      const queue = new BatchQueue({
        connection: redisOptions(config.redis, { maxRetriesPerRequest: null }),
        name: config.queueName,
        prefix: config.bullPrefix,
      });
      try {
        const tag = `cli-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
        const jobs = await queue.enqueueBackfill(from, to, tag);
        io.err(`enqueued ${jobs.length} jobs (${tag})`);
        if (!values.wait) {
          io.out(JSON.stringify({ tag, jobs: jobs.length }));
          return EXIT.ok;
        }
        const bar = new ProgressBar(io.err, io.errIsTty);
        for (;;) {
          let done = 0;
          let failed = 0;
          for (const j of jobs) {
            const job = await queue.queue.getJob(j.id);
            const state = job ? await job.getState() : 'unknown';
            if (state === 'completed') done++;
            else if (state === 'failed') failed++;
          }
          bar.update(done + failed, jobs.length, failed);
          if (done + failed === jobs.length) {
            bar.finish();
            io.out(JSON.stringify({ tag, jobs: jobs.length, completed: done, failed }));
            return failed > 0 ? EXIT.failure : EXIT.ok;
          }
          await new Promise((r) => setTimeout(r, pollMs));
        }
      } finally {
        await queue.close();
      }
    },
  };
}
