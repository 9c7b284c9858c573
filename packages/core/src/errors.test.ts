import { ConfigError, isLambdaIotError, isRetriable, LambdaIotError, ValidationError } from './errors';

class StoreUnavailableError extends LambdaIotError {
  constructor(cause: unknown) {
    super('store unavailable', { code: 'store_unavailable', retriable: true, cause });
  }
}

describe('LambdaIotError', () => {
  it('carries a code, a retriable flag (default false) and the standard cause', () => {
    const root = new Error('ECONNREFUSED');
    const err = new LambdaIotError('write failed', { code: 'write_failed', cause: root });
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('write failed');
    expect(err.code).toBe('write_failed');
    expect(err.retriable).toBe(false);
    expect(err.cause).toBe(root);
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new LambdaIotError('x', { code: 'x' })).toBe(false);
  });

  it('names itself after the subclass, also for subclasses in other packages', () => {
    expect(new LambdaIotError('x', { code: 'x' }).name).toBe('LambdaIotError');
    expect(new StoreUnavailableError(undefined).name).toBe('StoreUnavailableError');
    expect(String(new ValidationError('bad'))).toBe('ValidationError: bad');
  });
});

describe('ValidationError', () => {
  it('has code validation unless told otherwise, and is never retriable', () => {
    expect(new ValidationError('bad')).toMatchObject({ code: 'validation', retriable: false });
    expect(new ValidationError('bad', { code: 'invalid_range' }).code).toBe('invalid_range');
    expect(new ValidationError('bad')).toBeInstanceOf(LambdaIotError);
  });
});

describe('ConfigError', () => {
  it('carries every problem and lists them all in its message', () => {
    const err = new ConfigError(['A: required but not set', 'B: expected an integer, got "x"']);
    expect(err.code).toBe('config');
    expect(err.retriable).toBe(false);
    expect(err.problems).toEqual(['A: required but not set', 'B: expected an integer, got "x"']);
    expect(err.message).toBe(
      'Invalid configuration (2 problems):\n  - A: required but not set\n  - B: expected an integer, got "x"',
    );
  });

  it('keeps its own copy of the problem list', () => {
    const problems = ['A'];
    const err = new ConfigError(problems);
    problems.push('B');
    expect(err.problems).toEqual(['A']);
    expect(err.message).toContain('(1 problem)');
  });
});

describe('isRetriable', () => {
  it('is true only for a LambdaIotError marked retriable', () => {
    expect(isRetriable(new StoreUnavailableError(undefined))).toBe(true);
    expect(isRetriable(new LambdaIotError('x', { code: 'x', retriable: false }))).toBe(false);
    expect(isRetriable(new ValidationError('x'))).toBe(false);
  });

  it('is false for anything else, even if it claims to be retriable', () => {
    expect(isRetriable(Object.assign(new Error('x'), { retriable: true }))).toBe(false);
    expect(isRetriable({ retriable: true })).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
    expect(isRetriable('retriable')).toBe(false);
  });
});

describe('isLambdaIotError', () => {
  it('recognises errors from another copy of this package by their shared brand', () => {
    const foreign = Object.assign(new Error('x'), { code: 'x', retriable: true });
    Object.defineProperty(foreign, Symbol.for('lambda-iot.error'), { value: true });
    expect(isLambdaIotError(foreign)).toBe(true);
    expect(isRetriable(foreign)).toBe(true);
    expect(isLambdaIotError(new Error('x'))).toBe(false);
  });
});
