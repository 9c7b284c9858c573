// Every command of the `lambda-iot` CLI.
import type { Command } from './command';
import type { CliConfig } from './config';
import { recomputeCommand } from './commands/recompute';
import { batchStatusCommand } from './commands/batch-status';
import { baselinesFitCommand } from './commands/baselines-fit';
import { querySeriesCommand } from './commands/query-series';
import { simulateCommand, stackCommands } from './commands/delegate';
import { devicesCommands } from './commands/devices';

export function allCommands(loadConfig: () => Readonly<CliConfig>): Command[] {
  return [
    recomputeCommand(loadConfig),
    batchStatusCommand(loadConfig),
    baselinesFitCommand(loadConfig),
    querySeriesCommand(loadConfig),
    ...devicesCommands(loadConfig),
    simulateCommand(),
    ...stackCommands(),
  ];
}
