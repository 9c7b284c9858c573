// The CLI's command table: each command names itself, documents itself, and runs with parsed arguments.

/** Exit codes: 0 done, 1 the work failed, 2 the invocation was wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  errIsTty: boolean;
}

export interface Command {
  /** Words that select the command, e.g. ['batch', 'status']. */
  path: readonly string[];
  summary: string;
  usage: string;
  /** The command forwards --help to the program it runs, which documents its own options. */
  forwardsHelp?: boolean;
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** A usage problem: reported with the command's usage and exit code 2. */
export class UsageError extends Error {}

/** The longest command path that prefixes `argv`, and the arguments after it. */
export function findCommand(
  commands: readonly Command[],
  argv: readonly string[],
): { command: Command; args: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((word, i) => argv[i] === word) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, args: argv.slice(best.path.length) } : undefined;
}

export function helpText(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    'Usage: lambda-iot <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    "Run 'lambda-iot <command> --help' for a command's options.",
  ].join('\n');
}

/** Dispatches argv to a command; never throws, returns the exit code. */
export async function runCli(
  commands: readonly Command[],
  argv: readonly string[],
  io: CommandIo,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText(commands));
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    io.err(`lambda-iot: unknown command '${argv.join(' ')}'\n\n${helpText(commands)}`);
    return EXIT.usage;
  }
  if (!found.command.forwardsHelp && (found.args.includes('--help') || found.args.includes('-h'))) {
    io.out(found.command.usage);
    return EXIT.ok;
  }
  try {
    return await found.command.run(found.args, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(
        `lambda-iot ${found.command.path.join(' ')}: ${(err as Error).message}\n\n${found.command.usage}`,
      );
      return EXIT.usage;
    }
    io.err(`lambda-iot ${found.command.path.join(' ')}: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.failure;
  }
}
