import { summarizeHealth } from './health';

describe('summarizeHealth', () => {
  it('is up when every check is up', async () => {
    expect((await summarizeHealth([{ name: 'a', check: () => ({ state: 'up' }) }])).status).toBe('up');
  });

  it('takes the worst state of all checks', async () => {
    const summary = await summarizeHealth([
      { name: 'a', check: () => ({ state: 'up' }) },
      { name: 'b', check: () => ({ state: 'degraded', detail: 'redis down, using cassandra' }) },
    ]);
    expect(summary.status).toBe('degraded');
  });

  it('counts a throwing check as down instead of failing', async () => {
    const summary = await summarizeHealth([
      {
        name: 'a',
        check: () => {
          throw new Error('boom');
        },
      },
    ]);
    expect(summary.checks.a).toEqual({ state: 'down', detail: 'boom' });
  });

  it('counts a hanging check as down after the timeout', async () => {
    const summary = await summarizeHealth([{ name: 'a', check: () => new Promise(() => undefined) }], 20);
    expect(summary.status).toBe('down');
  });
});
