import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError, errorMessage } from '../errors.ts';
import { HttpClient } from '../feeds/http/fetch.ts';
import { type FeedContent, readFeedBytes, readFetchedFeed } from '../feeds/read/read.ts';
import type { CliCommand, CliIO } from './command.ts';

/**
 * One article as the CLI reads and writes it: `parse` prints its items in this shape and `score` reads it,
 * so `watchfloor parse feed.xml | watchfloor score --topic …` scores what the poller would store.
 * `description` is the lead (RSS description, Atom summary) and `content` the full text, both as plain text.
 */
export interface ArticleLine {
  id: string | number;
  title: string;
  description: string;
  content?: string;
  url?: string;
  published?: string;
  /** The feed's declared language (primary subtag), which the poller passes on to matching too. */
  language?: string;
}

/** One input's result, printed as one JSON line. */
export interface ParseReport {
  input: string;
  ok: boolean;
  error?: string;
  /** The feed actually read when the input was a web page announcing one. */
  discovered?: string;
  encoding?: string;
  format?: string;
  /** The document was malformed and read after repair: what was wrong. */
  repaired?: string;
  feed?: { title?: string; link?: string; language?: string };
  items?: ArticleLine[];
}

export const parseCommand: CliCommand = {
  name: 'parse',
  summary: 'decode, parse and normalize feeds from files or URLs and print what Watchfloor sees',
  usage: `Usage: watchfloor parse [--allow-private-networks] FILE|URL ...

The tool to run when "my feed doesn't work". Each input is decoded, parsed and normalized exactly
as the poller would, without storing anything, and printed as one JSON line:
  {"input", "ok", "error"?, "feed": {title, link, language},
   "items": [{id, title, description, content?, url, published, language?}]}
Each item is an article in the shape \`watchfloor score\` reads: description is the lead (RSS description,
Atom summary), content the full text when the feed carries more, both as plain text. So
  watchfloor parse feed.xml | watchfloor score --topic SLUG
scores each item as the poller would.
Web pages are searched for the feeds they announce (<link rel="alternate">); when there is exactly
one, it is read and named in "discovered". Exit code 1 when any input failed.

Options:
  --allow-private-networks   allow URLs on loopback or private addresses (local test servers)
  -h, --help                 show this help`,
  options: { 'allow-private-networks': { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new AppError('usage', 'give at least one feed file or URL, e.g. watchfloor parse feed.xml');
    let http: HttpClient | undefined;
    const client = () => (http ??= new HttpClient({ allowPrivateNetworks: values['allow-private-networks'] === true }));
    let failed = 0;
    try {
      for (const input of positionals) {
        const report = await parseInput(input, io, client);
        if (!report.ok) failed++;
        io.stdout.write(`${JSON.stringify(report)}\n`);
      }
    } finally {
      await http?.close();
    }
    return failed > 0 ? 1 : 0;
  },
};

async function parseInput(input: string, io: CliIO, client: () => HttpClient): Promise<ParseReport> {
  try {
    if (/^https?:\/\//i.test(input)) return await parseUrl(input, client());
    const path = resolvePath(io.cwd, input);
    const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw new AppError('not_found', err.code === 'ENOENT' ? `no such file: ${input}` : `cannot read ${input}: ${err.message}`, { cause: err });
    });
    return report(input, await readFeedBytes(bytes, undefined, pathToFileURL(path).href));
  } catch (err) {
    return { input, ok: false, error: errorMessage(err) };
  }
}

async function parseUrl(input: string, http: HttpClient): Promise<ParseReport> {
  const response = await http.get(input);
  if (response.status !== 'ok') throw new AppError('not_modified', `${input} answered 304 Not Modified to a request without validators`);
  const document = await readFetchedFeed(http, response);
  return { ...report(input, document), ...(document.discovered ? { discovered: document.discovered } : {}) };
}

function report(input: string, { feed, articles, encoding }: FeedContent): ParseReport {
  // As poll.ts does: the feed's declared language, primary subtag, goes with each of its articles.
  const language = feed.language?.trim().toLowerCase().split(/[-_]/)[0] || undefined;
  return {
    input,
    ok: true,
    encoding,
    format: feed.format,
    ...(feed.recoveredFrom ? { repaired: feed.recoveredFrom } : {}),
    feed: { title: feed.title?.trim(), link: feed.link, language: feed.language },
    items: articles.map((a) => ({
      id: a.key,
      title: a.title,
      description: a.lead,
      ...(a.body ? { content: a.body } : {}),
      url: a.url,
      published: a.publishedAt?.toISOString(),
      ...(language ? { language } : {}),
    })),
  };
}
