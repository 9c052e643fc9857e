/**
 * Sentence splitting for news text in Latin, Cyrillic, Hangul and CJK scripts.
 *
 * A sentence ends at `.`, `!`, `?`, `…` (or a run of them), optionally followed by closing quotes
 * or brackets, when whitespace follows and the next word could start a sentence. CJK full stops
 * (`。！？`) end a sentence even without a following space. A blank line always ends one.
 * A period does not end a sentence after a known abbreviation (`Mr.`, `Gen.`, `г.`), after a
 * single letter (initials such as `В. В. Путин`, `U.S.`), or before a lowercase word.
 */

export interface Sentence {
  text: string;
  /** Offset of the first character of `text` in the input. */
  start: number;
  /** Offset just past the last character: `input.slice(start, end) === text`. */
  end: number;
}

// Lowercased, without the period. Titles, ranks, months and common Russian/German/French
// abbreviations that are routinely followed by a capitalised name or number.
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'gen', 'lt', 'col', 'maj', 'capt', 'cpt', 'sgt', 'adm', 'cmdr',
  'gov', 'sen', 'rep', 'pres', 'amb', 'st', 'jr', 'sr', 'rev', 'hon', 'vs', 'etc', 'inc', 'corp',
  'co', 'ltd', 'no', 'nos', 'fig', 'approx', 'dept', 'est', 'mt', 'ft', 'jan', 'feb', 'mar', 'apr',
  'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'e.g', 'i.e', 'al', 'cf',
  // Russian / Ukrainian
  'г', 'гг', 'т', 'тт', 'др', 'им', 'ул', 'ст', 'млн', 'млрд', 'тыс', 'руб', 'коп', 'см', 'напр',
  'т.е', 'т.к', 'т.д', 'т.п', 'ген', 'полк', 'св', 'проф', 'акад', 'обл', 'р', 'с', 'пос', 'ім',
  // German / French
  'bzw', 'z.b', 'u.a', 'usw', 'nr', 'dr', 'mme', 'mlle', 'm', 'env', 'cf', 'av', 'hr', 'fr',
]);

const CJK_STOPS = new Set(['。', '！', '？', '｡']);
const LATIN_STOPS = new Set(['.', '!', '?', '…']);
const CLOSERS = /["'”’»)\]）」』〕】]/u;
const SPACE = /\s/u;
const LOWER_START = /\p{Ll}/u;

export function splitSentences(text: string, _language?: string): Sentence[] {
  const sentences: Sentence[] = [];
  let segmentStart = 0;

  const push = (from: number, to: number): void => {
    let s = from;
    let e = to;
    while (s < e && SPACE.test(text[s]!)) s++;
    while (e > s && SPACE.test(text[e - 1]!)) e--;
    if (e > s) sentences.push({ text: text.slice(s, e), start: s, end: e });
  };

  // Jump from one possible boundary to the next instead of testing every character.
  const boundary = /\n[ \t\r]*\n|[。！？｡]|[.!?…]/g;
  let found: RegExpExecArray | null;
  while ((found = boundary.exec(text)) !== null) {
    const i = found.index;
    const ch = found[0][0]!;

    if (ch === '\n') {
      push(segmentStart, i);
      segmentStart = i + found[0].length;
      continue;
    }

    if (CJK_STOPS.has(ch)) {
      let end = i + 1;
      while (end < text.length && (CJK_STOPS.has(text[end]!) || CLOSERS.test(text[end]!))) end++;
      push(segmentStart, end);
      segmentStart = end;
      boundary.lastIndex = end;
      continue;
    }

    let end = i + 1;
    while (end < text.length && LATIN_STOPS.has(text[end]!)) end++;
    while (end < text.length && CLOSERS.test(text[end]!)) end++;
    boundary.lastIndex = end;
    if (end >= text.length) break;
    if (!SPACE.test(text[end]!)) continue;
    if (ch === '.' && end === i + 1 && !periodEnds(text, i)) continue;
    let next = end;
    while (next < text.length && SPACE.test(text[next]!)) next++;
    if (next < text.length && LOWER_START.test(text[next]!)) continue;
    push(segmentStart, end);
    segmentStart = end;
  }
  push(segmentStart, text.length);
  return sentences;
}

/** Whether the single period at `dot` can end a sentence, judged by the word before it. */
function periodEnds(text: string, dot: number): boolean {
  let s = dot;
  // The word before the period, allowing inner periods so `U.S` and `т.е` are one token.
  while (s > 0 && /[\p{L}\p{N}.]/u.test(text[s - 1]!)) s--;
  const word = text.slice(s, dot);
  if (word === '') return true;
  const letters = word.replace(/\./g, '');
  // A single letter is an initial (`В.`, `J.`) or part of an acronym (`U.S.`).
  if (/^\p{L}$/u.test(letters) || /^(\p{L}\.)+\p{L}$/u.test(word)) return false;
  return !ABBREVIATIONS.has(word.toLowerCase());
}
