import type { SeriesAnswer, SeriesPoint } from '@lambda-iot/views';
import { seriesBody, seriesJson, type SeriesBody } from './series-json';

/** The bytes a client receives, checked against the declared length. */
function text(body: SeriesBody): string {
  const bytes = Buffer.concat(body.chunks);
  expect(bytes.length).toBe(body.length);
  return bytes.toString();
}

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

function answer(final: readonly SeriesPoint[], fresh: readonly SeriesPoint[]): SeriesAnswer {
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

  it('sends the same bytes again for the same shared lists and header, and new bytes when either changes', () => {
    const final = Object.freeze([point(0, 'batch')]);
    const fresh = Object.freeze([point(120_000, 'speed')]);
    const first = seriesBody(header, answer(final, fresh));
    expect(text(first)).toBe(seriesJson(header, answer(final, fresh)));
    expect(seriesBody(header, answer(final, fresh))).toBe(first);
    const moved = { ...answer(final, fresh), boundary: 180_000 };
    expect(text(seriesBody(header, moved))).toBe(seriesJson(header, moved));
    const newer = [point(120_000, 'speed', { count: 4 })];
    expect(text(seriesBody(header, answer(final, newer)))).toBe(seriesJson(header, answer(final, newer)));
  });

  it('writes JSON.stringify’s text when a new fresh list reuses frozen points next to a cached final list', () => {
    const final = Object.freeze([point(0, 'batch'), point(60_000, 'batch')]);
    const settled = Object.freeze(point(120_000, 'speed', { sum: 7.25 }));
    const expected = (fresh: readonly SeriesPoint[]): string =>
      JSON.stringify({ ...header, from: 0, to: 240_000, boundary: 120_000, points: [...final, ...fresh] });
    for (const fresh of [
      Object.freeze([settled]),
      Object.freeze([settled, point(180_000, 'speed', { count: 1 })]),
      Object.freeze([settled, point(180_000, 'speed', { count: 2 })]),
      Object.freeze([]),
    ]) {
      expect(text(seriesBody(header, answer(final, fresh)))).toBe(expected(fresh));
    }
  });

  it('keeps writing JSON.stringify’s text while settled points pile up one by one over many changes', () => {
    const final = Object.freeze([point(0, 'batch')]);
    const settled: SeriesPoint[] = [];
    for (let m = 2; m < 60; m++) {
      settled.push(Object.freeze(point(m * 60_000, 'speed', { sum: m / 3 })));
      const fresh = Object.freeze([...settled, point((m + 1) * 60_000, 'speed', { count: m })]);
      const a = answer(final, fresh);
      expect(text(seriesBody(header, a))).toBe(seriesJson(header, a));
    }
  });
});
