/**
 * Online story clustering over a sliding window: every article joins the story of an earlier
 * article in the window, or starts a new one.
 *
 * Glossary:
 * - window: the articles published within `windowHours` of now; only they live in memory, and
 *   `add()` rebuilds them from the store after a restart.
 * - entry: what the index keeps of one article (keys, MinHash signature, terms, concept ids).
 * - posting: the entries that contain one term or concept; its length is the document frequency.
 *
 * Assignment tries the cheapest, surest evidence first:
 * 1. url — the same canonical URL (one page carried by two feeds);
 * 2. title — the same normalized headline within TITLE_MAX_GAP_H;
 * 3. near-duplicate — MinHash Jaccard of title + lead ≥ NEAR_DUPLICATE_MIN (syndicated copies);
 * 4. event — the same event in other words: tf-idf cosine of title + lead terms, idf-weighted
 *    overlap of concept ids and of event evidence (evidence.ts: quantities, names, the headline's
 *    action), damped by the time between the two reports. Between languages the words cannot
 *    meet, so concepts and evidence carry the decision, with a stricter bar: two shared concepts,
 *    or two shared pieces of evidence (a figure and a name, two names across scripts).
 *
 * Whatever the similarity, two reports are different events when their headlines' actions differ
 * (signs vs ratifies vs submits vs denies) or when both state key figures and share none
 * (6,700 containers vs 13,000): near-duplicate and event folds are vetoed then. So a report with a
 * new key figure or a new step starts its own story and alerts; a report that repeats the story's
 * evidence follows up in its thread, saying what it shares (`detail`).
 *
 * Over 450 lines because StoryIndex is one idea whose steps all read the same private window (entries, postings, keys); split, they would pass it around.
 */

import { AppError } from '../errors.ts';
import { type Action, eventEvidence } from './evidence.ts';
import {
  bandKeys,
  minhashNormalized,
  minhashSimilarity,
  normalizeText,
  stripMarkup,
  termsNormalized,
  textHash,
  titleKey,
  urlKey,
} from './fingerprint.ts';

export interface StoryCandidate {
  articleId: number;
  url?: string;
  title: string;
  lead: string;
  /** When the article was published; pass the fetch time when the feed gave no valid date. */
  publishedAt: Date;
  concepts: string[];
  language?: string;
  /** The outlet, e.g. the feed host. */
  source: string;
}

export interface StoryAssignment {
  storyId: number | null;
  reason: 'url' | 'title' | 'near-duplicate' | 'event' | 'new';
  similarity?: number;
  /**
   * Why it joined, in words a reader checks at a glance: `same URL`, `same headline`,
   * `near-duplicate 0.93`, `same event: Rajin · 6,700 · NIS` (the rarest evidence both share).
   */
  detail?: string;
}

export interface StoryIndexOptions {
  /** Articles older than this (by publication time) leave the window. Default 72. */
  windowHours?: number;
}

const HOUR_MS = 3_600_000;
const DEFAULT_WINDOW_HOURS = 72;
// A headline reused days later is usually a new event of a recurring kind ("North Korea fires
// ballistic missile"), so exact titles only join within a day.
const TITLE_MAX_GAP_H = 24;
const NEAR_DUPLICATE_MAX_GAP_H = 48;
/**
 * Near-duplicate candidates read from one band bucket: its newest this many. A bucket that large is
 * one text repeated (a flood), and reading all of it made every new copy cost as much as all before.
 */
const NEAR_DUPLICATE_SCAN = 256;
const NEAR_DUPLICATE_MIN = 0.6;
// Below this many characters a shingle set is too small for MinHash to mean much.
const NEAR_DUPLICATE_MIN_CHARS = 60;
// The lead beyond this adds words from the body of the story, not its core.
const LEAD_CHARS = 500;
const MAX_TERMS = 60;
// Leads shorter than this are too short to be an outlet's boilerplate.
const BOILERPLATE_MIN_CHARS = 40;
// Time damping 1 / (1 + (Δh / τ)²): 12 h keeps 86%, 24 h 61%, 48 h 28% of the similarity, so two
// look-alike events days apart stay apart while a story's day-two coverage still joins day one.
const TIME_SCALE_H = 30;
// Calibrated on test/fixtures/stories (see bench/stories.ts for the B-cubed figures).
const SAME_LANGUAGE_MIN = 0.3;
const SAME_LANGUAGE_MIN_WORDS = 0.2;
const CROSS_LANGUAGE_MIN = 0.5;
const CROSS_LANGUAGE_MIN_SHARED_CONCEPTS = 2;
const CROSS_LANGUAGE_MIN_SHARED_EVIDENCE = 2;
// Evidence overlap is a Jaccard over a handful of features: half of them shared is already strong.
const EVIDENCE_GAIN = 2;
const SAME_EVIDENCE_SHARE = 0.3;
const CROSS_EVIDENCE_SHARE = 0.45;
const MAX_EVIDENCE = 24;
const STEPS = new Set<Action>(['deny', 'submit', 'ratify']);
const SPEECH = new Set<Action>(['deny', 'warn', 'concern', 'review']);
// A fold's detail names at most this many shared pieces of evidence.
const DETAIL_EVIDENCE = 3;
// Retrieval bounds keep one assignment cheap with 50,000 articles in the window: features are
// scanned rarest first, postings longer than the cap are left to exact scoring, and only the best
// RERANK entries are scored exactly.
const MAX_POSTINGS_SCANNED = 2_500;
const MIN_POSTING_CAP = 64;
const POSTING_CAP_SHARE = 0.03;
const RERANK = 32;
const RERANK_BY_CONCEPTS = 16;
const ROUGH_FLOOR = 0.25;

interface Posting {
  key: string;
  kind: 'term' | 'concept' | 'evidence';
  entries: Entry[];
  /** idf cached for the window size it was computed at. */
  idf: number;
  idfTotal: number;
  /** The retrieval pass whose probe contains this feature: a cheaper membership test than a Set. */
  probePass: number;
}

interface Entry {
  storyId: number;
  articleId: number;
  time: number;
  language: string | undefined;
  urlKey: string | undefined;
  titleKey: string | undefined;
  titleHash: number;
  leadKey: number | undefined;
  signature: Uint32Array | undefined;
  terms: Posting[];
  concepts: Posting[];
  /** Quantities and names (evidence.ts), and how this report writes each. */
  evidence: Posting[];
  labels: string[];
  /** Key quantities (from 100 up) among `evidence`, for the number veto. */
  quantities: Posting[];
  action: Action | undefined;
  /** Places, objects and speakers by id (evidence.ts), for the vetoes. */
  places: string[];
  objects: string[];
  speakers: string[];
  titlePlaces: string[];
  /** Latin, Cyrillic or Hangul: transliterated names (`n:` keys) only count between scripts. */
  script: Script;
  alive: boolean;
  /** Scratch space of one retrieval: which pass last touched the entry, and its rough score. */
  pass: number;
  rough: number;
  roughConcepts: number;
}

/** What a candidate looks like before it is added: its features looked up in the index. */
interface Probe {
  time: number;
  language: string | undefined;
  urlKey: string | undefined;
  titleKey: string | undefined;
  titleHash: number;
  leadKey: number | undefined;
  signature: Uint32Array | undefined;
  bands: number[];
  termKeys: string[];
  conceptKeys: string[];
  termSet: Set<Posting>;
  conceptSet: Set<Posting>;
  evidenceKeys: string[];
  evidenceLabels: string[];
  evidenceSet: Set<Posting>;
  quantityKeys: Set<string>;
  action: Action | undefined;
  places: string[];
  objects: string[];
  speakers: string[];
  titlePlaces: string[];
  script: Script;
}

type Script = 'latin' | 'cyrillic' | 'hangul' | 'other';

function scriptOf(text: string): Script {
  let latin = 0;
  let cyrillic = 0;
  let hangul = 0;
  for (const ch of text.slice(0, 200)) {
    if (/\p{Script=Hangul}/u.test(ch)) hangul++;
    else if (/\p{Script=Cyrillic}/u.test(ch)) cyrillic++;
    else if (/[a-zA-Z]/.test(ch)) latin++;
  }
  const max = Math.max(latin, cyrillic, hangul);
  if (max === 0) return 'other';
  return max === hangul ? 'hangul' : max === cyrillic ? 'cyrillic' : 'latin';
}

export class StoryIndex {
  readonly #windowMs: number;
  #entries: Entry[] = [];
  readonly #byUrl = new Map<string, Entry>();
  readonly #byTitle = new Map<string, Entry>();
  // Most band keys are unique, so a single entry is stored bare to save an array per key.
  readonly #byBand = new Map<number, Entry | Entry[]>();
  readonly #postings = new Map<string, Posting>();
  readonly #byArticle = new Map<number, Entry>();
  // Lead text per outlet: one outlet repeating one lead under different headlines is boilerplate
  // ("The latest news from …"), not syndication.
  readonly #byLead = new Map<number, Entry>();
  #pass = 0;
  // assign() then add() for the same candidate is the common path; the fingerprints are
  // computed once.
  #lastProbe: { candidate: StoryCandidate; probe: Probe } | undefined;

  constructor(options: StoryIndexOptions = {}) {
    const hours = options.windowHours ?? DEFAULT_WINDOW_HOURS;
    if (!(hours > 0)) {
      throw new AppError('config', `The story window must be a positive number of hours, not ${hours}.`);
    }
    this.#windowMs = hours * HOUR_MS;
  }

  #syncedAt: Date | undefined;

  /**
   * The store time up to which this window holds every matched article placed in a story by any process (the
   * rebuild at start and each catch-up, src/pipeline.ts); undefined until the first.
   */
  get syncedAt(): Date | undefined {
    return this.#syncedAt;
  }

  /** The window took in everything the store held at `at`. */
  synced(at: Date): void {
    this.#syncedAt = at;
  }

  /** Whether the article is in the window. */
  has(articleId: number): boolean {
    return this.#byArticle.has(articleId);
  }

  /** Articles in the window. */
  get size(): number {
    return this.#entries.length;
  }

  /** How far back the window reaches. */
  get windowMs(): number {
    return this.#windowMs;
  }

  /**
   * Moves an article to another story (a wrong fold split off): later reports like it join that
   * story, reports like the rest join the old one. Unknown articles are ignored; moving is idempotent.
   */
  move(articleId: number, storyId: number): void {
    const entry = this.#byArticle.get(articleId);
    if (entry) entry.storyId = storyId;
  }

  /** Which story the candidate belongs to; null means a new story. Does not change the index. */
  assign(candidate: StoryCandidate): StoryAssignment {
    const probe = this.#probe(candidate);
    this.#lastProbe = { candidate, probe };

    if (probe.urlKey) {
      const hit = this.#byUrl.get(probe.urlKey);
      if (hit) return { storyId: hit.storyId, reason: 'url', similarity: 1, detail: 'same URL' };
    }
    if (probe.titleKey) {
      const hit = this.#byTitle.get(probe.titleKey);
      if (hit && Math.abs(hit.time - probe.time) <= TITLE_MAX_GAP_H * HOUR_MS) {
        return { storyId: hit.storyId, reason: 'title', similarity: 1, detail: 'same headline' };
      }
    }
    const duplicate = this.#nearDuplicate(probe);
    if (duplicate) return duplicate;
    const event = this.#event(probe);
    if (event) return event;
    return { storyId: null, reason: 'new' };
  }

  /**
   * Records the article as a member of the story. Call it after every `assign()` with the story
   * the article was stored under, and at start-up for each article of the window.
   */
  add(storyId: number, candidate: StoryCandidate): void {
    const probe = this.#lastProbe?.candidate === candidate ? this.#lastProbe.probe : this.#probe(candidate);
    this.#lastProbe = undefined;
    // An edited article, or one added again by a rebuild that overlaps live traffic, replaces
    // its earlier entry instead of counting twice.
    const previous = this.#byArticle.get(candidate.articleId);
    if (previous) {
      this.#detach(previous);
      this.#entries = this.#entries.filter((entry) => entry !== previous);
      this.#compact([...previous.terms, ...previous.concepts, ...previous.evidence]);
    }
    const entry: Entry = {
      storyId,
      articleId: candidate.articleId,
      time: probe.time,
      language: probe.language,
      urlKey: probe.urlKey,
      titleKey: probe.titleKey,
      titleHash: probe.titleHash,
      leadKey: probe.leadKey,
      signature: probe.signature,
      terms: probe.termKeys.map((key) => this.#posting(key, 'term')),
      concepts: probe.conceptKeys.map((key) => this.#posting(key, 'concept')),
      evidence: probe.evidenceKeys.map((key) => this.#posting(key, 'evidence')),
      labels: probe.evidenceLabels,
      quantities: [],
      action: probe.action,
      places: probe.places,
      objects: probe.objects,
      speakers: probe.speakers,
      titlePlaces: probe.titlePlaces,
      script: probe.script,
      alive: true,
      pass: 0,
      rough: 0,
      roughConcepts: 0,
    };
    for (const posting of entry.terms) posting.entries.push(entry);
    for (const posting of entry.concepts) posting.entries.push(entry);
    for (const posting of entry.evidence) {
      posting.entries.push(entry);
      if (probe.quantityKeys.has(posting.key)) entry.quantities.push(posting);
    }
    if (entry.urlKey) this.#byUrl.set(entry.urlKey, entry);
    if (entry.titleKey) this.#byTitle.set(entry.titleKey, entry);
    if (entry.leadKey !== undefined) this.#byLead.set(entry.leadKey, entry);
    for (const band of probe.bands) {
      const bucket = this.#byBand.get(band);
      if (bucket === undefined) this.#byBand.set(band, entry);
      else if (Array.isArray(bucket)) bucket.push(entry);
      else this.#byBand.set(band, [bucket, entry]);
    }
    this.#byArticle.set(entry.articleId, entry);
    this.#entries.push(entry);
  }

  /**
   * Assigns and records in one step: `newStoryId` is called only when the article starts a story
   * (the caller inserts the story row there and returns its id).
   */
  place(candidate: StoryCandidate, newStoryId: () => number): StoryAssignment & { storyId: number } {
    const assignment = this.assign(candidate);
    const storyId = assignment.storyId ?? newStoryId();
    this.add(storyId, candidate);
    return { ...assignment, storyId };
  }

  /** Forgets every article published before `now - windowHours`. */
  prune(now: Date): void {
    const cutoff = now.getTime() - this.#windowMs;
    const touched = new Set<Posting>();
    const bands = new Set<number>();
    const kept: Entry[] = [];
    for (const entry of this.#entries) {
      if (entry.time >= cutoff) {
        kept.push(entry);
        continue;
      }
      this.#detach(entry, bands);
      for (const posting of entry.terms) touched.add(posting);
      for (const posting of entry.concepts) touched.add(posting);
      for (const posting of entry.evidence) touched.add(posting);
    }
    if (kept.length === this.#entries.length) return;
    this.#entries = kept;
    this.#compact(touched);
    this.#compactBands(bands);
  }

  /**
   * Removes the entry from every key map; postings are compacted by the caller, in bulk, and so are
   * band buckets when the caller collects them in `deferBands` (each filtered once, not once per entry).
   */
  #detach(entry: Entry, deferBands?: Set<number>): void {
    entry.alive = false;
    this.#lastProbe = undefined;
    if (this.#byArticle.get(entry.articleId) === entry) this.#byArticle.delete(entry.articleId);
    if (entry.urlKey && this.#byUrl.get(entry.urlKey) === entry) this.#byUrl.delete(entry.urlKey);
    if (entry.titleKey && this.#byTitle.get(entry.titleKey) === entry) this.#byTitle.delete(entry.titleKey);
    if (entry.leadKey !== undefined && this.#byLead.get(entry.leadKey) === entry) this.#byLead.delete(entry.leadKey);
    // Band keys are recomputed rather than stored: it costs a few hashes per pruned article
    // and saves an array per article in the window.
    for (const band of entry.signature ? bandKeys(entry.signature) : []) {
      if (deferBands) {
        deferBands.add(band);
        continue;
      }
      const bucket = this.#byBand.get(band);
      if (bucket === entry) this.#byBand.delete(band);
      else if (Array.isArray(bucket)) {
        const rest = bucket.filter((other) => other !== entry);
        if (rest.length === 0) this.#byBand.delete(band);
        else this.#byBand.set(band, rest.length === 1 ? rest[0]! : rest);
      }
    }
  }

  #compactBands(bands: Iterable<number>): void {
    for (const band of bands) {
      const bucket = this.#byBand.get(band);
      if (bucket === undefined) continue;
      const rest = (Array.isArray(bucket) ? bucket : [bucket]).filter((entry) => entry.alive);
      if (rest.length === 0) this.#byBand.delete(band);
      else this.#byBand.set(band, rest.length === 1 ? rest[0]! : rest);
    }
  }

  #compact(postings: Iterable<Posting>): void {
    for (const posting of postings) {
      posting.entries = posting.entries.filter((entry) => entry.alive);
      if (posting.entries.length === 0) this.#postings.delete(posting.key);
    }
  }

  #posting(key: string, kind: Posting['kind']): Posting {
    let posting = this.#postings.get(key);
    if (!posting) {
      posting = { key, kind, entries: [], idf: 0, idfTotal: -1, probePass: 0 };
      this.#postings.set(key, posting);
    }
    return posting;
  }

  #probe(candidate: StoryCandidate): Probe {
    const title = normalizeText(stripMarkup(candidate.title));
    const lead = normalizeText(stripMarkup(candidate.lead.slice(0, LEAD_CHARS * 2))).slice(0, LEAD_CHARS);
    const titleHash = textHash(title);
    const leadKey = lead.length >= BOILERPLATE_MIN_CHARS ? textHash(`${candidate.source}\u0000${lead}`) : undefined;
    const sameLead = leadKey === undefined ? undefined : this.#byLead.get(leadKey);
    const boilerplate =
      sameLead !== undefined && sameLead.articleId !== candidate.articleId && sameLead.titleHash !== titleHash;
    const normalized = boilerplate || lead === '' ? title : `${title} ${lead}`;
    const signature = normalized.length >= NEAR_DUPLICATE_MIN_CHARS ? minhashNormalized(normalized) : undefined;
    const termKeys = [...new Set(termsNormalized(normalized))].slice(0, MAX_TERMS).map((term) => `t:${term}`);
    const conceptKeys = [...new Set(candidate.concepts)].map((concept) => `c:${concept}`);
    const evidence = eventEvidence(candidate.title, candidate.lead.slice(0, LEAD_CHARS * 2));
    const evidenceKeys = evidence.features.slice(0, MAX_EVIDENCE);
    const evidenceSet = new Set<Posting>();
    for (const key of evidenceKeys) {
      const posting = this.#postings.get(key);
      if (posting) evidenceSet.add(posting);
    }
    const termSet = new Set<Posting>();
    const conceptSet = new Set<Posting>();
    for (const key of termKeys) {
      const posting = this.#postings.get(key);
      if (posting) termSet.add(posting);
    }
    for (const key of conceptKeys) {
      const posting = this.#postings.get(key);
      if (posting) conceptSet.add(posting);
    }
    return {
      time: candidate.publishedAt.getTime(),
      language: candidate.language?.toLowerCase().slice(0, 2) || undefined,
      urlKey: urlKey(candidate.url),
      titleKey: titleKey(stripMarkup(candidate.title)),
      titleHash,
      leadKey,
      signature,
      bands: signature ? bandKeys(signature) : [],
      termKeys,
      conceptKeys,
      termSet,
      conceptSet,
      evidenceKeys,
      evidenceLabels: evidenceKeys.map((key) => evidence.labels.get(key)!),
      evidenceSet,
      quantityKeys: new Set(evidence.quantities),
      action: evidence.action,
      places: evidence.places,
      objects: evidence.objects,
      speakers: evidence.speakers,
      titlePlaces: evidence.titlePlaces,
      script: scriptOf(`${candidate.title} ${candidate.lead.slice(0, 200)}`),
    };
  }

  #nearDuplicate(probe: Probe): StoryAssignment | undefined {
    if (!probe.signature) return undefined;
    let best: Entry | undefined;
    let bestSimilarity = 0;
    const seen = new Set<Entry>();
    for (const band of probe.bands) {
      const bucket = this.#byBand.get(band);
      if (bucket === undefined) continue;
      const list = Array.isArray(bucket) ? bucket : [bucket];
      for (let i = Math.max(0, list.length - NEAR_DUPLICATE_SCAN); i < list.length; i++) {
        const entry = list[i]!;
        if (seen.has(entry) || !entry.signature) continue;
        seen.add(entry);
        if (Math.abs(entry.time - probe.time) > NEAR_DUPLICATE_MAX_GAP_H * HOUR_MS) continue;
        const similarity = minhashSimilarity(probe.signature, entry.signature);
        if (similarity > bestSimilarity && !conflicts(probe, entry)) {
          best = entry;
          bestSimilarity = similarity;
        }
      }
    }
    if (!best || bestSimilarity < NEAR_DUPLICATE_MIN) return undefined;
    return {
      storyId: best.storyId,
      reason: 'near-duplicate',
      similarity: round(bestSimilarity),
      detail: `near-duplicate ${bestSimilarity.toFixed(2)}`,
    };
  }

  #event(probe: Probe): StoryAssignment | undefined {
    const total = this.#entries.length;
    if (total === 0 || (probe.termSet.size === 0 && probe.conceptSet.size === 0 && probe.evidenceSet.size === 0)) return undefined;
    const idf = (posting: Posting): number => {
      if (posting.idfTotal !== total) {
        posting.idf = Math.log(1 + total / Math.max(1, posting.entries.length));
        posting.idfTotal = total;
      }
      return posting.idf;
    };

    // Rough ranking by the rarer shared features, then exact scoring of the best few.
    const cap = Math.max(MIN_POSTING_CAP, Math.floor(total * POSTING_CAP_SHARE));
    const features: Posting[] = [];
    for (const posting of probe.termSet) if (posting.entries.length <= cap) features.push(posting);
    for (const posting of probe.conceptSet) if (posting.entries.length <= cap) features.push(posting);
    for (const posting of probe.evidenceSet) if (posting.entries.length <= cap) features.push(posting);
    features.sort((a, b) => a.entries.length - b.entries.length);
    const pass = ++this.#pass;
    for (const posting of probe.termSet) posting.probePass = pass;
    for (const posting of probe.conceptSet) posting.probePass = pass;
    for (const posting of probe.evidenceSet) posting.probePass = pass;
    const touched: Entry[] = [];
    let scanned = 0;
    for (const posting of features) {
      if (scanned + posting.entries.length > MAX_POSTINGS_SCANNED && scanned > 0) break;
      scanned += posting.entries.length;
      // Concepts and evidence are what other languages share: they rank on their own shortlist too.
      const isConcept = posting.kind !== 'term';
      const weight = idf(posting) ** 2 * (isConcept ? 3 : 1);
      for (const entry of posting.entries) {
        if (entry.pass !== pass) {
          entry.pass = pass;
          entry.rough = 0;
          entry.roughConcepts = 0;
          touched.push(entry);
        }
        entry.rough += weight;
        if (isConcept) entry.roughConcepts += weight;
      }
    }
    if (touched.length === 0) return undefined;
    // Reports in other languages share concepts but few words, so they get their own shortlist
    // rather than competing with same-language reports on the combined rough score.
    const shortlist = new Set([
      ...topBy(touched, RERANK, (entry) => entry.rough),
      ...topBy(touched, RERANK_BY_CONCEPTS, (entry) => entry.roughConcepts),
    ]);

    const probeNorm = Math.sqrt(sumSquares(probe.termKeys, this.#postings, idf, total));
    let probeConceptWeight = 0;
    for (const posting of probe.conceptSet) probeConceptWeight += idf(posting);
    // Concepts the index has never seen count as unshared, with the weight of a rare concept.
    probeConceptWeight += (probe.conceptKeys.length - probe.conceptSet.size) * Math.log(1 + total);
    let probeEvidenceWeight = 0;
    for (const posting of probe.evidenceSet) if (!posting.key.startsWith('n:')) probeEvidenceWeight += idf(posting);
    for (const key of probe.evidenceKeys) {
      if (!this.#postings.has(key) && !key.startsWith('n:')) probeEvidenceWeight += Math.log(1 + total);
    }
    const weights = { concept: probeConceptWeight, evidence: probeEvidenceWeight };
    let best: Entry | undefined;
    let bestScore = 0;
    for (const entry of shortlist) {
      const score = this.#pairScore(probe, probeNorm, weights, entry, idf, pass);
      if (score > bestScore) {
        bestScore = score;
        best = entry;
      }
    }
    if (best === undefined) return undefined;
    const shared = best.evidence
      .map((posting, i) => ({ posting, label: best.labels[i]! }))
      .filter(({ posting }) => posting.probePass === pass && (posting.key.startsWith('n:') ? best.script !== probe.script : true))
      .sort((a, b) => quantityFirst(a.posting, b.posting) || a.posting.entries.length - b.posting.entries.length)
      .slice(0, DETAIL_EVIDENCE)
      .map(({ label }) => label);
    const detail = shared.length > 0 ? `same event: ${shared.join(' · ')}` : `same event ${bestScore.toFixed(2)}`;
    return { storyId: best.storyId, reason: 'event', similarity: round(bestScore), detail };
  }

  /** Similarity of the probe to one entry, 0 when below the bar for this pair of languages. */
  #pairScore(
    probe: Probe,
    probeNorm: number,
    weights: { concept: number; evidence: number },
    entry: Entry,
    idf: (posting: Posting) => number,
    pass: number,
  ): number {
    if (conflicts(probe, entry)) return 0;
    let dot = 0;
    let entryNormSq = 0;
    for (const posting of entry.terms) {
      const weight = idf(posting) ** 2;
      entryNormSq += weight;
      if (posting.probePass === pass) dot += weight;
    }
    const termCosine = probeNorm > 0 && entryNormSq > 0 ? dot / (probeNorm * Math.sqrt(entryNormSq)) : 0;

    let sharedConcepts = 0;
    let sharedWeight = 0;
    let entryConceptWeight = 0;
    for (const posting of entry.concepts) {
      const weight = idf(posting);
      entryConceptWeight += weight;
      if (posting.probePass === pass) {
        sharedConcepts++;
        sharedWeight += weight;
      }
    }
    const union = weights.concept + entryConceptWeight - sharedWeight;
    const conceptOverlap = union > 0 ? sharedWeight / union : 0;

    // Evidence overlap: idf-weighted Jaccard of quantities and known names. Transliterated names
    // only add when shared, and only between scripts: every capitalized word (every Hangul word)
    // yields one, so unshared ones say nothing, and within a script the words meet in the cosine.
    const names = probe.script !== entry.script;
    let sharedEvidence = 0;
    let sharedEvidenceWeight = 0;
    let sharedNameWeight = 0;
    let entryEvidenceWeight = 0;
    for (const posting of entry.evidence) {
      const isName = posting.key.startsWith('n:');
      if (isName) {
        if (names && posting.probePass === pass) {
          sharedEvidence++;
          sharedNameWeight += idf(posting);
        }
        continue;
      }
      const weight = idf(posting);
      entryEvidenceWeight += weight;
      if (posting.probePass === pass) {
        sharedEvidence++;
        sharedEvidenceWeight += weight;
      }
    }
    const evidenceUnion = weights.evidence + entryEvidenceWeight - sharedEvidenceWeight + sharedNameWeight;
    const evidenceOverlap = evidenceUnion > 0 ? (sharedEvidenceWeight + sharedNameWeight) / evidenceUnion : 0;

    const hours = Math.abs(entry.time - probe.time) / HOUR_MS;
    const damping = 1 / (1 + (hours / TIME_SCALE_H) ** 2);

    const crossLanguage = probe.language !== undefined && entry.language !== undefined && probe.language !== entry.language;
    if (crossLanguage) {
      if (sharedConcepts < CROSS_LANGUAGE_MIN_SHARED_CONCEPTS && sharedEvidence < CROSS_LANGUAGE_MIN_SHARED_EVIDENCE) return 0;
      // Shared numbers and Latin acronyms still count between languages.
      // Transliterated names alone do not make a report one with evidence: every Hangul word gives one.
      const hasEvidence = weights.evidence > 0 && entryEvidenceWeight > 0;
      const score =
        (hasEvidence
          ? (0.9 - CROSS_EVIDENCE_SHARE) * conceptOverlap +
            CROSS_EVIDENCE_SHARE * Math.min(1, evidenceOverlap * EVIDENCE_GAIN) +
            0.1 * Math.min(1, termCosine * 2)
          : 0.8 * conceptOverlap + 0.2 * Math.min(1, termCosine * 2)) * damping;
      return score >= CROSS_LANGUAGE_MIN ? score : 0;
    }
    const hasConcepts = probe.conceptKeys.length > 0 && entry.concepts.length > 0;
    const hasEvidence = weights.evidence > 0 && entryEvidenceWeight > 0;
    const words = hasConcepts ? 0.75 * termCosine + 0.25 * conceptOverlap : termCosine;
    // Evidence backs shared words; alone ("Japan" in a quake report and a missile report) it is not one event.
    if (words < SAME_LANGUAGE_MIN_WORDS) return 0;
    const score =
      (hasEvidence ? (1 - SAME_EVIDENCE_SHARE) * words + SAME_EVIDENCE_SHARE * Math.min(1, evidenceOverlap * EVIDENCE_GAIN) : words) *
      damping;
    return score >= SAME_LANGUAGE_MIN ? score : 0;
  }
}

/**
 * Different events whatever else they share:
 * - the headlines name different actions (signs / ratifies / submits / denies …), or one names a
 *   step of its own (a denial, a bill, a ratification) and the other none;
 * - both state key figures and share none (6,700 containers vs 13,000);
 * - both name places and share none (the same ship at Rajin and at a Chinese shipyard), or the
 *   later headline places the event where the story's headline did not (Putin in Pyongyang, then
 *   in Hanoi);
 * - each names an object the other does not (satellite vs submarine technology; the treaty vs
 *   the bridge agreement signed the same hour);
 * - a statement (denial, warning, concern, review) by different speakers (the Kremlin's denial
 *   vs North Korea's at the UN).
 */
function conflicts(probe: Probe, entry: Entry): boolean {
  if (probe.action !== entry.action) {
    if (probe.action !== undefined && entry.action !== undefined) return true;
    if (STEPS.has(probe.action ?? entry.action!)) return true;
  }
  if (probe.places.length > 0 && entry.places.length > 0 && !probe.places.some((id) => entry.places.includes(id))) return true;
  // A later headline placing the event somewhere the story's headline did not.
  if (entry.titlePlaces.length > 0 && probe.titlePlaces.some((id) => !entry.titlePlaces.includes(id))) return true;
  if (probe.objects.some((id) => !entry.objects.includes(id)) && entry.objects.some((id) => !probe.objects.includes(id))) return true;
  if (
    probe.action !== undefined &&
    SPEECH.has(probe.action) &&
    probe.speakers.length > 0 &&
    entry.speakers.length > 0 &&
    !probe.speakers.some((id) => entry.speakers.includes(id))
  ) {
    return true;
  }
  if (probe.quantityKeys.size === 0 || entry.quantities.length === 0) return false;
  for (const posting of entry.quantities) if (probe.quantityKeys.has(posting.key)) return false;
  return true;
}

function quantityFirst(a: Posting, b: Posting): number {
  return Number(b.key.startsWith('q:')) - Number(a.key.startsWith('q:'));
}

function sumSquares(
  keys: string[],
  postings: Map<string, Posting>,
  idf: (posting: Posting) => number,
  total: number,
): number {
  let sum = 0;
  for (const key of keys) {
    const posting = postings.get(key);
    // A term the window has never seen is as rare as a term can be.
    sum += posting ? idf(posting) ** 2 : Math.log(1 + total) ** 2;
  }
  return sum;
}

/**
 * The `count` entries with the highest score. Entries under a quarter of the best score share too
 * little to pass the bar and are not sorted at all.
 */
function topBy(entries: Entry[], count: number, score: (entry: Entry) => number): Entry[] {
  let max = 0;
  for (const entry of entries) max = Math.max(max, score(entry));
  if (max === 0) return [];
  const floor = max * ROUGH_FLOOR;
  const kept = entries.filter((entry) => score(entry) >= floor);
  if (kept.length <= count) return kept;
  return kept.sort((a, b) => score(b) - score(a)).slice(0, count);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
