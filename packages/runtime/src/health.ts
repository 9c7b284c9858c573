// Health checks: each long-lived part reports whether it can do its job, and /healthz sums them up.
export type HealthState = 'up' | 'degraded' | 'down';

export interface HealthReport {
  state: HealthState;
  detail?: string;
}

export interface HealthCheck {
  readonly name: string;
  check(): HealthReport | Promise<HealthReport>;
}

export interface HealthSummary {
  status: HealthState;
  checks: Record<string, HealthReport>;
}

const RANK: Record<HealthState, number> = { up: 0, degraded: 1, down: 2 };

/** Runs every check with a timeout; a check that throws or hangs counts as down, never as a crash. */
export async function summarizeHealth(
  checks: readonly HealthCheck[],
  timeoutMs = 2_000,
): Promise<HealthSummary> {
  const entries = await Promise.all(
    checks.map(async (c): Promise<[string, HealthReport]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<HealthReport>((resolve) => {
        timer = setTimeout(
          () => resolve({ state: 'down', detail: `no answer in ${timeoutMs} ms` }),
          timeoutMs,
        );
      });
      try {
        return [c.name, await Promise.race([Promise.resolve().then(() => c.check()), timeout])];
      } catch (err) {
        return [c.name, { state: 'down', detail: err instanceof Error ? err.message : String(err) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  let status: HealthState = 'up';
  for (const [, report] of entries) if (RANK[report.state] > RANK[status]) status = report.state;
  return { status, checks: Object.fromEntries(entries) };
}
