import { EXIT, runCli, type Command, type CommandIo } from './command';
import { allCommands } from './commands';
import { renderBar } from './progress-bar';
import { parseTimeArg } from './time-arg';

function capture(): CommandIo & { outText: string[]; errText: string[] } {
  const outText: string[] = [];
  const errText: string[] = [];
  return { outText, errText, out: (t) => outText.push(t), err: (t) => errText.push(t), errIsTty: false };
}

const noConfig = (): never => {
  throw new Error('commands must not connect before their arguments are valid');
};

describe('lambda-iot command dispatch', () => {
  const commands = allCommands(noConfig);

  it('lists every command for --help and exits 0, but 2 with no command at all', async () => {
    const io = capture();
    expect(await runCli(commands, ['--help'], io)).toBe(EXIT.ok);
    expect(io.outText.join('\n')).toMatch(/recompute[\s\S]*batch status/);
    expect(await runCli(commands, [], capture())).toBe(EXIT.usage);
  });

  it('shows per-command help, selecting the longest matching command path', async () => {
    const io = capture();
    expect(await runCli(commands, ['batch', 'status', '--help'], io)).toBe(EXIT.ok);
    expect(io.outText[0]).toMatch(/^Usage: lambda-iot batch status/);
  });

  it('exits 2 on unknown commands, unknown options, and bad or missing times, before connecting anywhere', async () => {
    expect(await runCli(commands, ['frobnicate'], capture())).toBe(EXIT.usage);
    expect(await runCli(commands, ['recompute', '--from', '0', '--to', '1', '--nope'], capture())).toBe(
      EXIT.usage,
    );
    expect(await runCli(commands, ['recompute', '--to', '2026-01-01'], capture())).toBe(EXIT.usage);
    const io = capture();
    expect(await runCli(commands, ['recompute', '--from', '2026-01-02', '--to', '2026-01-01'], io)).toBe(
      EXIT.usage,
    );
    expect(io.errText.join('\n')).toContain('--to must be after --from');
  });

  it('exits 1 when a command fails at run time', async () => {
    const failing: Command = {
      path: ['x'],
      summary: '',
      usage: '',
      run: () => Promise.reject(new Error('redis down')),
    };
    const io = capture();
    expect(await runCli([failing], ['x'], io)).toBe(EXIT.failure);
    expect(io.errText[0]).toContain('redis down');
  });
});

describe('parseTimeArg', () => {
  it('accepts epoch milliseconds and ISO-8601, taking zone-less times as UTC', () => {
    expect(parseTimeArg('from', '1767225600000')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeArg('from', '2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeArg('from', '2026-01-01T10:30')).toBe(Date.UTC(2026, 0, 1, 10, 30));
    expect(parseTimeArg('from', '2026-01-01T10:30:00+02:00')).toBe(Date.UTC(2026, 0, 1, 8, 30));
  });

  it('refuses anything else', () => {
    expect(() => parseTimeArg('from', 'yesterday')).toThrow(/--from/);
    expect(() => parseTimeArg('from', undefined)).toThrow(/required/);
  });
});

describe('renderBar', () => {
  it('shows done of total and failures', () => {
    expect(renderBar(0, 4, 0, 4)).toBe('[----] 0/4 jobs');
    expect(renderBar(2, 4, 1, 4)).toBe('[##--] 2/4 jobs, 1 failed');
  });
});
