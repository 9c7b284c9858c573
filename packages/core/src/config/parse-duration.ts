// Human durations ('500ms', '10s', '5m', '1h', '1d') for configuration and command-line flags.

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds in a duration string, or undefined if it is not one. A bare number is milliseconds and must
 * be an integer; with a unit, fractions are allowed ('1.5s') and the result is rounded to whole ms.
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text.trim());
  if (m === null) return undefined;
  const amount = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  if (unit === undefined) return Number.isSafeInteger(amount) ? amount : undefined;
  const ms = Math.round(amount * (UNIT_MS[unit] as number));
  return Number.isSafeInteger(ms) ? ms : undefined;
}
