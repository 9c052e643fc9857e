import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseOpml, toOpml } from '../feeds/opml.ts';
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

Feeds listed in the config file are added on every start; this adds one more to the store.`,
  options: { ...configOption, interval: { type: 'string' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const url = positionals[0];
    if (!url || !/^https?:\/\//i.test(url)) throw usageError('feeds add expects one http or https URL, e.g. `watchfloor feeds add https://example.org/rss.xml`.');
    return withApp(values, io, async (app) => {
      const { created, movedTo } = await app.store.addFeed({ url, intervalS: app.config.poll.interval, addedBy: 'cli' }, new Date());
      io.stdout.write(created ? `added ${url}\n` : movedTo ? `${url} is already a feed: it moved permanently to ${movedTo}\n` : `${url} is already a feed\n`);
      return 0;
    });
  },
};

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
  summary: 'add every feed of an OPML file',
  usage: `Usage: watchfloor feeds import FILE.opml [--config PATH]`,
  options: { ...configOption },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const file = positionals[0];
    if (!file) throw usageError('feeds import expects an OPML file, e.g. `watchfloor feeds import subscriptions.opml`.');
    let outlines;
    try {
      outlines = parseOpml(readFileSync(path.resolve(io.cwd, file), 'utf8'));
    } catch (err) {
      throw usageError(`cannot import ${file}: ${(err as Error).message}`);
    }
    return withApp(values, io, async (app) => {
      let added = 0;
      for (const o of outlines) if ((await app.store.addFeed({ url: o.url, title: o.title, intervalS: app.config.poll.interval, addedBy: 'opml' }, new Date())).created) added++;
      io.stdout.write(`imported ${outlines.length} feeds from ${file} (${added} new, ${outlines.length - added} already present)\n`);
      return 0;
    });
  },
};

export const feedsExportCommand: CliCommand = {
  name: 'feeds export',
  summary: 'print every feed as OPML on stdout',
  usage: `Usage: watchfloor feeds export [--config PATH] > feeds.opml`,
  options: { ...configOption },
  async run({ values }, io) {
    return withApp(values, io, async (app) => {
      io.stdout.write(toOpml((await app.store.listFeeds()).map((f) => ({ url: f.url, title: f.title ?? undefined })), 'Watchfloor feeds'));
      return 0;
    });
  },
};
