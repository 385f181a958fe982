/**
 * A small seeded PRNG (mulberry32) so that every scenario, fault and id the simulator makes is reproducible from
 * one seed. Not for cryptography; the simulator is a sandbox component.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `length` digits, first one non-zero. */
  digits(length: number): string;
  /** Upper-case letters and digits. */
  alnum(length: number): string;
  /** A UUID-shaped string (version 4 layout) from the PRNG. */
  uuid(): string;
  /** An independent generator derived from this one and a label (so adding draws in one area leaves others alone). */
  fork(label: string): Prng;
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function createPrng(seed: number | string): Prng {
  let state = (typeof seed === 'number' ? seed : hashString(seed)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const HEX = '0123456789abcdef';
  const prng: Prng = {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    digits: (length) => {
      let out = String(int(1, 9));
      for (let i = 1; i < length; i++) out += String(int(0, 9));
      return out;
    },
    alnum: (length) => {
      let out = '';
      for (let i = 0; i < length; i++) out += ALNUM[int(0, ALNUM.length - 1)];
      return out;
    },
    uuid: () => {
      let out = '';
      for (let i = 0; i < 32; i++) out += HEX[int(0, 15)];
      return `${out.slice(0, 8)}-${out.slice(8, 12)}-4${out.slice(13, 16)}-a${out.slice(17, 20)}-${out.slice(20)}`;
    },
    fork: (label) => createPrng((state ^ hashString(label)) >>> 0),
  };
  return prng;
}
