// `lambda-iot baselines fit`: runs the batch app's `recompute-baselines` job now (anomaly detection, issue 9).
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import {
  BASELINE_QUEUE,
  RECOMPUTE_BASELINES_JOB,
  RECOMPUTE_BASELINES_OPTIONS,
  recomputeBaselinesJobId,
} from '@lambda-iot/anomaly';
import { redisOptions } from '@lambda-iot/connections';
import { EXIT, type Command, type CommandIo } from '../command';
import type { CliConfig } from '../config';

const USAGE = `Usage: lambda-iot baselines fit [--wait] [--json]

Enqueues a recompute of the anomaly baselines (median/MAD per hour of day over the batch view) on the batch
app's anomaly queue; the speed layer picks the new version up within seconds, without a restart.

Options:
  --wait       wait for the fit to finish and print the published version
  --json       print one JSON object instead of text
  -h, --help   show this help`;

const WAIT_MS = 30 * 60_000;

export function baselinesFitCommand(loadConfig: () => Readonly<CliConfig>): Command {
  return {
    path: ['baselines', 'fit'],
    summary: 'fit and publish new anomaly baselines now',
    usage: USAGE,
    async run(args: readonly string[], io: CommandIo): Promise<number> {
      const { values } = parseArgs({
        args: [...args],
        options: { wait: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
        strict: true,
      });
      const config = loadConfig();
      const connection = redisOptions(config.redis, { maxRetriesPerRequest: null });
      const name = config.anomalyQueue ?? BASELINE_QUEUE;
      const queue = new Queue(name, { connection, prefix: config.bullPrefix });
      const events = values.wait
        ? new QueueEvents(name, { connection, prefix: config.bullPrefix })
        : undefined;
      try {
        const jobId = recomputeBaselinesJobId(Date.now());
        const job = await queue.add(RECOMPUTE_BASELINES_JOB, {}, { ...RECOMPUTE_BASELINES_OPTIONS, jobId });
        if (!events) {
          io.out(values.json ? JSON.stringify({ jobId }) : `enqueued ${jobId}`);
          return EXIT.ok;
        }
        const result: unknown = await job.waitUntilFinished(events, WAIT_MS);
        io.out(values.json ? JSON.stringify({ jobId, result }) : `published ${JSON.stringify(result)}`);
        return EXIT.ok;
      } catch (err) {
        io.err(`baselines fit failed: ${err instanceof Error ? err.message : String(err)}`);
        return EXIT.failure;
      } finally {
        await events?.close();
        await queue.close();
      }
    },
  };
}
