import { AlertTracker, type Verdict } from './alert-tracker';

const HIT: Verdict = { kind: 'detected', score: 9, value: 42, baselineVersion: 'v7' };
const CLEAN: Verdict = { kind: 'clean' };
const NEUTRAL: Verdict = { kind: 'neutral' };
const M = 60_000;

describe('alert state machine per (device, metric, kind)', () => {
  it('opens on the first detection with an id derived from the window it opened at', () => {
    const t = new AlertTracker(3);
    expect(t.observe('d1', 'temp', 'spike', 10 * M, HIT)).toEqual({
      id: `d1|temp|spike|${10 * M}`,
      deviceId: 'd1',
      metric: 'temp',
      kind: 'spike',
      state: 'open',
      openedAt: 10 * M,
      windowStart: 10 * M,
      score: 9,
      value: 42,
      baselineVersion: 'v7',
    });
  });

  it('stays one alert while the anomaly persists, and resolves after R consecutive clean windows', () => {
    const t = new AlertTracker(3);
    t.observe('d1', 'temp', 'spike', 0, HIT);
    expect(t.observe('d1', 'temp', 'spike', 1 * M, HIT)).toBeUndefined();
    expect(t.observe('d1', 'temp', 'spike', 2 * M, CLEAN)).toBeUndefined();
    expect(t.observe('d1', 'temp', 'spike', 3 * M, CLEAN)).toBeUndefined();
    // a relapse before R clean windows resets the count: still the same alert
    expect(t.observe('d1', 'temp', 'spike', 4 * M, HIT)).toBeUndefined();
    expect(t.observe('d1', 'temp', 'spike', 5 * M, CLEAN)).toBeUndefined();
    expect(t.observe('d1', 'temp', 'spike', 6 * M, NEUTRAL)).toBeUndefined();
    expect(t.observe('d1', 'temp', 'spike', 7 * M, CLEAN)).toBeUndefined();
    const resolved = t.observe('d1', 'temp', 'spike', 8 * M, CLEAN);
    expect(resolved).toMatchObject({
      id: 'd1|temp|spike|0',
      state: 'resolved',
      openedAt: 0,
      resolvedAt: 9 * M,
      windowStart: 8 * M,
    });
    expect(t.isOpen('d1', 'temp', 'spike')).toBe(false);
    // the next detection is a new alert
    expect(t.observe('d1', 'temp', 'spike', 20 * M, HIT)?.id).toBe(`d1|temp|spike|${20 * M}`);
  });

  it('keeps kinds, metrics and devices apart', () => {
    const t = new AlertTracker(1);
    t.observe('d1', 'temp', 'spike', 0, HIT);
    expect(t.observe('d1', 'temp', 'stuck', 0, HIT)?.state).toBe('open');
    expect(t.observe('d1', 'hum', 'spike', 0, HIT)?.state).toBe('open');
    expect(t.observe('d2', 'temp', 'spike', 0, HIT)?.state).toBe('open');
    expect(t.observe('d1', 'temp', 'stuck', M, CLEAN)?.state).toBe('resolved');
    expect(t.isOpen('d1', 'temp', 'spike')).toBe(true);
  });

  it('clean windows with nothing open produce nothing', () => {
    const t = new AlertTracker(1);
    expect(t.observe('d1', 'temp', 'spike', 0, CLEAN)).toBeUndefined();
    expect(t.openAlerts()).toEqual([]);
  });

  it('after a restart, restored open alerts keep their id instead of opening a duplicate', () => {
    const before = new AlertTracker(2);
    const opened = before.observe('d1', 'temp', 'drift', 5 * M, HIT)!;
    const after = new AlertTracker(2);
    after.restore([opened, { ...opened, id: 'x', kind: 'gap', state: 'resolved' }]);
    expect(after.observe('d1', 'temp', 'drift', 9 * M, HIT)).toBeUndefined();
    expect(after.isOpen('d1', 'temp', 'gap')).toBe(false);
    after.observe('d1', 'temp', 'drift', 10 * M, CLEAN);
    expect(after.observe('d1', 'temp', 'drift', 11 * M, CLEAN)).toMatchObject({
      id: opened.id,
      state: 'resolved',
    });
  });

  it('after a restart, replayed windows from before the alert opened neither resolve nor reopen it', () => {
    const before = new AlertTracker(3);
    const opened = before.observe('d1', 'temp', 'spike', 5 * M, HIT)!;
    const after = new AlertTracker(3);
    after.restore([opened]);
    // The committed offset lay before window 5: windows 0-4 (normal then) are scored again.
    for (let m = 0; m < 5; m++) expect(after.observe('d1', 'temp', 'spike', m * M, CLEAN)).toBeUndefined();
    expect(after.isOpen('d1', 'temp', 'spike')).toBe(true);
    expect(after.observe('d1', 'temp', 'spike', 5 * M, HIT)).toBeUndefined();
    for (const m of [6, 7]) expect(after.observe('d1', 'temp', 'spike', m * M, CLEAN)).toBeUndefined();
    expect(after.observe('d1', 'temp', 'spike', 8 * M, CLEAN)).toMatchObject({
      id: opened.id,
      state: 'resolved',
      resolvedAt: 9 * M,
    });
  });
});
