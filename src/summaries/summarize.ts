/**
 * Topic-focused extractive summaries: two or three sentences of the article itself, in its order
 * and language, chosen for what the matched topic cares about.
 *
 * Selection, in priority order:
 * 1. the key sentence — where the topic's required concepts meet (the co-occurrence sentence the
 *    topic engine reported, or else the sentence with the most distinct focus terms);
 * 2. the lead — news is an inverted pyramid, and Lead-3 beats TextRank on news benchmarks
 *    (See et al. 2017; Nallapati et al. 2017), so early sentences score highest;
 * 3. sentences dense in the focus terms (the surface strings of the matched aliases).
 * A sentence whose word trigrams largely occur in one already chosen is skipped (trigram
 * blocking, after Paulus et al. 2018), so the summary does not say the same thing twice.
 */

import { htmlToText } from '../text/clean.ts';
import { splitSentences } from '../text/sentences.ts';

export interface SummaryFocus {
  /** Surface strings of the matched aliases, as they appeared in the article. */
  terms: string[];
  /** The sentence where the topic's required concepts co-occur. */
  keySentence?: string;
}

export interface SummaryOptions {
  maxChars?: number;
  maxSentences?: number;
}

export interface SummaryArticle {
  title: string;
  lead: string;
  body: string;
  language?: string;
}

const DEFAULT_MAX_CHARS = 400;
const DEFAULT_MAX_SENTENCES = 3;
// Fragments shorter than this are captions, bylines or datelines, not sentences worth quoting.
const MIN_SENTENCE_CHARS = 25;
// Weight of the position prior for the first sentences; later ones decay towards LATE_WEIGHT.
const LEAD_WEIGHTS = [1, 0.75, 0.55];
const LATE_WEIGHT = 0.25;
const DENSITY_WEIGHT = 0.8;
// A sentence that mostly repeats the headline adds nothing under the headline in an alert.
const TITLE_OVERLAP_MAX = 0.7;
const TITLE_CHECK_SENTENCES = 4;
// Trigram blocking tolerates a shared set phrase ("minister of foreign affairs") but not a
// sentence whose wording is largely one already chosen.
const REPEAT_OVERLAP_MAX = 0.35;

/**
 * The focus of a topic match, from the topic engine's explanation: the surface strings it hit and
 * the sentence where the required concepts met. Typed by shape so this module does not depend on
 * topics/; the explanation may come back from the store as JSON, so missing parts are tolerated.
 */
export function focusFromExplanation(explanation: {
  hits?: ReadonlyArray<{ surface: string }>;
  cooccurrence?: { sentence: string };
} | null | undefined): SummaryFocus {
  const terms = [...new Set((explanation?.hits ?? []).map((hit) => hit.surface).filter((surface) => surface.trim() !== ''))];
  const keySentence = explanation?.cooccurrence?.sentence;
  return keySentence ? { terms, keySentence } : { terms };
}

/** A 2–3 sentence summary of the article that carries the focus terms. */
export function summarize(article: SummaryArticle, focus: SummaryFocus, options: SummaryOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const maxSentences = options.maxSentences ?? DEFAULT_MAX_SENTENCES;
  const sentences = candidateSentences(article);
  if (sentences.length === 0) return truncate(cleanText(article.title), maxChars);

  const terms = focusTerms(focus.terms);
  const scored = sentences.map(({ text, folded }, position) => {
    const hits = countDistinctTerms(folded, terms);
    const lead = LEAD_WEIGHTS[position] ?? LATE_WEIGHT * 0.9 ** (position - LEAD_WEIGHTS.length);
    const density = terms.length > 0 ? Math.min(1, hits / Math.min(2, terms.length)) : 0;
    let trigrams: Set<string> | undefined;
    return {
      text,
      position,
      hits,
      score: lead + DENSITY_WEIGHT * density,
      // Computed on first use: most sentences of a long body are never compared.
      get trigrams(): Set<string> {
        trigrams ??= wordTrigrams(text);
        return trigrams;
      },
    };
  });
  const titleTrigrams = wordTrigrams(cleanText(article.title));
  // Only the opening restates the headline.
  const fresh = scored.filter((s) => s.position >= TITLE_CHECK_SENTENCES || overlap(s.trigrams, titleTrigrams) <= TITLE_OVERLAP_MAX);
  const pool = fresh.length > 0 ? fresh : scored;

  const chosen: typeof scored = [];
  let used = 0;
  const fits = (text: string): boolean => used + (chosen.length > 0 ? 1 : 0) + text.length <= maxChars;
  const take = (sentence: (typeof scored)[number]): void => {
    used += (chosen.length > 0 ? 1 : 0) + sentence.text.length;
    chosen.push(sentence);
  };

  const key = findKeySentence(pool, focus.keySentence);
  if (key) {
    if (key.text.length > maxChars) return truncate(key.text, maxChars);
    take(key);
  }
  const ranked = [...pool].sort((a, b) => b.score - a.score || a.position - b.position);
  for (const sentence of ranked) {
    if (chosen.length >= maxSentences) break;
    // Past the lead, a sentence earns its place only by carrying the topic.
    if (sentence.position >= LEAD_WEIGHTS.length && sentence.hits === 0 && terms.length > 0) continue;
    if (chosen.includes(sentence) || !fits(sentence.text)) continue;
    if (chosen.some((other) => overlap(sentence.trigrams, other.trigrams) > REPEAT_OVERLAP_MAX)) continue;
    take(sentence);
  }
  if (chosen.length === 0) return truncate(ranked[0]!.text, maxChars);
  return chosen
    .sort((a, b) => a.position - b.position)
    .map((s) => s.text)
    .join(' ');
}

/** Only a story's first reports lend a summary: later ones are often follow-ups or rewrites. */
export const FIRST_REPORTS = 5;
// A body shorter than this, or one that trails off, is a teaser pointing at the real article.
const TEASER_CHARS = 300;
const TRAILS_OFF = /(\u2026|\.\.\.|\[\u2026\]|\[\.\.\.\]|read more|continue reading|далее|더보기)\s*$/iu;

/** A teaser: a body too short to summarize, or one that trails off towards the real article. */
export function isTeaser(article: { body: string }): boolean {
  return cleanText(article.body).length < TEASER_CHARS || TRAILS_OFF.test(article.body.trim());
}

/**
 * Where an alert's summary comes from: the article's own text — an alert never shows another
 * report's words under its headline — unless the article is a teaser and one of the story's first
 * reports is not; then that fuller report, the longest clean body, and the alert must say whose it is.
 */
export function summarySource<T extends { id: number; lead: string; body: string }>(own: T, reports: T[]): { article: T; borrowed: boolean } {
  if (!isTeaser(own)) return { article: own, borrowed: false };
  let best: T | undefined;
  let bestLength = -1;
  for (const report of reports.slice(0, FIRST_REPORTS)) {
    if (report.id === own.id || isTeaser(report)) continue;
    const length = cleanText(report.body).length;
    if (length > bestLength) {
      best = report;
      bestLength = length;
    }
  }
  return best ? { article: best, borrowed: true } : { article: own, borrowed: false };
}

const MARKUP = /<[a-z!/]|&(#x?[0-9a-f]+|[a-z]+);/i;

// Whole lines that are page furniture, in the languages we read.
const DEBRIS_LINE = new RegExp(
  [
    '^(advertisement|advert|sponsored( content)?|read more|related( articles?| stories| coverage)?\\s*:?|see also|more on this story|share( this)?( article)?|subscribe|sign up|follow us|click here|newsletter|copyright|©|all rights reserved)(?![\\p{L}\\p{N}])',
    '^(photo|image|video|file photo|pictured)\\s*:',
    '^(читайте также|подписывайтесь|реклама|фото|видео|источник)(?![\\p{L}\\p{N}])',
    '(무단\\s*전재|재배포\\s*금지|제보는 카카오톡|저작권자)',
  ].join('|'),
  'iu',
);
// Bylines and datelines at the start of the first sentence: "(서울=연합뉴스) 홍길동 기자 =",
// "SEOUL, March 5 (Yonhap) --", "SEOUL (Reuters) -", "МОСКВА, 5 марта. /ТАСС/.".
const DATELINES = [
  /^\([^()=\n]{1,20}=[^()\n]{1,20}\)\s*(?:[\p{L}]{2,4}\s+(?:기자|특파원)\s*=\s*)?/u,
  /^[A-Z][A-Z .,'-]{1,40}(?:,\s*[^()\n]{1,30})?\s*\((?:Reuters|AP|AFP|Yonhap|Bloomberg|UPI|dpa|Kyodo|NHK)\)\s*(?:--|[-–—])\s*/u,
  /^[А-ЯЁ][А-ЯЁ -]{1,40},\s*\d{1,2}\s+\p{L}+(?:\.|\s*-)\s*\/(?:ТАСС|ИТАР-ТАСС|РИА Новости)\/\.?\s*/u,
];

/** Text without HTML, entities, page furniture or datelines; paragraph breaks kept as blank lines. */
export function cleanText(raw: string): string {
  // Captions, asides and navigation are markup-level furniture: drop them before the HTML is
  // flattened into paragraphs, where they would look like prose.
  const text = MARKUP.test(raw)
    ? htmlToText(raw.replace(/<(figure|figcaption|aside|nav)\b[\s\S]*?<\/\1>/gi, ' ')).replace(/\u2028/g, '\n')
    : raw.replace(/\r/g, '');
  const paragraphs: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/[ \t\u00a0]+/g, ' ').trim();
    if (trimmed === '' || DEBRIS_LINE.test(trimmed)) continue;
    if (/^(https?:\/\/\S+|\S+@\S+\.\S+)$/.test(trimmed)) continue;
    paragraphs.push(stripDateline(trimmed));
  }
  return paragraphs.filter(Boolean).join('\n\n');
}

function stripDateline(text: string): string {
  let out = text;
  for (const pattern of DATELINES) out = out.replace(pattern, '');
  return out.trim();
}

/** Lead then body as sentences, each once, without fragments. */
function candidateSentences(article: SummaryArticle): Array<{ text: string; folded: string }> {
  const body = cleanText(article.body);
  let lead = cleanText(article.lead);
  // Feeds often carry the first paragraph, cut short ("…"), as the lead: the body says it whole.
  const leadStem = lead.replace(TRAILS_OFF, '').replace(/\s+/g, ' ').trim();
  if (body !== '' && (TRAILS_OFF.test(lead) || body.replace(/\s+/g, ' ').includes(leadStem))) lead = '';
  const seen = new Set<string>();
  const out: Array<{ text: string; folded: string }> = [];
  for (const part of [lead, body]) {
    if (part === '') continue;
    for (const sentence of splitSentences(part, article.language)) {
      // cleanText already removed datelines at paragraph starts, where they occur.
      const text = /\s\s|[\n\t]/.test(sentence.text) ? sentence.text.replace(/\s+/g, ' ') : sentence.text;
      const key = fold(text);
      if (text.length < MIN_SENTENCE_CHARS || seen.has(key)) continue;
      // Email signatures and "Reporting by …" credits end wire stories.
      if (/^(reporting by|writing by|editing by|additional reporting)/i.test(text)) continue;
      if (text.includes('@') && /[\w.+-]+@[\w-]+\.\w/.test(text)) continue;
      seen.add(key);
      out.push({ text, folded: key });
    }
  }
  return out;
}

// Focus terms are surface strings cut from the article itself, so case and ё are the only
// differences to fold; NFKC here would cost more than the whole selection.
function fold(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е');
}

function focusTerms(terms: string[]): string[] {
  return [...new Set(terms.map(fold).map((t) => t.trim()).filter((t) => t.length > 0))];
}

function countDistinctTerms(folded: string, terms: string[]): number {
  if (terms.length === 0) return 0;
  let hits = 0;
  for (const term of terms) if (folded.includes(term)) hits++;
  return hits;
}

function findKeySentence<S extends { text: string; hits: number; position: number }>(
  sentences: S[],
  keySentence: string | undefined,
): S | undefined {
  if (keySentence) {
    const wanted = fold(cleanText(keySentence)).replace(/\s+/g, ' ');
    const exact = sentences.find((s) => {
      const have = fold(s.text);
      return have === wanted || have.includes(wanted) || wanted.includes(have);
    });
    if (exact) return exact;
    const wantedTrigrams = charTrigrams(wanted);
    let best: S | undefined;
    let bestOverlap = 0.5;
    for (const s of sentences) {
      const score = overlap(charTrigrams(fold(s.text)), wantedTrigrams);
      if (score > bestOverlap) {
        best = s;
        bestOverlap = score;
      }
    }
    if (best) return best;
  }
  // No reported co-occurrence: the sentence where the most focus terms meet, if two do.
  let best: S | undefined;
  for (const s of sentences) if (s.hits >= 2 && (!best || s.hits > best.hits)) best = s;
  return best;
}

function wordTrigrams(text: string): Set<string> {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i + 2 < words.length; i++) out.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return out;
}

function charTrigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 3 <= text.length; i++) out.add(text.slice(i, i + 3));
  return out;
}

/** Share of `a`'s n-grams that also occur in `b`. */
function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0) return 0;
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared++;
  return shared / a.size;
}

function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxChars * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:–—-]+$/u, '')}…`;
}
