import type { SeriesAnswer, SeriesPoint } from '@lambda-iot/views';
import { seriesJson } from './series-json';

const point = (t: number, source: 'batch' | 'speed', extra: Partial<SeriesPoint> = {}): SeriesPoint => ({
  t,
  count: 3,
  sum: 0.1 + 0.2,
  min: -0,
  max: 1e21,
  mean: 1 / 3,
  stddev: Number.NaN,
  first: -5.5e-7,
  last: Number.POSITIVE_INFINITY,
  source,
  final: source === 'batch',
  ...extra,
});

function answer(final: readonly SeriesPoint[], fresh: SeriesPoint[]): SeriesAnswer {
  return { boundary: 120_000, from: 0, to: 240_000, points: [...final, ...fresh], final, fresh };
}

describe('seriesJson', () => {
  const header = { deviceId: 'dev:"1"', metric: 'temp.c', step: '1m' };

  it.each([
    ['both parts', [point(0, 'batch'), point(60_000, 'batch')], [point(120_000, 'speed')]],
    ['only final points', [point(0, 'batch')], []],
    ['only fresh points', [], [point(120_000, 'speed'), point(180_000, 'speed', { sum: 12345.678 })]],
    ['no points', [], []],
  ])('writes the same text as JSON.stringify with %s', (_name, final, fresh) => {
    const a = answer(Object.freeze(final), fresh);
    expect(seriesJson(header, a)).toBe(
      JSON.stringify({
        ...header,
        from: a.from,
        to: a.to,
        boundary: a.boundary,
        points: a.points,
      }),
    );
  });

  it('reuses the text of a frozen final list it has written before', () => {
    const final = Object.freeze([point(0, 'batch')]);
    const first = seriesJson(header, answer(final, []));
    // The cached text is keyed by identity: the same frozen list gives the same text even if asked again.
    expect(seriesJson(header, answer(final, [point(120_000, 'speed')]))).toBe(
      `${first.slice(0, -2)},${JSON.stringify(point(120_000, 'speed'))}]}`,
    );
  });
});
