/** Seeded randomness and made-up words for generated feeds: a failure replays from the seed it prints. */

/** A seeded generator (mulberry32) of numbers in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'ro', 'mi', 'tan', 'vel', 'dor', 'si', 'qua', 'ben', 'lit', 'zor', 'pem', 'hu', 'gra', 'nis', 'fo'];

/**
 * A capitalized made-up word of 2–4 syllables: no dictionary, name list or topic alias knows it, so items that
 * carry their own are told apart by the clustering and match nothing by accident.
 */
export function madeUpWord(random: () => number): string {
  const n = 2 + Math.floor(random() * 3);
  let w = '';
  for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return w[0]!.toUpperCase() + w.slice(1);
}
