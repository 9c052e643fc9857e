/**
 * Language of an article, as an ISO 639-1 code or `und`. The script decides first, because it is
 * certain and cheap: Hangul is Korean, kana Japanese, Han alone Chinese; Cyrillic is Ukrainian when
 * letters only Ukrainian uses appear (і ї є ґ), Russian when only Russian ones do (ы э ъ ё), and
 * otherwise asks tinyld. Latin-script text first votes with function words (tinyld guesses Latin or
 * Finnish for short English headlines), then goes to tinyld.
 *
 * tinyld's model costs ~50 MB of memory, and most articles never need it (their feed declares a language, or the
 * script or the function words decide): it is loaded the first time a text leaves the question open.
 */
import { createRequire } from 'node:module';

type Tinyld = typeof import('tinyld');
let tinyld: Tinyld | undefined;
const model = (): Tinyld => (tinyld ??= createRequire(import.meta.url)('tinyld') as Tinyld);

const SCRIPT_COUNTS: Array<[string, RegExp]> = [
  ['hangul', /[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]/g],
  ['kana', /[\u3040-\u30ff]/g],
  ['han', /[\u4e00-\u9fff]/g],
  ['cyrillic', /[\u0400-\u04ff]/g],
  ['latin', /[a-zA-Z\u00c0-\u024f]/g],
  ['arabic', /[\u0600-\u06ff]/g],
];

export function detectLanguage(text: string): string {
  const sample = text.length > 4000 ? text.slice(0, 4000) : text;
  const counts = new Map<string, number>();
  for (const [script, pattern] of SCRIPT_COUNTS) counts.set(script, sample.match(pattern)?.length ?? 0);
  const letters = [...counts.values()].reduce((a, b) => a + b, 0);
  if (letters === 0) return 'und';
  const share = (script: string) => counts.get(script)! / letters;

  if (share('hangul') >= 0.2) return 'ko';
  if (share('kana') >= 0.1) return 'ja';
  if (share('han') >= 0.3) return 'zh';
  if (share('cyrillic') >= 0.4) return cyrillicLanguage(sample);
  if (share('arabic') >= 0.4) return fallback(sample, 'ar');
  return functionWordVote(sample) ?? fallback(sample, 'und');
}

const FUNCTION_WORDS: Array<[string, Set<string>]> = [
  ['en', new Set(['the', 'of', 'and', 'to', 'in', 'is', 'on', 'for', 'with', 'from', 'by', 'has', 'its', 'into', 'was', 'that', 'at', 'are', 'said', 'says'])],
  ['de', new Set(['der', 'die', 'das', 'und', 'ist', 'mit', 'von', 'den', 'dem', 'nicht', 'sich', 'auf', 'für', 'wird', 'eine', 'ein', 'zu', 'aus'])],
  ['fr', new Set(['le', 'la', 'les', 'des', 'et', 'est', 'du', 'une', 'un', 'pour', 'dans', 'sur', 'avec', 'au', 'aux', 'qui', 'par', 'pas'])],
  ['es', new Set(['el', 'los', 'las', 'del', 'y', 'es', 'por', 'con', 'una', 'para', 'que', 'se', 'su', 'al'])],
];

/** The language whose function words clearly dominate, or undefined when the vote is close. */
function functionWordVote(sample: string): string | undefined {
  // A capitalised word inside a sentence is a name, not a function word: "Kim Jong Un" is not French.
  const words = [...sample.matchAll(/(^|[.!?:]\s+|)([A-Za-zÀ-ÿ]+)/g)]
    .filter(([, start, word], i) => i === 0 || start !== '' || word === word!.toLowerCase())
    .map(([, , word]) => word!.toLowerCase());
  const scores = FUNCTION_WORDS.map(([language, set]) => ({ language, hits: words.filter((w) => set.has(w)).length }));
  scores.sort((a, b) => b.hits - a.hits);
  const [best, second] = scores;
  return best!.hits >= 1 && best!.hits >= 2 * second!.hits ? best!.language : undefined;
}

function cyrillicLanguage(sample: string): string {
  const ukrainian = sample.match(/[іїєґІЇЄҐ]/g)?.length ?? 0;
  const russian = sample.match(/[ыэъёЫЭЪЁ]/g)?.length ?? 0;
  if (ukrainian > 0 && ukrainian >= russian) return 'uk';
  if (russian > 0) return 'ru';
  const guess = model().detect(sample);
  return ['ru', 'uk', 'bg', 'sr', 'mk', 'be', 'kk'].includes(guess) ? guess : 'ru';
}

// Languages no news feed is written in; tinyld proposes Latin for short English headlines.
const NOT_NEWS = new Set(['la', 'eo', 'ia', 'io', 'ie', 'vo']);

function fallback(sample: string, otherwise: string): string {
  const guess = model().detectAll(sample).find((candidate) => candidate.lang.length === 2 && !NOT_NEWS.has(candidate.lang));
  return guess?.lang ?? otherwise;
}
