/**
 * Fingerprints that decide whether two reports are the same text or the same event.
 *
 * Glossary:
 * - key: an exact string two copies of one article share (canonical URL, normalized title).
 * - shingle: a run of 5 characters of the normalized title + lead; near-identical texts share most.
 * - MinHash signature: the minimum hash of the shingle set under each of SIGNATURE_SIZE hash
 *   functions; the fraction of equal positions estimates the Jaccard similarity of the two sets.
 * - band: ROWS_PER_BAND consecutive signature positions hashed together (LSH); two texts that
 *   agree on any whole band become candidates, so lookups never scan the window.
 * - term: a content word folded to a short stem, used by the event clustering in cluster.ts.
 */
import { isIgnoredInUrlKey } from '../text/tracking-params.ts';

/** NFKC, case fold, ё→е, and every run of non-letters/digits collapsed to one space. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    // Thousands separators would split one number into two tokens ("2,000" → "2" "000").
    .replace(/(\d)[,.\u00a0\u202f ](?=\d{3}\b)/gu, '$1')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Feed titles and leads sometimes arrive with markup, entities and links; none of it says what
 * the story is, and tag names would otherwise become words.
 */
export function stripMarkup(text: string): string {
  return text
    // `[^<>]`, not `[^>]`: a text of many `<` and no `>` would be rescanned to its end from each one.
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, ' ')
    .replace(/\bhttps?:\/\/\S+/gi, ' ');
}

/** A 30-bit hash of a string (small enough for V8 to keep as an unboxed integer). */
export function textHash(text: string): number {
  return fnv1a(text) & 0x3fffffff;
}

/**
 * A URL reduced to what identifies the page: no scheme, no `www.`, no fragment, no tracking
 * parameters, remaining parameters sorted, no trailing slash. Undefined for unparseable input.
 */
export function urlKey(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const host = parsed.hostname.toLowerCase().replace(/^(www|m|amp)\./, '');
  const params = [...parsed.searchParams.entries()]
    // Tracking parameters and source tags carry no identity: two links differing only in these are one page.
    .filter(([name]) => !isIgnoredInUrlKey(name.toLowerCase()))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const path = parsed.pathname.replace(/\/(amp|index\.html?)?\/?$/i, '') || '';
  return `${host}${path}${params ? `?${params}` : ''}`;
}

// Outlets append their name to syndicated headlines: "… - Reuters", "… | The Guardian".
// (Matched only from the start of a whitespace run: from inside one, `\s+` rescans the rest of it.)
const TITLE_SUFFIX = /(?<!\s)\s+[-–—|:]\s+[^-–—|:]{2,40}$/u;
// A title this short ("Live updates", "Briefing") repeats across unrelated stories.
const MIN_TITLE_KEY_TERMS = 4;

/** The normalized headline without an outlet suffix, or undefined when too generic to trust. */
export function titleKey(title: string): string | undefined {
  const stripped = title.trim().replace(TITLE_SUFFIX, '');
  const normalized = normalizeText(stripped);
  if (normalized.split(' ').length < MIN_TITLE_KEY_TERMS) return undefined;
  return normalized;
}

const SHINGLE_CHARS = 5;
// 32 positions estimate Jaccard within about ±0.08 around the 0.6–0.8 that matters here, at half
// the memory and hashing of 64.
export const SIGNATURE_SIZE = 32;
export const ROWS_PER_BAND = 4;
export const BAND_COUNT = SIGNATURE_SIZE / ROWS_PER_BAND;

/** FNV-1a over UTF-16 code units, 32 bits. */
function fnv1a(text: string, from = 0, to = text.length): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A 32-bit finalizer (murmur3 fmix32) so each seed gives an independent-looking permutation. */
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = Array.from({ length: SIGNATURE_SIZE }, (_, i) => mix(0x9e3779b9 * (i + 1)));

/**
 * MinHash signature of the 5-character shingles of the normalized text. Character shingles work
 * the same for Hangul (no spaces between particles) as for Latin and Cyrillic, and survive small
 * edits such as a changed dateline.
 */
export function minhash(text: string): Uint32Array {
  return minhashNormalized(normalizeText(text));
}

/** `minhash` of text already passed through `normalizeText`. */
export function minhashNormalized(normalized: string): Uint32Array {
  const count = Math.max(1, normalized.length - SHINGLE_CHARS + 1);
  // Repeated shingles need no removal: they cannot change a minimum.
  const shingles = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    shingles[i] = fnv1a(normalized, i, Math.min(normalized.length, i + SHINGLE_CHARS));
  }
  const signature = new Uint32Array(SIGNATURE_SIZE);
  for (let k = 0; k < SIGNATURE_SIZE; k++) {
    const seed = SEEDS[k]!;
    let min = 0xffffffff;
    for (let i = 0; i < count; i++) {
      // One multiply and a shift per position: the shingle hashes are already well mixed, so
      // an odd-multiplier bijection per seed is enough of a random permutation.
      let h = Math.imul(shingles[i]! ^ seed, 0x9e3779b1);
      h = (h ^ (h >>> 16)) >>> 0;
      if (h < min) min = h;
    }
    signature[k] = min;
  }
  return signature;
}

/** The estimated Jaccard similarity of the two shingle sets. */
export function minhashSimilarity(a: Uint32Array, b: Uint32Array): number {
  let equal = 0;
  for (let k = 0; k < SIGNATURE_SIZE; k++) if (a[k] === b[k]) equal++;
  return equal / SIGNATURE_SIZE;
}

/**
 * One key per LSH band. With 8 bands of 4 rows, a pair at Jaccard 0.8 shares a band with
 * probability 0.985 (0.89 at 0.7), while pairs under 0.4 rarely do. Keys are kept to 30 bits so
 * V8 stores them as small integers, not boxed numbers.
 */
export function bandKeys(signature: Uint32Array): number[] {
  const keys: number[] = [];
  for (let band = 0; band < BAND_COUNT; band++) {
    let hash = band + 1;
    for (let row = 0; row < ROWS_PER_BAND; row++) {
      hash = mix(hash ^ signature[band * ROWS_PER_BAND + row]!);
    }
    keys.push(hash & 0x3fffffff);
  }
  return keys;
}

// Function words and newsroom boilerplate: present in every report, they say nothing about
// which event it is about.
const STOPWORDS = new Set(
  (
    'a an the and or but if of to in on at by for from with without into onto over under about after before ' +
    'as is are was were be been being has have had do does did will would shall should can could may might must ' +
    'this that these those it its it\'s he she they them his her their we our you your i me my not no yes ' +
    'than then there here when where which who whom whose what why how all any some more most other such ' +
    'also just only very so up down out off again further once said says say saying told according report ' +
    'reports reported reporting news agency official officials new latest update updates live via per amid ' +
    'while during since until against between both each few own same too s t' +
    ' и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот ' +
    'от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять ' +
    'уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без ' +
    'будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один ' +
    'почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после ' +
    'над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед ' +
    'иногда лучше чуть том нельзя такой им более всегда конечно всю между это также сообщил сообщает сообщила ' +
    'заявил заявила передает пишет году года '
  ).split(/\s+/).filter(Boolean),
);

// Korean particles and endings glued to the noun ("북한이", "미사일을", "러시아에서"); removing
// them lets two Korean reports share the noun itself.
const HANGUL_SUFFIX = /(으로부터|에서는|에게서|으로는|이라고|라고|에서|에게|까지|부터|으로|처럼|보다|하고|이며|이고|했다|한다|하는|하며|된|은|는|이|가|을|를|의|에|로|와|과|도|만|께)$/u;
const HANGUL = /\p{Script=Hangul}/u;
// A 5-letter prefix folds inflection in English and Russian ("missiles"/"missile",
// "ракеты"/"ракету") well enough for overlap counting, without a stemmer per language.
const STEM_CHARS = 5;

/**
 * Content terms of a text: normalized words without stopwords, folded to a short stem. Numbers
 * are kept whole: they are the same in every language and often tell two events apart.
 */
export function terms(text: string): string[] {
  return termsNormalized(normalizeText(text));
}

/** `terms` of text already passed through `normalizeText`. */
export function termsNormalized(normalized: string): string[] {
  if (normalized === '') return [];
  const out: string[] = [];
  for (const word of normalized.split(' ')) {
    if (STOPWORDS.has(word)) continue;
    if (/^\p{N}+$/u.test(word)) {
      out.push(word);
      continue;
    }
    if (HANGUL.test(word)) {
      const stem = word.length > 2 ? word.replace(HANGUL_SUFFIX, '') : word;
      if (stem.length >= 2) out.push(stem.slice(0, 3));
      continue;
    }
    if (word.length < 3) continue;
    out.push(word.length > STEM_CHARS ? word.slice(0, STEM_CHARS) : word.replace(/s$/, ''));
  }
  return out;
}
