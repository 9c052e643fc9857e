import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatDuration, parseDurationS } from '../duration.ts';
import { AppError, errorMessage } from '../errors.ts';
import { parseOpml, toOpml } from '../feeds/opml.ts';
import { HtmlPageError } from '../feeds/parse.ts';
import { type FeedDocument, readFetchedFeed } from '../feeds/read.ts';
import type { App } from '../app.ts';
import type { FeedRow } from '../store/store.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, usageError, withApp } from './context.ts';
import { formatTable, shorten } from './table.ts';

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');

export const feedsListCommand: CliCommand = {
  name: 'feeds list',
  summary: 'show every feed with its state: ok or failing, failures, last success, next poll, last error, and the URLs it moved from',
  usage: `Usage: watchfloor feeds list [--config PATH]

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  async run({ values }, io) {
    return withApp(values, io, async (app) => {
      const [feeds, moves] = await Promise.all([app.store.listFeeds(), app.store.listFeedMoves()]);
      const movedFrom = (id: number) => moves.filter((m) => m.feedId === id).map((m) => m.url).join(' ');
      io.stdout.write(formatTable(
        ['status', 'failures', 'last success', 'next poll', 'url', 'last error', 'moved from'],
        feeds.map((f) => [f.firstPoll && f.failures === 0 ? 'new' : f.status, String(f.failures), when(f.lastSuccessAt), when(f.nextPollAt), f.url, shorten(f.lastError ?? '', 120), movedFrom(f.id)]),
      ));
      return 0;
    });
  },
};

export const feedsAddCommand: CliCommand = {
  name: 'feeds add',
  summary: 'add a feed URL to the store (polled from the next cycle on)',
  usage: `Usage: watchfloor feeds add URL [--interval 15m] [--config PATH]

Fetches URL and adds it when it is a feed (RSS, Atom, RDF or JSON Feed). A web page that announces
exactly one feed adds that feed; a page that announces none, or several, is refused with what it
announces. Feeds listed in the config file are added on every start; this adds one more to the store.
A URL that is already a feed is left as it is.

Options:
  -i, --interval DUR  how often to poll it, e.g. 30m or 2h, within poll.min_interval–poll.max_interval
                      (default poll.interval)
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption, interval: { type: 'string', short: 'i' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const url = positionals[0];
    if (!url || !/^https?:\/\//i.test(url)) throw usageError('feeds add expects one http or https URL, e.g. `watchfloor feeds add https://example.org/rss.xml`.');
    const interval = values.interval as string | undefined;
    const askedS = interval === undefined ? undefined : parseDurationS(interval);
    if (interval !== undefined && askedS === undefined) throw usageError(`--interval expects a duration such as 30m, 2h or 1d, got "${interval}".`);
    return withApp(values, io, async (app) => {
      const { poll } = app.config;
      if (askedS !== undefined && (askedS < poll.min_interval || askedS > poll.max_interval)) {
        throw usageError(`--interval ${interval} is outside poll.min_interval–poll.max_interval (${formatDuration(poll.min_interval)}–${formatDuration(poll.max_interval)}) in ${app.config.file}; feeds are never polled outside those bounds.`);
      }
      const intervalS = askedS ?? poll.interval;
      const already = async (candidate: string) => {
        const present = await findFeed(app.store, candidate);
        if (!present) return false;
        io.stdout.write(present.url === candidate
          ? `${candidate} is already a feed (every ${formatDuration(present.intervalS)}); nothing changed\n`
          : `${candidate} is already a feed: it moved permanently to ${present.url}; nothing changed\n`);
        return true;
      };
      if (await already(url)) return 0;
      const document = await readFeedAt(app, url);
      const feedUrl = document.discovered ?? url;
      if (document.discovered && (await already(feedUrl))) return 0;
      await app.store.addFeed({ url: feedUrl, title: document.feed.title, intervalS, addedBy: 'cli' }, new Date());
      const announced = document.discovered ? ` (the feed ${url} announces)` : '';
      const title = document.feed.title ? ` "${document.feed.title}"` : '';
      io.stdout.write(`added ${feedUrl}${announced}:${title} ${document.articles.length} items now, polled every ${formatDuration(intervalS)}\n`);
      return 0;
    });
  },
};

/** Fetches and reads `url` as the poller would; anything that is not a feed is refused with a sentence. */
async function readFeedAt(app: App, url: string): Promise<FeedDocument> {
  try {
    const response = await app.http.get(url);
    if (response.status !== 'ok') throw new AppError('not_a_feed', `${url} answered 304 Not Modified to a request without validators`);
    return await readFetchedFeed(app.http, response);
  } catch (err) {
    const hint = err instanceof HtmlPageError
      ? (err.feeds.length === 0 ? ' Find the RSS or Atom link on that page and add it instead.' : ' Add one of them instead.')
      : '';
    throw new AppError('not_a_feed', `cannot add ${url}: ${sentence(err)}. Nothing was added.${hint}`, { cause: err });
  }
}

/** An error's message as the middle of a sentence: one line, without its full stop. */
const sentence = (err: unknown) => errorMessage(err).replace(/\.$/, '');

/** The stored feed with this URL, or the feed it moved to. */
async function findFeed(store: App['store'], url: string): Promise<FeedRow | undefined> {
  const direct = await store.getFeedByUrl(url);
  if (direct) return direct;
  const move = (await store.listFeedMoves()).find((m) => m.url === url);
  return move ? (await store.listFeeds()).find((f) => f.id === move.feedId) : undefined;
}

export const feedsRemoveCommand: CliCommand = {
  name: 'feeds remove',
  summary: 'remove a feed and its stored articles',
  usage: `Usage: watchfloor feeds remove URL [--config PATH]

A feed listed in the config file is refused: it would come back on the next start. Remove it from
the file first, then run this command to drop its stored articles.`,
  options: { ...configOption },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const url = positionals[0];
    if (!url) throw usageError('feeds remove expects the feed URL as shown by `watchfloor feeds list`.');
    return withApp(values, io, async (app) => {
      // The entry may name the URL the feed had before a permanent redirect.
      const stored = await app.store.getFeedByUrl(url);
      const listed = app.config.feeds.findIndex((f, i) => f.url === url || app.configFeedIds[i] === stored?.id);
      if (listed >= 0) {
        const as = app.config.feeds[listed]!.url === url ? '' : ` (as ${app.config.feeds[listed]!.url}, which moved to it)`;
        io.stderr.write(`watchfloor: ${url} is feeds[${listed}] in ${app.config.file}${as}; remove it there first, or it comes back on the next start.\n`);
        return 1;
      }
      if (!(await app.store.removeFeed(url))) {
        io.stderr.write(`watchfloor: no feed ${url}; see \`watchfloor feeds list\`.\n`);
        return 1;
      }
      io.stdout.write(`removed ${url}\n`);
      return 0;
    });
  },
};

export const feedsImportCommand: CliCommand = {
  name: 'feeds import',
  summary: 'add every feed of an OPML file, keeping its folders',
  usage: `Usage: watchfloor feeds import FILE.opml [--config PATH]

Adds every outline with an http or https xmlUrl, remembering the folder it is in (\`feeds export\`
nests it there again). Feeds already stored keep their settings. A file that is not OPML, is cut off,
or lists no feed is refused and nothing is imported.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const file = positionals[0];
    if (!file) throw usageError('feeds import expects an OPML file, e.g. `watchfloor feeds import subscriptions.opml`.');
    let text: string;
    try {
      text = readFileSync(path.resolve(io.cwd, file), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw usageError(code === 'ENOENT' ? `cannot import ${file}: no such file.` : `cannot import ${file}: ${sentence(err)}.`);
    }
    let outlines;
    try {
      outlines = parseOpml(text);
    } catch (err) {
      throw usageError(`cannot import ${file}: ${sentence(err)}.`);
    }
    if (outlines.length === 0) throw usageError(`cannot import ${file}: it lists no feed (no outline has an http or https xmlUrl); nothing was imported.`);
    return withApp(values, io, async (app) => {
      let added = 0;
      for (const o of outlines) {
        // A feed already stored keeps its interval and full-text setting (addFeed would apply the ones given).
        const present = await findFeed(app.store, o.url);
        const settings = present ? { intervalS: present.intervalS, fullText: present.fullText } : { intervalS: app.config.poll.interval };
        const { created } = await app.store.addFeed({ url: o.url, title: o.title, ...settings, category: o.category, addedBy: 'opml' }, new Date());
        if (created) added++;
      }
      io.stdout.write(`imported ${outlines.length} feeds from ${file} (${added} new, ${outlines.length - added} already present)\n`);
      return 0;
    });
  },
};

export const feedsExportCommand: CliCommand = {
  name: 'feeds export',
  summary: 'print every feed as OPML on stdout, in the folders they were imported from',
  usage: `Usage: watchfloor feeds export [--config PATH] > feeds.opml

A feed imported from an OPML folder is nested in an outline of that folder's name; the others are
at the top level.`,
  options: { ...configOption },
  async run({ values }, io) {
    return withApp(values, io, async (app) => {
      io.stdout.write(toOpml((await app.store.listFeeds()).map((f) => ({ url: f.url, title: f.title ?? undefined, category: f.category ?? undefined })), 'Watchfloor feeds'));
      return 0;
    });
  },
};
