import { collectDigest } from '../alerts/digest-source.ts';
import { renderDigestText } from '../alerts/digest.ts';
import { parseDurationS } from '../duration.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, usageError, withApp } from './context.ts';

export const digestCommand: CliCommand = {
  name: 'digest',
  summary: 'print a digest of the top stories of a window',
  usage: `Usage: watchfloor digest [--topic SLUG] [--since 24h] [--json] [--config PATH]

Prints the top stories first seen in the window, grouped by topic and ranked by score and freshness:
one line each with the headline, link, how many outlets carried it, and its gist.

Options:
  -t, --topic SLUG    only this topic (default: every topic)
  -s, --since DUR     the window, e.g. 24h, 7d (default 24h)
      --json          one JSON object instead of text
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption, topic: { type: 'string', short: 't' }, since: { type: 'string', short: 's' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const sinceS = parseDurationS((values.since as string | undefined) ?? '24h');
    if (sinceS === undefined) throw usageError(`--since expects a duration such as 24h or 7d, got "${values.since}".`);
    return withApp(values, io, async (app) => {
      const topic = values.topic as string | undefined;
      if (topic && !app.catalog.get(topic)) {
        throw usageError(`no topic "${topic}"; known topics: ${app.catalog.list().map((t) => t.definition.slug).join(', ')}.`);
      }
      const until = new Date();
      const digest = await collectDigest(app.store, { topic, since: new Date(until.getTime() - sinceS * 1000), until });
      io.stdout.write(values.json ? JSON.stringify(digest) + '\n' : renderDigestText(digest) + '\n');
      return 0;
    });
  },
};
