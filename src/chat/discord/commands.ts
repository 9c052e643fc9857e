/**
 * The `/watch` slash command: its definition, its registration, and the way back from Discord's structured
 * options to the text form the platform-neutral command layer reads (`subscribe dprk-russia-arms min:0.7`).
 *
 * One table (`SUBCOMMANDS`) drives all three, so a new option cannot be registered yet forgotten in the
 * translation; every argument of a command's `usage` has its option here (test/chat/discord/commands.test.ts
 * checks the count and that each translation parses back to the same options). Admin subcommands (`feed …`, `topic …`, `schedule`) sit in the same command: Discord sets
 * `default_member_permissions` per command only, so setting Manage Server there would hide `subscribe` from
 * everyone else. The bot checks Manage Server on every interaction instead (`isAdmin`).
 *
 * `deployCommands({ token, applicationId, apiUrl?, guildId? })` bulk-overwrites the application's commands
 * (globally, or in one server with `guildId`, which applies at once): `watchfloor discord deploy` calls it.
 */
import {
  DiscordAPIError,
  InteractionContextType,
  REST,
  Routes,
  type RESTPutAPIApplicationCommandsResult,
  SlashCommandBuilder,
  type SlashCommandSubcommandBuilder,
} from 'discord.js';
import { commands } from '../../commands/index.ts';
import { AppError } from '../../errors.ts';
import { DEFAULT_API_URL } from './adapter.ts';

export const WATCH_COMMAND = 'watch';

/**
 * How an option becomes text: `positional` (the value, quoted when it has spaces or quotes), `keyed`
 * (`name:value`), `flag` (`--name` when true), `named` (`--name value`), `raw` (the words as typed: `daily 08:00`).
 */
type Render = 'positional' | 'keyed' | 'flag' | 'named' | 'raw';

interface OptionSpec {
  name: string;
  description: string;
  type: 'string' | 'number' | 'boolean';
  render: Render;
  required?: boolean;
  /** Topic names offered as the user types. */
  topic?: boolean;
  choices?: string[];
  min?: number;
  max?: number;
  maxLength?: number;
}

interface SubcommandSpec {
  /** Group (`feed`, `topic`) or none. */
  group?: 'feed' | 'topic';
  name: string;
  description: string;
  /** The command layer's words for it: `subscribe`, `feed add`, `digest schedule`. */
  text: string;
  options: OptionSpec[];
}

const topic = (description: string, required = true): OptionSpec => ({ name: 'topic', description, type: 'string', render: 'positional', required, topic: true, maxLength: 100 });
/** A window as a choice: the command layer accepts any duration in its range, Discord offers the usual ones. */
const period = (fallback: string): OptionSpec => ({ name: 'period', description: `How far back (default ${fallback})`, type: 'string', render: 'positional', choices: ['24h', '3d', '7d', '30d'] });

export const SUBCOMMANDS: SubcommandSpec[] = [
  { name: 'subscribe', text: 'subscribe', description: 'Post alerts for a topic in this channel', options: [
    topic('The topic to follow'),
    { name: 'min', description: 'Lowest score that alerts, 0–1 (default: the topic’s threshold)', type: 'number', render: 'keyed', min: 0, max: 1 },
    { name: 'since', description: 'Also alert the stories of the last … now (default: only new ones)', type: 'string', render: 'named', choices: ['6h', '24h', '3d', '7d'] },
  ] },
  { name: 'unsubscribe', text: 'unsubscribe', description: 'Stop alerts for a topic in this channel', options: [topic('The topic to stop')] },
  { name: 'list', text: 'list', description: 'This channel’s subscriptions and their state', options: [] },
  { name: 'topics', text: 'topics', description: 'All topics you can subscribe to', options: [] },
  { name: 'digest', text: 'digest', description: 'The top stories of the last day or week', options: [
    topic('Only this topic (default: this channel’s)', false),
    period('24h'),
    { name: 'private', description: 'Only you see the answer', type: 'boolean', render: 'flag' },
  ] },
  { name: 'test', text: 'test', description: 'What a topic would have matched (only you see it)', options: [topic('The topic to try'), period('7d')] },
  { name: 'help', text: 'help', description: 'How to use /watch', options: [
    // The command layer's names (`feed add`), so help tells about the text form every platform shares.
    { name: 'command', description: 'Tell more about one command', type: 'string', render: 'positional', choices: commands.map((c) => c.name) },
  ] },
  { name: 'split', text: 'story split', description: 'Admin: take an article out of a story it was wrongly folded into', options: [
    { name: 'article', description: 'The article id (a follow-up shows it)', type: 'number', render: 'positional', required: true, min: 1 },
  ] },
  { name: 'schedule', text: 'digest schedule', description: 'Admin: post a digest here on a schedule', options: [
    { name: 'when', description: '"daily 08:00", "weekly mon 08:00" or "off"', type: 'string', render: 'raw', required: true, maxLength: 40 },
    { name: 'timezone', description: 'An IANA time zone, e.g. Europe/Berlin (default UTC)', type: 'string', render: 'positional', maxLength: 64 },
  ] },
  { group: 'feed', name: 'add', text: 'feed add', description: 'Admin: add a feed (or a page that announces one)', options: [
    { name: 'url', description: 'http(s) address of the feed or site', type: 'string', render: 'positional', required: true, maxLength: 2000 },
  ] },
  { group: 'feed', name: 'list', text: 'feed list', description: 'Admin: feeds and their health', options: [] },
  { group: 'feed', name: 'remove', text: 'feed remove', description: 'Admin: remove a feed', options: [
    { name: 'feed', description: 'The feed’s address or id', type: 'string', render: 'positional', required: true, maxLength: 2000 },
  ] },
  { group: 'topic', name: 'add', text: 'topic add', description: 'Admin: create a topic from a one-line query', options: [
    { name: 'slug', description: 'Short name, e.g. sanctions-shipping', type: 'string', render: 'positional', required: true, maxLength: 64 },
    { name: 'query', description: 'e.g. (Rason OR Vostochny) AND (ship* OR vessel*) -tourism', type: 'string', render: 'positional', required: true, maxLength: 500 },
  ] },
  { group: 'topic', name: 'remove', text: 'topic remove', description: 'Admin: remove a topic made in chat', options: [
    { name: 'slug', description: 'The topic to remove', type: 'string', render: 'positional', required: true, topic: true, maxLength: 100 },
  ] },
];

const GROUP_DESCRIPTIONS = { feed: 'Admin: the feeds Watchfloor polls', topic: 'Admin: topics made in chat' } as const;

/** The `/watch` command as registered (guild channels only: subscriptions belong to a server's channel). */
export function watchCommand(): SlashCommandBuilder {
  const command = new SlashCommandBuilder()
    .setName(WATCH_COMMAND)
    .setDescription('News alerts: follow topics in this channel, ask for digests')
    .setContexts(InteractionContextType.Guild);
  const define = (sub: SlashCommandSubcommandBuilder, spec: SubcommandSpec) => {
    sub.setName(spec.name).setDescription(spec.description);
    for (const o of spec.options) {
      if (o.type === 'boolean') sub.addBooleanOption((b) => b.setName(o.name).setDescription(o.description).setRequired(o.required ?? false));
      else if (o.type === 'number') {
        sub.addNumberOption((n) => {
          n.setName(o.name).setDescription(o.description).setRequired(o.required ?? false);
          if (o.min !== undefined) n.setMinValue(o.min);
          if (o.max !== undefined) n.setMaxValue(o.max);
          return n;
        });
      } else {
        sub.addStringOption((s) => {
          s.setName(o.name).setDescription(o.description).setRequired(o.required ?? false);
          if (o.topic) s.setAutocomplete(true);
          if (o.choices) s.addChoices(...o.choices.map((c) => ({ name: c, value: c })));
          if (o.maxLength) s.setMaxLength(o.maxLength);
          return s;
        });
      }
    }
    return sub;
  };
  for (const spec of SUBCOMMANDS.filter((s) => !s.group)) command.addSubcommand((sub) => define(sub, spec));
  for (const group of ['feed', 'topic'] as const) {
    command.addSubcommandGroup((g) => {
      g.setName(group).setDescription(GROUP_DESCRIPTIONS[group]);
      for (const spec of SUBCOMMANDS.filter((s) => s.group === group)) g.addSubcommand((sub) => define(sub, spec));
      return g;
    });
  }
  return command;
}

/** The option tree discord.js gives (`interaction.options.data`) or Discord sends (`data.options`). */
export interface OptionNode {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: readonly OptionNode[];
}

export interface WatchRequest {
  spec: SubcommandSpec;
  /** The command layer's text, e.g. `subscribe dprk-russia-arms min:0.7`. */
  text: string;
  values: Record<string, string | number | boolean>;
}

const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;

/** Finds the subcommand an interaction names and its option values; undefined for one we do not know. */
export function resolveSubcommand(options: readonly OptionNode[]): { spec: SubcommandSpec; values: Record<string, string | number | boolean>; focused?: string } | undefined {
  let group: string | undefined;
  let node: OptionNode | undefined = options[0];
  if (node?.type === SUBCOMMAND_GROUP) {
    group = node.name;
    node = node.options?.[0];
  }
  if (!node || node.type !== SUBCOMMAND) return undefined;
  const name = node.name;
  const spec = SUBCOMMANDS.find((s) => s.name === name && s.group === group);
  if (!spec) return undefined;
  const values: Record<string, string | number | boolean> = {};
  let focused: string | undefined;
  for (const option of node.options ?? []) {
    if (option.value !== undefined) values[option.name] = option.value;
    if (option.focused) focused = option.name;
  }
  return { spec, values, ...(focused ? { focused } : {}) };
}

/** `/watch subscribe topic:dprk-russia-arms min:0.7` → `subscribe dprk-russia-arms min:0.7`. */
export function watchRequest(options: readonly OptionNode[]): WatchRequest | undefined {
  const found = resolveSubcommand(options);
  if (!found) return undefined;
  const { spec, values } = found;
  const words = [spec.text];
  for (const o of spec.options) {
    const value = values[o.name];
    if (value === undefined || value === '') continue;
    if (o.render === 'flag') {
      if (value === true) words.push(`--${o.name}`);
    } else if (o.render === 'named') words.push(`--${o.name}`, quoteArg(String(value)));
    else if (o.render === 'keyed') words.push(`${o.name}:${quoteArg(String(value))}`);
    else if (o.render === 'raw') words.push(String(value).replace(/\s+/g, ' ').trim());
    else words.push(quoteArg(String(value)));
  }
  return { spec, text: words.join(' '), values };
}

/**
 * A value as one word of the text form (src/commands/tokenize.ts): bare when it has no space or quote, else in
 * double quotes with each `"` written `\"` (`"\"North Korea\" OR DPRK"`).
 */
export function quoteArg(value: string): string {
  if (/^[^\s"]+$/.test(value)) return value;
  return `"${value.replace(/"/g, '\\"')}"`;
}

/** Names of the options that autocomplete topic names. */
export function isTopicOption(spec: SubcommandSpec, option: string): boolean {
  return spec.options.some((o) => o.name === option && o.topic === true);
}

/** Up to 25 topic names for what the user has typed: prefix matches first, then the rest that contain it. */
export function topicChoices(names: readonly string[], typed: string): Array<{ name: string; value: string }> {
  const query = typed.trim().toLowerCase();
  const prefix = names.filter((n) => n.toLowerCase().startsWith(query));
  const inner = query ? names.filter((n) => !n.toLowerCase().startsWith(query) && n.toLowerCase().includes(query)) : [];
  return [...prefix, ...inner].filter((n) => n.length >= 1 && n.length <= 100).slice(0, 25).map((n) => ({ name: n, value: n }));
}

export interface DeployOptions {
  token: string;
  applicationId: string;
  apiUrl?: string;
  /** Register in this server only (applies at once; global commands may take a while to show). */
  guildId?: string;
}

/** Registers `/watch` (bulk overwrite, so a removed option disappears too). Returns what Discord stored. */
export async function deployCommands(options: DeployOptions): Promise<RESTPutAPIApplicationCommandsResult> {
  const rest = new REST({ version: '10', api: options.apiUrl ?? DEFAULT_API_URL, timeout: 15_000 }).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  try {
    return (await rest.put(route, { body: [watchCommand().toJSON()] })) as RESTPutAPIApplicationCommandsResult;
  } catch (err) {
    if (err instanceof DiscordAPIError) {
      if (err.status === 401) throw new AppError('discord_token', 'Discord refused DISCORD_TOKEN: copy the bot token again from the Developer Portal (Bot → Reset Token).', { cause: err });
      if (err.status === 403 && options.guildId) {
        throw new AppError('discord_guild', `The bot cannot register commands in server ${options.guildId}: invite it there with the "bot applications.commands" scopes first.`, { cause: err });
      }
      if (err.status === 403 || err.status === 404) {
        throw new AppError('discord_application', `DISCORD_APPLICATION_ID ${options.applicationId} is not this bot's application: copy the Application ID from the Developer Portal (General Information).`, { cause: err });
      }
      throw new AppError('discord_deploy', `Discord rejected the /watch command (${err.code}: ${err.message}).`, { cause: err });
    }
    throw new AppError('discord_unreachable', `Could not reach Discord to register /watch: ${err instanceof Error ? err.message : String(err)}.`, { retryable: true, cause: err });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
