import { parseMetricRules } from './metric-rules';

describe('parseMetricRules', () => {
  it('reads bounds, scale floors and the baseline switch per metric', () => {
    expect(
      parseMetricRules(
        '{"temperature":{"min":-60,"max":150,"scaleFloor":0.1},"energy":{"baseline":false},"x":{},"v":{"scaleFloor":1,"driftScaleFloor":0.1}}',
      ),
    ).toEqual({
      temperature: { min: -60, max: 150, scaleFloor: 0.1 },
      energy: { baseline: false },
      x: {},
      v: { scaleFloor: 1, driftScaleFloor: 0.1 },
    });
  });

  it.each([
    ['{', /not JSON/],
    ['[]', /object keyed by metric/],
    ['{"t":5}', /must be an object/],
    ['{"t":{"mn":1}}', /unknown field mn/],
    ['{"t":{"min":"1"}}', /min must be a finite number/],
    ['{"t":{"min":2,"max":1}}', /min is above max/],
    ['{"t":{"scaleFloor":-1}}', /scaleFloor must be ≥ 0/],
    ['{"t":{"driftScaleFloor":-0.1}}', /driftScaleFloor must be ≥ 0/],
    ['{"t":{"baseline":"no"}}', /baseline must be true or false/],
  ])('refuses %s', (text, message) => {
    expect(() => parseMetricRules(text)).toThrow(message);
  });
});
