/**
 * Corpus figures for docs/benchmarks.md (issue 3, "Evidence"): every feed under ../shared/corpora
 * through decode → parse → normalize, compared with feedparser's expectations and with plain
 * rss-parser. Run: `npx tsx bench/corpus.ts` (a few seconds). test/feeds/corpus.test.ts reuses the
 * listing and the ingest step below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import Parser from 'rss-parser';
import { AppError } from '../src/errors.ts';
import { decodeFeed, normalizeEncodingLabel } from '../src/feeds/read/decode.ts';
import { normalizeFeed, type FeedArticle } from '../src/feeds/read/normalize.ts';
import type { ParsedFeed } from '../src/feeds/read/feed-types.ts';
import { parseFeed } from '../src/feeds/read/parse.ts';
import { htmlToLine, htmlToText } from '../src/text/clean.ts';
import { SHARED_DIR } from './shared-dir.ts';

export const CORPORA = process.env.WATCHFLOOR_CORPORA ?? join(SHARED_DIR, 'corpora');

export interface CorpusFile {
  /** Path relative to CORPORA, e.g. `feedparser/tests/wellformed/rss/item_title.xml`. */
  name: string;
  path: string;
  /** The Content-Type feedparser's harness serves the file with (files with `http` in the path). */
  contentType?: string;
}

export interface ManifestEntry {
  file: string;
  http_served: boolean;
  headers: Record<string, string>;
  expect: string;
  checks: Array<{ path: Array<string | number>; op: string; value?: unknown }> | null;
}

export type Outcome =
  | { ok: true; encoding: string; text: string; feed: ParsedFeed; articles: FeedArticle[] }
  | { ok: false; encoding?: string; text?: string; error: AppError };

/** Every data file of every corpus (READMEs and our manifests excluded). */
export function corpusFiles(root = CORPORA): CorpusFile[] {
  const manifest = new Map(feedparserManifest(root).map((m) => [`feedparser/${m.file}`, m]));
  const files: CorpusFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name !== 'README.md' && entry.name !== 'manifest.jsonl') {
        const name = relative(root, path);
        const m = manifest.get(name);
        const contentType = m?.http_served ? (m.headers['Content-type'] ?? 'text/xml') : undefined;
        files.push({ name, path, ...(contentType ? { contentType } : {}) });
      }
    }
  };
  walk(root);
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

export function feedparserManifest(root = CORPORA): ManifestEntry[] {
  return readFileSync(join(root, 'feedparser/manifest.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ManifestEntry);
}

/** decode → parse → normalize, as the poller does. Anything thrown that is not an AppError is a bug and propagates. */
export async function ingest(bytes: Buffer, contentType: string | undefined, url: string): Promise<Outcome> {
  const { text, encoding } = decodeFeed(bytes, contentType);
  try {
    const feed = await parseFeed(text, { contentType, url });
    return { ok: true, encoding, text, feed, articles: normalizeFeed(feed, url) };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, encoding, text, error: err };
    throw err;
  }
}

export async function ingestFile(file: CorpusFile): Promise<Outcome> {
  return ingest(readFileSync(file.path), file.contentType, pathToFileURL(file.path).href);
}

// ---------- figures ----------

/** Python string literal body → JS string (\uXXXX, \xXX, \\ and \' escapes). */
function pyUnescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\\|'|")/g, (_m, e: string) => (e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e));
}

/** The codec that gives feedparser's expected text for its encoding name. */
function codecFor(encoding: string): string {
  const label = normalizeEncodingLabel(encoding) ?? encoding;
  if (label === 'us-ascii' || label === 'iso-8859-1') return 'windows-1252';
  return label === 'gb2312' ? 'gb18030' : label;
}

function withoutBom(bytes: Buffer): Buffer {
  for (const bom of [[0, 0, 0xfe, 0xff], [0xff, 0xfe, 0, 0], [0xef, 0xbb, 0xbf], [0xfe, 0xff], [0xff, 0xfe]]) {
    if (bom.every((b, i) => bytes[i] === b)) return bytes.subarray(bom.length);
  }
  return bytes;
}

/**
 * Did we decode one of feedparser's encoding cases right? Judged by the text, not the label name:
 * the parsed value as feedparser gives it, or the same clean text (what Watchfloor shows, where
 * windows-1252 bytes read as C1 controls are repaired).
 */
function feedparserEncodingRight(entry: ManifestEntry, bytes: Buffer, out: Outcome): boolean {
  const expect = entry.expect;
  const wantsOk = expect.startsWith('not bozo');
  if (wantsOk && !out.ok) return false;
  const enc = /encoding == '([^']+)'/.exec(expect);
  if (enc) return out.text === iconv.decode(withoutBom(bytes), codecFor(enc[1]));
  const sameText = (ours: string | undefined, want: string) => ours !== undefined && (ours === want || htmlToText(ours) === htmlToText(want));
  const desc = /entries\[0\]\['description'\] == '(.*)'$/.exec(expect);
  if (desc) return out.ok && sameText(out.feed.items[0]?.summaryHtml, pyUnescape(desc[1]));
  const title = /feed\['title'\] == '(.*)'$/.exec(expect);
  if (title) return out.ok && sameText(out.feed.title, pyUnescape(title[1]));
  const ord = /ord\(entries\[0\]\['description'\]\) == (\d+)/.exec(expect);
  if (ord) return out.ok && sameText(out.feed.items[0]?.summaryHtml, String.fromCodePoint(Number(ord[1])));
  return true; // "bozo" or "1": not crashing is the whole expectation
}

const MINIFLUX_EXPECT: Record<string, string[]> = {
  'internal/reader/encoding/testdata/utf8.xml': ['Café'],
  'internal/reader/encoding/testdata/iso-8859-1.xml': ['Café'],
  'internal/reader/encoding/testdata/windows-1252.xml': ['Euro €'],
  'internal/reader/encoding/testdata/invalid-prolog.xml': ['Café'],
  'internal/reader/encoding/testdata/utf8-incorrect-prolog.xml': ['Café'],
  'internal/reader/encoding/testdata/windows-1252-incorrect-prolog.xml': ['Euro €'],
  'internal/reader/encoding/testdata/koi8r.xml': ['Пример RSS ленты', 'Привет мир! Ёжик, чай, Москва, Санкт-Петербург.'],
  'internal/reader/xml/testdata/iso88591.xml': ['Anaïs', 'Jürgen'],
  // Upstream strips the invalid bytes ("Anas"); reading them as windows-1252 keeps the name.
  'internal/reader/xml/testdata/iso88591_utf8_mismatch.xml': ['Anaïs', 'Jürgen'],
  'internal/reader/xml/testdata/koi8r.xml': ['Пример RSS ленты', 'Тестовая лента в кодировке KOI8-R', 'Первая новость'],
  'internal/reader/parser/testdata/encoding_WINDOWS-1251.xml': ['iBash.Org.Ru', 'Цитата'],
  'internal/reader/parser/testdata/encoding_ISO-8859-1.xml': [],
  'internal/reader/parser/testdata/no_encoding_ISO-8859-1.xml': [],
};

/** The value at a manifest check path in our result, for feed and entry titles. */
function ourTitle(feed: ParsedFeed, path: Array<string | number>): string | undefined {
  if (path[0] === 'feed') return feed.title;
  return feed.items[path[1] as number]?.title;
}

async function main(): Promise<void> {
  const started = performance.now();
  const files = corpusFiles();
  const outcomes = new Map<string, Outcome>();
  for (const file of files) outcomes.set(file.name, await ingestFile(file));
  const elapsedS = (performance.now() - started) / 1000;
  const okIn = (prefix: string, filter: (name: string) => boolean = () => true) => {
    const chosen = files.filter((f) => f.name.startsWith(prefix) && filter(f.name));
    return { ok: chosen.filter((f) => outcomes.get(f.name)!.ok).length, total: chosen.length };
  };
  const lines: string[] = [];
  const line = (label: string, value: string) => lines.push(`${label.padEnd(58)} ${value}`);
  const ratio = ({ ok, total }: { ok: number; total: number }) => `${ok} / ${total}`;

  // Plain rss-parser on the same text, for the baseline column.
  const plain = new Parser();
  let plainWellformed = 0;
  const wellformed = files.filter((f) => f.name.startsWith('feedparser/tests/wellformed/'));
  for (const f of wellformed) {
    try {
      await plain.parseString(readFileSync(f.path, 'utf8'));
      plainWellformed++;
    } catch {
      // counted as a rejection
    }
  }

  line('files run through decode → parse → normalize', `${files.length} in ${elapsedS.toFixed(1)} s, 0 crashes`);
  line('feedparser tests/wellformed parsed', `${ratio(okIn('feedparser/tests/wellformed/'))} (plain rss-parser: ${plainWellformed})`);
  line('feedparser tests/illformed read anyway (recovered)', ratio(okIn('feedparser/tests/illformed/')));
  line('feedparser tests/entities parsed', ratio(okIn('feedparser/tests/entities/')));

  // Titles feedparser expects (feed['title'], entries[i]['title'] with ==).
  let titles = 0;
  let exact = 0;
  let asText = 0;
  for (const m of feedparserManifest()) {
    const out = outcomes.get(`feedparser/${m.file}`);
    for (const c of m.checks ?? []) {
      const isTitle = (c.path[0] === 'feed' && c.path[1] === 'title' && c.path.length === 2) || (c.path[0] === 'entries' && c.path[2] === 'title' && c.path.length === 3);
      if (!isTitle || c.op !== '==' || typeof c.value !== 'string') continue;
      titles++;
      const ours = out?.ok ? ourTitle(out.feed, c.path) : undefined;
      if (ours === c.value) exact++;
      // feedparser's value is HTML for HTML titles and plain text for text ones: either reading counts.
      if (ours !== undefined && (htmlToLine(ours) === htmlToLine(c.value) || htmlToLine(ours) === c.value.replace(/\s+/g, ' ').trim())) asText++;
    }
  }
  line("feedparser's expected feed/entry titles, reproduced exactly", `${exact} / ${titles}`);
  line('… the same as clean text (what Watchfloor shows)', `${asText} / ${titles}`);

  let encRight = 0;
  let encTotal = 0;
  for (const m of feedparserManifest().filter((e) => e.file.startsWith('tests/encoding/'))) {
    encTotal++;
    const path = join(CORPORA, 'feedparser', m.file);
    if (feedparserEncodingRight(m, readFileSync(path), outcomes.get(`feedparser/${m.file}`)!)) encRight++;
  }
  line('feedparser tests/encoding decoded right', `${encRight} / ${encTotal}`);
  let mfRight = 0;
  for (const [file, wants] of Object.entries(MINIFLUX_EXPECT)) {
    const out = outcomes.get(`miniflux/${file}`);
    if (out?.text && !out.text.includes('\ufffd') && wants.every((w) => out.text!.includes(w))) mfRight++;
  }
  line('miniflux encoding cases decoded right', `${mfRight} / ${Object.keys(MINIFLUX_EXPECT).length}`);
  const chardet = feedparserManifest().filter((e) => e.file.startsWith('tests/illformed/chardet/'));
  const chardetRight = chardet.filter((m) => feedparserEncodingRight(m, readFileSync(join(CORPORA, 'feedparser', m.file)), outcomes.get(`feedparser/${m.file}`)!)).length;
  line('feedparser illformed/chardet (undeclared legacy encodings) decoded right', `${chardetRight} / ${chardet.length}`);

  const w3cManifest = readFileSync(join(CORPORA, 'w3c-feedvalidator/manifest.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; expect: string; event: string; event_level: string });
  const valid = w3cManifest.filter((m) => m.expect === 'absent' && m.event === 'Error' && m.file.endsWith('.xml'));
  const validOk = valid.filter((m) => outcomes.get(`w3c-feedvalidator/${m.file}`)?.ok).length;
  const sax = w3cManifest.filter((m) => m.expect === 'present' && m.event === 'SAXError');
  const saxRejected = sax.filter((m) => !outcomes.get(`w3c-feedvalidator/${m.file}`)?.ok).length;
  line('w3c-feedvalidator *.xml parsed (includes KML, OpenSearch …)', `${ratio(okIn('w3c-feedvalidator/', (n) => n.endsWith('.xml')))} (plain rss-parser: 1735)`);
  line('w3c-feedvalidator feeds expected valid (!Error) parsed', `${validOk} / ${valid.length}`);
  line('w3c-feedvalidator SAXError cases rejected or repaired', `${saxRejected} rejected, ${sax.length - saxRejected} repaired, of ${sax.length}`);
  line('gofeed *.xml parsed', `${ratio(okIn('gofeed/', (n) => n.endsWith('.xml')))} (plain rss-parser: 520)`);
  line('gofeed JSON Feed inputs parsed', ratio(okIn('gofeed/testdata/', (n) => /\/json\/[^/]+\.json$/.test(n) && !n.endsWith('_expected.json') && !n.includes('invalid'))));
  line('rss-parser inputs parsed', ratio(okIn('rss-parser/test/input/')));
  line('NetNewsWire feeds parsed (XML + JSON, OPML excluded)', ratio(okIn('netnewswire-rsparser/', (n) => !n.endsWith('.opml'))));
  line('miniflux feeds parsed', ratio(okIn('miniflux/')));
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
