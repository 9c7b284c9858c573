// Page's one-sided CUSUM over a series' signed robust z, both ways: accumulated evidence of a sustained shift.

export interface DriftCusumOptions {
  /**
   * Allowance k subtracted from every window's z: deviations the series shows on a normal day (within-day
   * level wander the hourly baseline does not know) must drain the sum, not fill it.
   */
  slack: number;
  /** Decision interval h: a sum at or above it is a drift. */
  threshold: number;
  /**
   * A window's |z| counts at most this much: the first, partial window of a spike (or one wild window) must not
   * fill the sum on its own and take the spike's onset for a drift; a drift shows over several windows.
   */
  cap: number;
}

/**
 * S⁺ = max(0, S⁺ + z − k) and S⁻ = max(0, S⁻ − z − k), with z clipped to ±cap. A ramp starts filling the sum as
 * soon as it leaves the slack, windows before it reaches the per-window drift threshold, so it is raised sooner
 * than by counting windows past that threshold; a zero-mean wobble keeps draining it back to 0.
 */
export class DriftCusum {
  private up = 0;
  private down = 0;

  constructor(private readonly options: DriftCusumOptions) {}

  /** Evidence for an upward and a downward shift so far. */
  get upper(): number {
    return this.up;
  }

  get lower(): number {
    return this.down;
  }

  /** Adds one window's signed robust z; true when either sum has reached the threshold. */
  observe(z: number): boolean {
    const { slack, threshold, cap } = this.options;
    const clipped = Math.max(-cap, Math.min(cap, z));
    this.up = Math.max(0, this.up + clipped - slack);
    this.down = Math.max(0, this.down - clipped - slack);
    return this.up >= threshold || this.down >= threshold;
  }

  /** Forgets the evidence: what came before says nothing about the windows to come. */
  reset(): void {
    this.up = 0;
    this.down = 0;
  }
}
