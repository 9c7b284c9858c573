// Typed reads of environment variables that collect every problem, so one start reports them all.
import { ConfigError } from '../errors';
import { deepFreeze } from './deep-freeze';
import { parseDuration } from './parse-duration';

/** The environment as data: apps pass process.env, tests pass a literal. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

export interface NumberRange {
  min?: number;
  max?: number;
}

const INT_PATTERN = /^[+-]?\d+$/;
const DECIMAL_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no']);

/**
 * Reads variables named `<prefix><name>`. Every method returns a usable value even when the variable is
 * wrong (the default, or a placeholder) and records the problem instead of throwing; `done` then throws one
 * ConfigError listing them all. A variable set to the empty string counts as unset, the way
 * `FOO=` in a compose file or systemd unit is meant.
 */
export class EnvReader {
  private problemList: string[] = [];

  constructor(
    private readonly source: EnvSource,
    readonly prefix = '',
  ) {}

  /** A reader for `<prefix><childPrefix><name>` that reports into this reader's problem list. */
  child(childPrefix: string): EnvReader {
    const reader = new EnvReader(this.source, this.prefix + childPrefix);
    reader.problemList = this.problemList;
    return reader;
  }

  /** The full variable name, for messages that refer to a variable. */
  key(name: string): string {
    return this.prefix + name;
  }

  /** True when the variable is set to a non-empty value. */
  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  /** Records a problem the typed reads cannot see, such as a rule across several variables. */
  addProblem(message: string): void {
    this.problemList.push(message);
  }

  get problems(): readonly string[] {
    return [...this.problemList];
  }

  /** A required string, unless a default is given. The value is returned untrimmed (secrets may need it). */
  string(name: string, defaultValue?: string): string {
    const raw = this.raw(name);
    if (raw !== undefined) return raw;
    if (defaultValue !== undefined) return defaultValue;
    this.missing(name);
    return '';
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, defaultValue?: number, range: NumberRange = {}): number {
    const raw = this.trimmed(name);
    if (raw === undefined) return this.fallback(name, defaultValue);
    const n = INT_PATTERN.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n)) {
      this.invalid(name, raw, 'an integer');
      return defaultValue ?? 0;
    }
    return this.inRange(name, n, range, defaultValue);
  }

  number(name: string, defaultValue?: number, range: NumberRange = {}): number {
    const raw = this.trimmed(name);
    if (raw === undefined) return this.fallback(name, defaultValue);
    const n = DECIMAL_PATTERN.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(n)) {
      this.invalid(name, raw, 'a finite decimal number');
      return defaultValue ?? 0;
    }
    return this.inRange(name, n, range, defaultValue);
  }

  /** Accepts true/false, 1/0, yes/no, in any case. */
  bool(name: string, defaultValue?: boolean): boolean {
    const raw = this.trimmed(name);
    if (raw === undefined) return this.fallback(name, defaultValue, false);
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    this.invalid(name, raw, 'one of true/false, 1/0, yes/no');
    return defaultValue ?? false;
  }

  /** Comma-separated, each item trimmed, empty items dropped. Required unless a default is given. */
  list(name: string, defaultValue?: readonly string[] | string): string[] {
    const raw = this.raw(name);
    if (raw !== undefined) return splitList(raw);
    if (defaultValue === undefined) {
      this.missing(name);
      return [];
    }
    return typeof defaultValue === 'string' ? splitList(defaultValue) : [...defaultValue];
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], defaultValue?: NoInfer<T>): T {
    const raw = this.trimmed(name);
    if (raw === undefined) return this.fallback(name, defaultValue, allowed[0] as T);
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.invalid(name, raw, `one of ${allowed.join(', ')}`);
    return defaultValue ?? (allowed[0] as T);
  }

  /**
   * Milliseconds, from a bare integer (already ms) or a number with a unit: '500ms', '10s', '1.5m', '1h',
   * '1d'. A string default is parsed the same way.
   */
  duration(name: string, defaultValue?: number | string, range: NumberRange = {}): number {
    const fallbackMs = typeof defaultValue === 'string' ? parseDuration(defaultValue) : defaultValue;
    if (typeof defaultValue === 'string' && fallbackMs === undefined) {
      this.addProblem(`${this.key(name)}: default ${JSON.stringify(defaultValue)} is not a duration`);
    }
    const raw = this.trimmed(name);
    if (raw === undefined) return this.fallback(name, fallbackMs);
    const ms = parseDuration(raw);
    if (ms === undefined) {
      this.invalid(name, raw, "a duration such as 250, '500ms', '10s', '5m', '1h' or '1d'");
      return fallbackMs ?? 0;
    }
    return this.inRange(name, ms, range, fallbackMs);
  }

  /** Throws a ConfigError listing every problem recorded so far, else returns `value` deep-frozen. */
  done<T>(value: T): Readonly<T> {
    if (this.problemList.length > 0) throw new ConfigError(this.problemList);
    return deepFreeze(value);
  }

  private raw(name: string): string | undefined {
    const v: unknown = this.source[this.prefix + name];
    // typeof, not `!== undefined`: a name like 'constructor' must not find Object.prototype's members.
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  private trimmed(name: string): string | undefined {
    const v = this.raw(name)?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  private fallback<T>(name: string, defaultValue: T | undefined, placeholder?: T): T {
    if (defaultValue !== undefined) return defaultValue;
    this.missing(name);
    return (placeholder ?? 0) as T;
  }

  private inRange(name: string, n: number, range: NumberRange, defaultValue: number | undefined): number {
    if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
      const bounds =
        range.max === undefined
          ? `at least ${range.min}`
          : range.min === undefined
            ? `at most ${range.max}`
            : `between ${range.min} and ${range.max}`;
      this.addProblem(`${this.key(name)}: must be ${bounds}, got ${n}`);
      return defaultValue ?? n;
    }
    return n;
  }

  private missing(name: string): void {
    this.addProblem(`${this.key(name)}: required but not set`);
  }

  private invalid(name: string, raw: string, expected: string): void {
    const shown = raw.length > 60 ? `${raw.slice(0, 59)}…` : raw;
    this.addProblem(`${this.key(name)}: expected ${expected}, got ${JSON.stringify(shown)}`);
  }
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
