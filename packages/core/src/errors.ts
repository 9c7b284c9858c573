// The error base every package throws, so callers can branch on a stable `code` and on `retriable`.

/** Options shared by every LambdaIotError; `cause` is the standard ES2022 error cause. */
export interface LambdaIotErrorOptions {
  code: string;
  retriable?: boolean;
  cause?: unknown;
}

// A registry-wide brand lets `isLambdaIotError` recognise errors thrown by a second copy of this package
// (a built dist next to a source-mapped test, or two installed versions), where `instanceof` would fail.
const BRAND = Symbol.for('lambda-iot.error');

export class LambdaIotError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, options: LambdaIotErrorOptions) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    // new.target names subclasses defined in other packages too, without each of them having to set it.
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any LambdaIotError, including one created by another copy of this package. */
export function isLambdaIotError(err: unknown): err is LambdaIotError {
  return (
    err instanceof LambdaIotError ||
    (typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true)
  );
}

/** Only errors that say so are retried: an unknown failure is assumed to repeat, so retrying it hides bugs. */
export function isRetriable(err: unknown): boolean {
  return isLambdaIotError(err) && err.retriable === true;
}

/** Bad input from outside (a request parameter, a reading): retrying the same input cannot succeed. */
export class ValidationError extends LambdaIotError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { ...options, code: options.code ?? 'validation', retriable: false });
  }
}

/** Every configuration problem at once, so an operator fixes them in one round instead of one per restart. */
export class ConfigError extends LambdaIotError {
  readonly problems: string[];

  constructor(problems: readonly string[], options: { cause?: unknown } = {}) {
    const list = problems.map((p) => `  - ${p}`).join('\n');
    const noun = problems.length === 1 ? 'problem' : 'problems';
    super(`Invalid configuration (${problems.length} ${noun}):\n${list}`, {
      ...options,
      code: 'config',
      retriable: false,
    });
    this.problems = [...problems];
  }
}
