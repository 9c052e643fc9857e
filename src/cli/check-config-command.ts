import { formatDuration } from '../duration.ts';
import { compileTopics } from '../topics/compile.ts';
import { checkRoutes } from '../main.ts';
import { loadTopicFile } from '../topics/define.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, loadCliConfig } from './context.ts';

export const checkConfigCommand: CliCommand = {
  name: 'check-config',
  summary: 'validate the config and the topic files, and print what would run',
  usage: `Usage: watchfloor check-config [--config PATH]

Validates the config file and every topic file it names, compiles the topics, and prints the feeds,
topics, routes, digests and storage that \`watchfloor run\` would use. Exits 2 naming the bad key.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  async run({ values }, io) {
    const config = loadCliConfig(values, io);
    const topics = config.topicFiles.map((file) => loadTopicFile(file));
    compileTopics(topics);
    checkRoutes(config, topics);
    const lines = [
      `config: ${config.file}`,
      `storage: ${config.storage.path}`,
      `poll: every tick of "${config.poll.schedule}", feed interval ${formatDuration(config.poll.interval)} (bounds ${formatDuration(config.poll.min_interval)}–${formatDuration(config.poll.max_interval)})`,
      `fetch: timeout ${formatDuration(config.fetch.timeout)}, max ${config.fetch.max_bytes} bytes, private networks ${config.fetch.allow_private_networks ? 'ALLOWED' : 'refused'}`,
      `feeds (${config.feeds.length}):`,
      ...config.feeds.map((f) => `  ${f.url}${f.interval ? ` every ${formatDuration(f.interval)}` : ''}${f.full_text ? ' (full text)' : ''}`),
      `topics (${topics.length}):`,
      ...topics.map((t) => `  ${t.slug} — ${t.title} (threshold ${t.threshold})`),
      `routes (${config.routes.length}):`,
      ...config.routes.map((r) => `  ${r.topic} → ${r.to}${r.min_score ? ` (min score ${r.min_score})` : ''}`),
      `digests (${config.digests.length}):`,
      ...config.digests.map((d) => `  ${d.topic ?? 'all topics'} → ${d.to} at "${d.cron}" ${d.timezone}, last ${formatDuration(d.since)}`),
      `console: ${config.console.format}`,
    ];
    io.stdout.write(`${lines.join('\n')}\nconfig OK\n`);
    return 0;
  },
};
