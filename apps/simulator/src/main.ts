#!/usr/bin/env node
// The simulator CLI: flags in, traffic out, progress on stderr, a JSON summary on stdout.
import { isLambdaIotError } from '@lambda-iot/core';
import { deviceToken } from '@lambda-iot/simulator';
import { USAGE, parseCli } from './cli-options';
import { loadConfig } from './config';
import { registerFleet, runSimulation } from './simulation-run';

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (options.tokenFor !== undefined) {
    process.stdout.write(`${deviceToken(options.seed, options.tokenFor)}\n`);
    return;
  }
  const config = loadConfig();
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  if (options.registerDevices) progress(`registered ${await registerFleet(config, options)} devices`);
  const summary = await runSimulation(config, options, progress);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${isLambdaIotError(err) ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
