import type { AnomalyLabel } from './anomaly-injector';
import { scoreAlerts, type ScoredAlert } from './label-scoring';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 10);

const label = (kind: AnomalyLabel['kind'], deviceId: string, start: number, end: number): AnomalyLabel => ({
  deviceId,
  metric: 'temperature',
  kind,
  start: T0 + start * M,
  end: T0 + end * M,
  magnitude: 0,
});
const alert = (kind: string, deviceId: string, openedAt: number, state = 'open'): ScoredAlert => ({
  id: `${deviceId}|temperature|${kind}|${openedAt}`,
  kind,
  state,
  deviceId,
  metric: 'temperature',
  openedAt: T0 + openedAt * M,
});
const raisedAt = (a: ScoredAlert) => a.openedAt + M;

describe('scoreAlerts', () => {
  it('detects a label by the first alert of its expected kind on its series, and times it from the label start', () => {
    const labels = [label('dropout', 'd1', 10, 20), label('spike', 'd2', 10, 15)];
    const scores = scoreAlerts(labels, [alert('gap', 'd1', 12), alert('gap', 'd1', 11)], { raisedAt });
    expect(scores.byKind.dropout).toMatchObject({ labels: 1, detected: 1, alerts: 2, truePositives: 2 });
    expect(scores.byKind.dropout?.delaysMs).toEqual([2 * M]);
    expect(scores.byKind.spike).toMatchObject({ labels: 1, detected: 0, alerts: 0 });
    expect(scores.missed).toEqual([labels[1]]);
  });

  it('tells alerts on another kind of label from alerts on no label, and ignores resolutions', () => {
    const labels = [label('stuck', 'd1', 10, 20)];
    const scores = scoreAlerts(
      labels,
      [alert('drift', 'd1', 15), alert('spike', 'd2', 15), alert('stuck', 'd1', 11, 'resolved')],
      { raisedAt },
    );
    expect(scores.crossKind).toEqual({ drift: 1 });
    expect(scores.unexplained.map((a) => a.deviceId)).toEqual(['d2']);
    expect(scores.byKind.stuck).toMatchObject({ detected: 0 });
    // With a wider notion of a match, the drift alert on the stuck sensor detects it.
    expect(
      scoreAlerts(labels, [alert('drift', 'd1', 15)], { raisedAt, matches: () => true }).byKind.stuck,
    ).toMatchObject({ detected: 1 });
  });
});
