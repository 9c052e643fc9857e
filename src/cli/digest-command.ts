import { renderDigestText } from '../alerts/digest.ts';
import { DIGEST_DEFAULT_WINDOW_S, DIGEST_MAX_WINDOW_S, windowDigest } from '../commands/digest.ts';
import { checkSlug, parseWindow } from '../commands/options.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, usageError, withApp } from './context.ts';
import { operatorContext } from './operator.ts';
import { refused, TOPICS_LISTER } from './reply-text.ts';

export const digestCommand: CliCommand = {
  name: 'digest',
  summary: 'print a digest of the top stories of a window',
  usage: `Usage: watchfloor digest [--topic SLUG] [--since 24h] [--json] [--config PATH]

Prints the top stories first seen in the window, grouped by topic and ranked by score and freshness:
one line each with the headline, link, how many outlets carried it, and its gist. The same digest as
\`/watch digest\`, over every topic unless --topic names one.

Options:
  -t, --topic SLUG    only this topic (default: every topic)
  -s, --since DUR     the window, from 1h to 30d, e.g. 24h, 7d (default 24h)
      --json          one JSON object instead of text
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption, topic: { type: 'string', short: 't' }, since: { type: 'string', short: 's' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const windowS = values.since === undefined ? DIGEST_DEFAULT_WINDOW_S : parseWindow(values.since as string, DIGEST_MAX_WINDOW_S, '--since');
    if (typeof windowS === 'string') throw usageError(windowS);
    const topic = values.topic as string | undefined;
    const slugError = topic === undefined ? undefined : checkSlug(topic, 'digest --topic', TOPICS_LISTER);
    if (slugError) throw usageError(slugError);
    return withApp(values, io, async (app, log) => {
      const digest = await windowDigest(operatorContext(app, log, io.env), { ...(topic ? { topic } : {}), windowS });
      if ('parts' in digest) return refused(digest, io, 2);
      io.stdout.write(values.json ? `${JSON.stringify(digest)}\n` : `${renderDigestText(digest)}\n`);
      return 0;
    });
  },
};
