import { parseDuration } from './parse-duration';

describe('parseDuration', () => {
  it.each([
    ['250', 250],
    ['0', 0],
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['2H', 7_200_000],
    [' 30 s ', 30_000],
  ])('reads %p as %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'ms', '-1s', '1.5', '10 seconds', '1w', '1e3', 's10', '1h30m'])('rejects %p', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
