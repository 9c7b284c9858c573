import { MINUTE_MS } from '@lambda-iot/core';
import type { AnomalyLabel } from './anomaly-injector';
import { LABEL_MATCH_SLACK_MS, overlapsLabel } from './overlaps-label';

const label: AnomalyLabel = {
  deviceId: 'dev-0001',
  metric: 'temperature',
  kind: 'spike',
  start: 10 * MINUTE_MS + 30_000,
  end: 15 * MINUTE_MS,
  magnitude: 9,
};
const at = (openedAt: number, over: Partial<AnomalyLabel> = {}) =>
  overlapsLabel({ deviceId: 'dev-0001', metric: 'temperature', openedAt }, { ...label, ...over });

describe('overlapsLabel', () => {
  it('matches alerts on the same series opening from a minute before the start until the slack after the end', () => {
    expect(at(label.start - MINUTE_MS)).toBe(true);
    expect(at(label.start - MINUTE_MS - 1)).toBe(false);
    expect(at(label.end + LABEL_MATCH_SLACK_MS - 1)).toBe(true);
    expect(at(label.end + LABEL_MATCH_SLACK_MS)).toBe(false);
  });

  it('never matches another series', () => {
    expect(at(label.start, { deviceId: 'dev-0002' })).toBe(false);
    expect(at(label.start, { metric: 'humidity' })).toBe(false);
  });
});
