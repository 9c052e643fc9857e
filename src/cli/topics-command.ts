import { checkSlug, parseWindow } from '../commands/options.ts';
import { TEST_DEFAULT_WINDOW_S, TEST_MAX_WINDOW_S, trialSummary, tryTopic } from '../commands/test-topic.ts';
import { unknownTopic } from '../commands/topic-names.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, usageError, withApp } from './context.ts';
import { operatorContext } from './operator.ts';
import { answer } from '../commands/reply.ts';
import { refused, renderReplyText, TOPICS_LISTER } from './reply-text.ts';
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

Scores the stored articles exactly as delivery does (the index of every topic in force, chat topics
included), as \`/watch test\` does, and lists them best first.

Options:
  -s, --since DUR     articles fetched within DUR, from 1h to 30d (default 7d)
  -a, --all           also list candidates below the threshold
${CONFIG_USAGE}`,
  options: { ...configOption, since: { type: 'string', short: 's' }, all: { type: 'boolean', short: 'a' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const slug = positionals[0];
    const slugError = checkSlug(slug, 'topics test', TOPICS_LISTER);
    if (slugError) throw usageError(slugError);
    const windowS = values.since === undefined ? TEST_DEFAULT_WINDOW_S : parseWindow(values.since as string, TEST_MAX_WINDOW_S, '--since');
    if (typeof windowS === 'string') throw usageError(windowS);
    return withApp(values, io, async (app, log) => {
      const ctx = operatorContext(app, log, io.env);
      if (!ctx.topics.get(slug!)) return refused(unknownTopic(ctx, slug!), io, 2);
      const trial = await tryTopic(ctx.store, ctx.topics.index, slug!, windowS, ctx.now());
      const rows = trial.scored.filter((s) => s.matched || values.all)
        .map((s) => [s.score.toFixed(2), s.matched ? 'yes' : 'no', shorten(s.article.title, 90), s.why]);
      const table = { type: 'table' as const, columns: ['score', 'match', 'title', 'why'], rows };
      io.stdout.write(renderReplyText(answer('private', trialSummary(trial), ...(rows.length ? [table] : []))));
      return 0;
    });
  },
};
