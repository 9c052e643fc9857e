import { parseDurationS } from '../duration.ts';
import { compileTopics } from '../topics/compile.ts';
import { matchTopic } from '../topics/match.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, usageError, withApp } from './context.ts';
import { formatTable, shorten } from './table.ts';

export const topicsListCommand: CliCommand = {
  name: 'topics list',
  summary: 'list the watch topics with their threshold and subscribers',
  usage: `Usage: watchfloor topics list [--config PATH]`,
  options: { ...configOption },
  async run({ values }, io) {
    return withApp(values, io, async (app) => {
      const rows = await Promise.all(app.catalog.list().map(({ definition: t }) => t).map(async (t) => [t.slug, t.threshold.toFixed(2), String((await app.store.subscribersOf(t.slug)).length), t.title]));
      io.stdout.write(formatTable(['slug', 'threshold', 'subscribers', 'title'], rows));
      return 0;
    });
  },
};

export const topicsTestCommand: CliCommand = {
  name: 'topics test',
  summary: 'score the stored articles of a window against one topic: what would have matched',
  usage: `Usage: watchfloor topics test SLUG [--since 7d] [--all] [--config PATH]

Options:
  -s, --since DUR     articles fetched within DUR (default 7d)
  -a, --all           also list candidates below the threshold
${CONFIG_USAGE}`,
  options: { ...configOption, since: { type: 'string', short: 's' }, all: { type: 'boolean', short: 'a' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const slug = positionals[0];
    if (!slug) throw usageError('topics test expects a topic slug, e.g. `watchfloor topics test dprk-russia-arms --since 7d`.');
    const sinceS = parseDurationS((values.since as string | undefined) ?? '7d');
    if (sinceS === undefined) throw usageError(`--since expects a duration such as 24h or 7d, got "${values.since}".`);
    return withApp(values, io, async (app) => {
      const topic = app.catalog.get(slug)?.definition;
      if (!topic) throw usageError(`no topic "${slug}"; known topics: ${app.catalog.list().map((t) => t.definition.slug).join(', ')}.`);
      const index = compileTopics([topic]);
      const rows: Array<[number, string[]]> = [];
      const articles = await app.store.articlesSince(new Date(Date.now() - sinceS * 1000));
      for (const a of articles) {
        const m = matchTopic(index, { title: a.title, lead: a.lead, body: a.body, language: a.language ?? undefined }, slug);
        if (m && (m.matched || values.all)) rows.push([m.score, [m.score.toFixed(2), m.matched ? 'yes' : 'no', shorten(a.title, 90), m.why]]);
      }
      rows.sort((x, y) => y[0] - x[0]);
      io.stdout.write(`${rows.filter((r) => r[1][1] === 'yes').length} of ${articles.length} stored articles would have matched ${slug}\n`);
      if (rows.length) io.stdout.write(formatTable(['score', 'match', 'title', 'why'], rows.map((r) => r[1])));
      return 0;
    });
  },
};
