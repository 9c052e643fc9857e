import { formatTarget } from '../chat/targets.ts';
import { existsSync } from 'node:fs';
import { checkConfigFile } from '../config-check.ts';
import { type Config, configError, configPath } from '../config.ts';
import { formatDuration } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import { openStore } from '../store/open.ts';
import { prepareSqlitePath } from '../store/sqlite-path.ts';
import type { TopicDefinition } from '../topics/define.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, cliLogger, configOption } from './context.ts';

export const checkConfigCommand: CliCommand = {
  name: 'check-config',
  summary: 'validate the config, the topic files and the database, and print what would run',
  usage: `Usage: watchfloor check-config [--config PATH]

Validates the config file and every topic file it names, compiles the topics, opens the database,
and prints the feeds, topics, routes, digests and storage that \`watchfloor run\` would use. Every
problem is listed at once, each under its key (feeds[0].url, topics[1], routes[0].topic, …); exits 2
when there is any. A database file that does not exist yet is not created. The environment is checked
too: a malformed variable (SLACK_BOT_TOKEN: a Slack bot token starts with xoxb-), and each variable a
route or digest posts with but that is not set (SLACK_BOT_TOKEN for slack:…, the named variable for
slack-webhook:… and discord-webhook:…, DISCORD_TOKEN for discord:…). Values are never printed.

Warns (exit 0) about a topic that nothing receives: no route, no digest and no stored subscription,
so its matches would be stored and never alerted; and about SLACK_BOT_TOKEN set without
SLACK_APP_TOKEN or SLACK_SIGNING_SECRET, so alerts post but no /watch command can arrive.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  async run({ values }, io) {
    const file = configPath(values.config as string | undefined, io.env, io.cwd);
    const { config, topics, problems, warnings: envWarnings } = checkConfigFile(file, io.env);
    const storage = config ? await inspectStorage(config, topics, io) : undefined;
    if (storage?.problem) problems.push(storage.problem);
    if (!config || problems.length > 0) throw configError(file, problems);

    const warnings = [...topics
      .filter((t) => !config.routes.some((r) => r.topic === t.slug) && !config.digests.some((d) => d.topic === undefined || d.topic === t.slug))
      .filter((t) => !storage?.subscribed.has(t.slug))
      .map((t) => `topic "${t.slug}" has no receiver (no route, no digest, no subscription): its matches are stored but never alerted. Add a route such as \`{ topic: ${t.slug}, to: console }\` under routes, a digest, or subscribe a channel.`), ...envWarnings];
    const lines = [
      `config: ${config.file}`,
      `storage: ${storage!.description}`,
      `poll: every tick of "${config.poll.schedule}", feed interval ${formatDuration(config.poll.interval)} (bounds ${formatDuration(config.poll.min_interval)}–${formatDuration(config.poll.max_interval)})`,
      `fetch: timeout ${formatDuration(config.fetch.timeout)}, max ${config.fetch.max_bytes} bytes, private networks ${config.fetch.allow_private_networks ? 'ALLOWED' : 'refused'}`,
      `feeds (${config.feeds.length}):`,
      ...config.feeds.map((f) => `  ${f.url}${f.interval ? ` every ${formatDuration(f.interval)}` : ''}${f.full_text ? ' (full text)' : ''}`),
      `topics (${topics.length}):`,
      ...topics.map((t) => `  ${t.slug} — ${t.title} (threshold ${t.threshold})`),
      `routes (${config.routes.length}):`,
      ...config.routes.map((r) => `  ${r.topic} → ${formatTarget(r.to)}${r.min_score ? ` (min score ${r.min_score})` : ''}`),
      `digests (${config.digests.length}):`,
      ...config.digests.map((d) => `  ${d.topic ?? 'all topics'} → ${formatTarget(d.to)} at "${d.cron}" ${d.timezone}, last ${formatDuration(d.since)}`),
      `console: ${config.console.format}`,
      ...(warnings.length ? [`warnings (${warnings.length}):`, ...warnings.map((w) => `  ${w}`)] : []),
    ];
    io.stdout.write(`${lines.join('\n')}\nconfig OK${warnings.length ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}\n`);
    return 0;
  },
};

/**
 * Opens the database as `run` would, and reads which topics have stored subscriptions. A SQLite file
 * that does not exist is not created (a check leaves nothing behind); only its folder is checked.
 */
async function inspectStorage(config: Config, topics: TopicDefinition[], io: Parameters<CliCommand['run']>[1]): Promise<{ description: string; subscribed: Set<string>; problem?: string }> {
  const subscribed = new Set<string>();
  const where = config.storage.driver === 'postgres' ? `PostgreSQL, schema ${config.storage.schema}` : config.storage.path;
  if (config.storage.driver === 'sqlite' && config.storage.path !== ':memory:' && !existsSync(config.storage.path)) {
    try {
      prepareSqlitePath(config.storage.path, { create: false });
    } catch (err) {
      return { description: where, subscribed, problem: errorMessage(err) };
    }
    return { description: `${where} (not created yet; \`watchfloor run\` creates it)`, subscribed };
  }
  const log = cliLogger(io);
  let store;
  try {
    store = await openStore(config, log);
  } catch (err) {
    return { description: where, subscribed, problem: `storage: ${errorMessage(err)}` };
  }
  try {
    for (const t of topics) if ((await store.subscribersOf(t.slug)).length > 0) subscribed.add(t.slug);
  } finally {
    await store.close();
  }
  return { description: `${where} (opened)`, subscribed };
}
