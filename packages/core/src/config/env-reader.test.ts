import { ConfigError } from '../errors';
import { EnvReader } from './env-reader';

function problemsOf(read: (env: EnvReader) => unknown, source: Record<string, string>): readonly string[] {
  const env = new EnvReader(source);
  read(env);
  return env.problems;
}

describe('EnvReader', () => {
  describe('string', () => {
    it('returns the value untrimmed, or the default when unset', () => {
      const env = new EnvReader({ NAME: ' spaced ' });
      expect(env.string('NAME')).toBe(' spaced ');
      expect(env.string('OTHER', 'fallback')).toBe('fallback');
      expect(env.problems).toEqual([]);
    });

    it('records a missing required variable', () => {
      expect(problemsOf((env) => env.string('NAME'), {})).toEqual(['NAME: required but not set']);
    });

    it('treats an empty value as unset', () => {
      const env = new EnvReader({ NAME: '' });
      expect(env.string('NAME', 'fallback')).toBe('fallback');
      expect(env.has('NAME')).toBe(false);
      expect(env.optionalString('NAME')).toBeUndefined();
    });

    it('never finds Object.prototype members for names like constructor', () => {
      const env = new EnvReader({});
      expect(env.optionalString('constructor')).toBeUndefined();
      expect(env.string('toString', 'x')).toBe('x');
    });
  });

  describe('optionalString', () => {
    it('is the value or undefined, never a problem', () => {
      const env = new EnvReader({ A: 'a' });
      expect(env.optionalString('A')).toBe('a');
      expect(env.optionalString('B')).toBeUndefined();
      expect(env.problems).toEqual([]);
    });
  });

  describe('int', () => {
    it('parses integers, with surrounding whitespace and a sign', () => {
      const env = new EnvReader({ A: ' 42 ', B: '-7', C: '+3' });
      expect([env.int('A'), env.int('B'), env.int('C')]).toEqual([42, -7, 3]);
    });

    it('uses the default when unset and requires a value otherwise', () => {
      expect(new EnvReader({}).int('A', 5)).toBe(5);
      expect(problemsOf((env) => env.int('A'), {})).toEqual(['A: required but not set']);
    });

    it.each(['1.5', 'ten', '1e3', '0x10', '12abc', '99999999999999999999'])(
      'records %p as not an integer',
      (raw) => {
        expect(problemsOf((env) => env.int('A', 1), { A: raw })).toEqual([
          `A: expected an integer, got "${raw}"`,
        ]);
      },
    );

    it('checks the range, inclusive at both ends', () => {
      const read = (raw: string) =>
        problemsOf((env) => env.int('PORT', 1, { min: 1, max: 65_535 }), { PORT: raw });
      expect(read('1')).toEqual([]);
      expect(read('65535')).toEqual([]);
      expect(read('0')).toEqual(['PORT: must be between 1 and 65535, got 0']);
      expect(read('65536')).toEqual(['PORT: must be between 1 and 65535, got 65536']);
      expect(problemsOf((env) => env.int('N', 0, { min: 0 }), { N: '-1' })).toEqual([
        'N: must be at least 0, got -1',
      ]);
    });
  });

  describe('number', () => {
    it('parses decimals', () => {
      const env = new EnvReader({ A: '0.25', B: '-3', C: '1e3', D: '.5' });
      expect([env.number('A'), env.number('B'), env.number('C'), env.number('D')]).toEqual([
        0.25, -3, 1000, 0.5,
      ]);
    });

    it.each(['abc', 'Infinity', 'NaN', '0x10', '1,5'])('records %p as not a number', (raw) => {
      expect(problemsOf((env) => env.number('A', 1), { A: raw })).toHaveLength(1);
    });

    it('checks the range', () => {
      expect(problemsOf((env) => env.number('R', 0.5, { min: 0, max: 1 }), { R: '1.5' })).toEqual([
        'R: must be between 0 and 1, got 1.5',
      ]);
    });
  });

  describe('bool', () => {
    it.each([
      ['true', true],
      ['TRUE', true],
      ['1', true],
      ['yes', true],
      ['Yes', true],
      ['false', false],
      ['0', false],
      ['no', false],
      ['NO', false],
    ])('reads %p as %p', (raw, expected) => {
      expect(new EnvReader({ FLAG: raw }).bool('FLAG', !expected)).toBe(expected);
    });

    it('uses the default when unset and records anything else', () => {
      expect(new EnvReader({}).bool('FLAG', true)).toBe(true);
      expect(problemsOf((env) => env.bool('FLAG', false), { FLAG: 'maybe' })).toEqual([
        'FLAG: expected one of true/false, 1/0, yes/no, got "maybe"',
      ]);
      expect(problemsOf((env) => env.bool('FLAG'), {})).toEqual(['FLAG: required but not set']);
    });
  });

  describe('list', () => {
    it('splits on commas, trims items and drops empty ones', () => {
      expect(new EnvReader({ L: ' a, b ,,c , ' }).list('L')).toEqual(['a', 'b', 'c']);
    });

    it('uses a default given as an array or as a comma-separated string', () => {
      const env = new EnvReader({});
      expect(env.list('L', ['x'])).toEqual(['x']);
      expect(env.list('L', 'x, y')).toEqual(['x', 'y']);
    });

    it('returns a copy of an array default', () => {
      const fallback = ['x'];
      const result = new EnvReader({}).list('L', fallback);
      result.push('y');
      expect(fallback).toEqual(['x']);
    });

    it('records a missing required list', () => {
      expect(problemsOf((env) => env.list('L'), {})).toEqual(['L: required but not set']);
    });
  });

  describe('oneOf', () => {
    const levels = ['debug', 'info', 'warn'] as const;

    it('accepts an allowed value and otherwise lists the choices', () => {
      expect(new EnvReader({ LEVEL: 'warn' }).oneOf('LEVEL', levels, 'info')).toBe('warn');
      expect(new EnvReader({}).oneOf('LEVEL', levels, 'info')).toBe('info');
      expect(problemsOf((env) => env.oneOf('LEVEL', levels, 'info'), { LEVEL: 'loud' })).toEqual([
        'LEVEL: expected one of debug, info, warn, got "loud"',
      ]);
    });
  });

  describe('duration', () => {
    it('reads bare milliseconds and unit suffixes', () => {
      const env = new EnvReader({ A: '250', B: '500ms', C: '10s', D: '5m', E: '1h', F: '1d' });
      expect(['A', 'B', 'C', 'D', 'E', 'F'].map((n) => env.duration(n))).toEqual([
        250, 500, 10_000, 300_000, 3_600_000, 86_400_000,
      ]);
      expect(env.problems).toEqual([]);
    });

    it('takes a default in ms or as a duration string', () => {
      const env = new EnvReader({});
      expect(env.duration('T', 1500)).toBe(1500);
      expect(env.duration('T', '2s')).toBe(2000);
    });

    it('records malformed durations and out-of-range values', () => {
      expect(problemsOf((env) => env.duration('T', 1), { T: '10 minutes' })).toEqual([
        "T: expected a duration such as 250, '500ms', '10s', '5m', '1h' or '1d', got \"10 minutes\"",
      ]);
      expect(problemsOf((env) => env.duration('T', 1, { max: 60_000 }), { T: '2m' })).toEqual([
        'T: must be at most 60000, got 120000',
      ]);
    });
  });

  describe('prefix', () => {
    it('reads <prefix><name> and names the full variable in problems', () => {
      const env = new EnvReader({ SPEED_PORT: '8080' }, 'SPEED_');
      expect(env.int('PORT')).toBe(8080);
      env.string('HOST');
      expect(env.problems).toEqual(['SPEED_HOST: required but not set']);
    });

    it('child readers extend the prefix and report into the parent', () => {
      const env = new EnvReader({ APP_DB_PORT: 'x' }, 'APP_');
      const db = env.child('DB_');
      expect(db.prefix).toBe('APP_DB_');
      db.int('PORT', 1);
      expect(env.problems).toEqual(['APP_DB_PORT: expected an integer, got "x"']);
    });
  });

  describe('done', () => {
    it('throws one ConfigError listing every problem found', () => {
      const env = new EnvReader({ PORT: 'eighty', DEBUG: 'sure', MODE: 'fast' });
      const config = {
        port: env.int('PORT', 80),
        debug: env.bool('DEBUG', false),
        mode: env.oneOf('MODE', ['safe', 'slow'] as const, 'safe'),
        name: env.string('NAME'),
      };
      let thrown: unknown;
      try {
        env.done(config);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      const problems = (thrown as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'DEBUG', 'MODE', 'NAME']);
      for (const p of problems) expect((thrown as ConfigError).message).toContain(p);
    });

    it('includes problems added by hand for rules across variables', () => {
      const env = new EnvReader({});
      env.addProblem('A and B must be set together');
      expect(() => env.done({})).toThrow('A and B must be set together');
    });

    it('returns the value deep-frozen when there are no problems', () => {
      const env = new EnvReader({ HOSTS: 'a,b' });
      const config = env.done({ hosts: env.list('HOSTS'), nested: { port: env.int('PORT', 1) } });
      expect(config).toEqual({ hosts: ['a', 'b'], nested: { port: 1 } });
      expect(Object.isFrozen(config)).toBe(true);
      expect(Object.isFrozen(config.hosts)).toBe(true);
      expect(Object.isFrozen(config.nested)).toBe(true);
    });
  });
});
