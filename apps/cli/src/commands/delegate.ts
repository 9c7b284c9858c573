// Commands that hand over to another program of the repo (the simulator, the local stack), passing argv through.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { Command, CommandIo } from '../command';

export interface DelegateSpec {
  path: readonly string[];
  summary: string;
  usage: string;
  /** The script to run, as a package of the workspace and a file inside it. */
  packageName: string;
  script: string;
  /** Words put before the user's arguments, e.g. the stack's sub-command. */
  leadingArgs?: readonly string[];
}

/** Resolves the script through the package, so it works from any working directory. */
export function delegatedScript(packageName: string, script: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), script);
}

export function delegateCommand(spec: DelegateSpec): Command {
  return {
    path: spec.path,
    summary: spec.summary,
    usage: spec.usage,
    forwardsHelp: true,
    run(args: readonly string[], _io: CommandIo): Promise<number> {
      const script = delegatedScript(spec.packageName, spec.script);
      // The child owns the terminal (progress, colours); its exit code is ours.
      const child = spawn(process.execPath, [script, ...(spec.leadingArgs ?? []), ...args], {
        stdio: 'inherit',
      });
      return new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
      });
    },
  };
}

export function simulateCommand(): Command {
  return delegateCommand({
    path: ['simulate'],
    summary: 'send a seeded, messy device fleet through Kafka, HTTP or MQTT',
    usage:
      'Usage: lambda-iot simulate [options]   (run `lambda-iot simulate --help` for the simulator options)',
    packageName: '@lambda-iot/simulator-app',
    script: 'dist/main.js',
  });
}

export function stackCommands(): Command[] {
  const verbs: Array<[string, string]> = [
    ['up', 'start Kafka, Cassandra, Redis and Mosquitto on loopback (idempotent)'],
    ['down', 'stop what the stack started'],
    ['status', 'one line per server: up/down, port, version, data size'],
    ['reset', 'stop the stack and delete its data'],
  ];
  return verbs.map(([verb, summary]) =>
    delegateCommand({
      path: ['stack', verb],
      summary,
      usage: `Usage: lambda-iot stack ${verb}${verb === 'up' ? ' [--quiet] [kafka|cassandra|redis|mosquitto …]' : ''}\n\n${summary}`,
      packageName: '@lambda-iot/infra-local',
      script: 'bin/stack.mjs',
      leadingArgs: [verb],
    }),
  );
}
