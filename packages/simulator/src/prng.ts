// A small seeded PRNG (mulberry32): the simulator must replay the same traffic for the same seed, so it never uses Math.random.

/** Deterministic pseudo-random numbers from a 32-bit seed; not for cryptography. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = hashSeed(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor((max - min + 1) * this.next());
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard normal, by Box-Muller (one draw per call keeps the stream easy to reason about). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An independent generator for a named sub-stream, so adding draws to one stream never shifts another. */
  fork(label: string): Prng {
    return new Prng(hashSeed(this.state ^ hashString(label)));
  }
}

/** A generator for `(seed, label)`: the same pair always gives the same stream. */
export function prngFor(seed: number, label: string): Prng {
  return new Prng(hashSeed(seed) ^ hashString(label));
}

// splitmix-style finaliser so nearby seeds (1, 2, 3) give unrelated streams.
function hashSeed(seed: number): number {
  let z = (Math.floor(seed) | 0) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
