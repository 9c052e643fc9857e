import { readFileSync } from 'node:fs';
import path from 'node:path';
import { addFeed } from '../commands/feed-add.ts';
import { feedTable } from '../commands/feed-list.ts';
import { feedRemove, removeFeed } from '../commands/feed-remove.ts';
import { findFeed } from '../commands/find-feed.ts';
import { parseFeedUrl } from '../commands/options.ts';
import { answer } from '../commands/reply.ts';
import { formatDuration, parseDurationS } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import { parseOpml, toOpml } from '../feeds/opml.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, usageError, withApp } from './context.ts';
import { operatorContext } from './operator.ts';
import { refused, renderReplyText } from './reply-text.ts';

/** An error's message as the middle of a sentence: one line, without its full stop. */
const sentence = (err: unknown) => errorMessage(err).replace(/\.$/, '');

export const feedsListCommand: CliCommand = {
  name: 'feeds list',
  summary: 'show every feed with its id and health: new, ok or failing, last success, next poll, last error, and the URLs it moved from',
  usage: `Usage: watchfloor feeds list [--config PATH]

The table \`/watch feed list\` shows. Health is new (not polled yet), ok, failing (with the number of
failures in a row) or paused.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  async run({ values }, io) {
    return withApp(values, io, async (app) => {
      const { table } = await feedTable(app.store);
      io.stdout.write(renderReplyText(answer('private', table)));
      return 0;
    });
  },
};

export const feedsAddCommand: CliCommand = {
  name: 'feeds add',
  summary: 'add a feed URL to the store (polled from the next cycle on)',
  usage: `Usage: watchfloor feeds add URL [--interval 15m] [--config PATH]

Fetches URL and adds it when it is a feed (RSS, Atom, RDF or JSON Feed), as \`/watch feed add\` does. A web
page that announces exactly one feed adds that feed; a page that announces none, or several, is refused
with what it announces, and nothing is added. Feeds listed in the config file are added on every start;
this adds one more to the store. A URL that is already a feed is left as it is.

Options:
  -i, --interval DUR  how often to poll it, e.g. 30m or 2h, within poll.min_interval–poll.max_interval
                      (default poll.interval)
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption, interval: { type: 'string', short: 'i' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const url = parseFeedUrl(positionals[0]);
    if (typeof url !== 'string') throw usageError(url.error);
    if (positionals.length > 1) throw usageError(`feeds add takes one URL; unexpected "${positionals[1]}".`);
    const interval = values.interval as string | undefined;
    const askedS = interval === undefined ? undefined : parseDurationS(interval);
    if (interval !== undefined && askedS === undefined) throw usageError(`--interval expects a duration such as 30m, 2h or 1d, got "${interval}".`);
    return withApp(values, io, async (app, log) => {
      const { poll } = app.config;
      if (askedS !== undefined && (askedS < poll.min_interval || askedS > poll.max_interval)) {
        throw usageError(`--interval ${interval} is outside poll.min_interval–poll.max_interval (${formatDuration(poll.min_interval)}–${formatDuration(poll.max_interval)}) in ${app.config.file}; feeds are never polled outside those bounds.`);
      }
      // What is not a feed, or an address the guard refuses, is an AppError: stderr, exit 1, nothing stored.
      io.stdout.write(renderReplyText(await addFeed(operatorContext(app, log, io.env, { intervalS: askedS }), url)));
      return 0;
    });
  },
};

export const feedsRemoveCommand: CliCommand = {
  name: 'feeds remove',
  summary: 'remove a feed and its stored articles',
  usage: `Usage: watchfloor feeds remove URL|ID [--config PATH]

Removes the feed with that URL (or a URL it moved from) or id, as \`/watch feed remove\` does. A feed
listed in the config file is refused: it would come back on the next start. Remove it from the file
first, then run this command to drop its stored articles.`,
  options: { ...configOption },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const parsed = feedRemove.parse({ words: positionals, rest: () => positionals.join(' ') });
    if (!parsed.ok) throw usageError(parsed.error);
    return withApp(values, io, async (app, log) => {
      const reply = await removeFeed(operatorContext(app, log, io.env), parsed.options.feed);
      if (!reply.ok) return refused(reply, io, 1);
      io.stdout.write(renderReplyText(reply));
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
        const { created } = await app.store.addFeed({ url: o.url, title: o.title, ...settings, category: o.category, addedBy: 'opml' }, app.pipeline.now());
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
