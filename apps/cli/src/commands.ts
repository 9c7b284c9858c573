// Every command of the `lambda-iot` CLI; new commands (simulate, query, stack) are added to this list.
import type { Command } from './command';
import type { CliConfig } from './config';
import { recomputeCommand } from './commands/recompute';
import { batchStatusCommand } from './commands/batch-status';

export function allCommands(loadConfig: () => Readonly<CliConfig>): Command[] {
  return [recomputeCommand(loadConfig), batchStatusCommand(loadConfig)];
}
