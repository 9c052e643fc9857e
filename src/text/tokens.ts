/**
 * Words of normalized text (see normalize.ts) and the few language rules the matcher needs
 * about what may follow a word: Korean particles attach to the noun without a space
 * (북한의, 북한은, 북한에서는), so a Korean alias also matches when only particles follow it.
 */
import { normalizeForMatch } from './normalize.ts';

export interface Token {
  /** The normalized word. */
  text: string;
  /** Offsets into the original input. */
  start: number;
  end: number;
}

/** The normalized words of `input`, each with its span in the original text. */
export function tokenize(input: string): Token[] {
  const { text, offsets } = normalizeForMatch(input);
  const tokens: Token[] = [];
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf(' ', from);
    if (to < 0) to = text.length;
    tokens.push({ text: text.slice(from, to), start: offsets[from]!, end: offsets[to - 1]! + 1 });
    from = to + 1;
  }
  return tokens;
}

// Case markers, postpositions and topic/focus particles, longest first so the greedy split below
// prefers `에서는` over `에`. Derivational suffixes (`-군` army, `-산` made in) are not here on
// purpose: they change the meaning, and a topic names such compounds as aliases of their own.
const KOREAN_PARTICLES = [
  '으로부터', '에서부터', '로부터', '에게서', '으로서', '으로써', '이라는', '이라고', '이라며',
  '에서의', '에서는', '에서도', '에서', '에게', '한테', '께서', '까지', '부터', '조차', '마저',
  '처럼', '보다', '으로', '이나', '이랑', '라는', '라고', '에는', '에도', '에의', '과의', '와의',
  '로서', '로써', '이다', '였다', '이며', '이고', '측은', '측이', '측',
  '의', '은', '는', '이', '가', '을', '를', '에', '와', '과', '도', '만', '로', '나', '랑', '께', '들', '서',
];

const HANGUL = /[\uac00-\ud7a3]/;

/** Whether `word` ends in a Hangul syllable, i.e. whether particles may follow it. */
export function takesKoreanParticles(word: string): boolean {
  return word.length > 0 && HANGUL.test(word[word.length - 1]!);
}

/** Whether `rest` is a sequence of at most three Korean particles (`에서는` = `에서` + `는`). */
export function isKoreanParticleRun(rest: string): boolean {
  return splitParticles(rest, 3);
}

function splitParticles(rest: string, budget: number): boolean {
  if (rest === '') return true;
  if (budget === 0) return false;
  for (const particle of KOREAN_PARTICLES) {
    if (rest.startsWith(particle) && splitParticles(rest.slice(particle.length), budget - 1)) return true;
  }
  return false;
}
