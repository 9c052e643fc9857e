/**
 * The contract between the platform-neutral command layer and every chat adapter.
 *
 * Glossary
 * - caller: who typed the command, where (platform, workspace or guild, channel, user).
 * - reply: neutral data a platform renders (Slack blocks, Discord embeds, terminal text); never a platform type.
 * - handler: text in, reply out; the composition root builds one over the store and topics and hands it to
 *   each adapter, so no command is written twice.
 */
import type { Digest } from '../alerts/digest.ts';
import type { Logger } from '../log.ts';
import type { TopicCatalog } from '../topics/catalog.ts';

export interface Caller {
  platform: string;
  /** Slack team id, Discord guild id, `local` for the CLI. */
  workspace: string;
  channel: string;
  channelName?: string;
  user: string;
  userName?: string;
}

/** One piece of a reply. Text inside is untrusted (feed titles, user input): platforms escape it. */
export type ReplyPart =
  | { type: 'text'; text: string }
  | { type: 'table'; columns: string[]; rows: string[][] }
  | { type: 'links'; items: Array<{ title: string; url?: string; detail?: string }> }
  | { type: 'digest'; digest: Digest };

export interface Reply {
  /** `private`: only the caller sees it (Slack/Discord ephemeral); `channel`: everyone in the channel. */
  visibility: 'private' | 'channel';
  /** false for usage and errors: nothing was changed. */
  ok: boolean;
  parts: ReplyPart[];
}

export interface CommandRequest {
  /** Everything after `/watch`, e.g. `subscribe dprk-russia-arms min:0.7`. */
  text: string;
  caller: Caller;
  /** The adapter's admin check (configured ids, workspace admins, Discord Manage Server). */
  isAdmin: () => Promise<boolean>;
}

export type CommandHandler = (request: CommandRequest) => Promise<Reply>;

// ── the command modules ──────────────────────────────────────────────────

/** What a command returns from `parse`: its typed options, or a sentence saying what is wrong with the arguments. */
export type Parsed<O> = { ok: true; options: O } | { ok: false; error: string };

/** The words after the command's name; `rest(i)` is the raw text from word `i` on (a topic query keeps its quotes). */
export interface Args {
  words: string[];
  rest(from: number): string;
}

/** The result of adding a feed from chat: the feed URL actually stored (a page's announced feed) and what it holds. */
export interface FeedAddResult {
  id: number;
  url: string;
  title?: string;
  created: boolean;
  /** The stored feed a permanent redirect moved this URL to. */
  movedTo?: string;
  /** The page URL given, when it announced the feed that was added instead. */
  discoveredFrom?: string;
  items: number;
  /** How often the feed is polled (seconds). */
  intervalS: number;
  /** On the feed's first poll, items older than this are stored without alerting (seconds). */
  firstPollMaxAgeS: number;
}

/**
 * The network half of `feed add`, injected so the command layer's tests need no network: fetches the URL
 * through the guarded client (SSRF guard, size and time limits), follows a web page to the feed it announces,
 * and stores the feed. Rejects with an AppError whose message a user can act on.
 */
export interface FeedAdder {
  add(url: string, by: string): Promise<FeedAddResult>;
}

/**
 * The feeds the config file lists (`feeds[i]`) and the stored feed each one is: removing one from chat or the
 * CLI is refused, since the next start would add it again. Who first added a feed (`added_by`) cannot say
 * this: a feed added by hand and later listed in the file is the file's, and one dropped from the file is not.
 */
export interface ConfigFeeds {
  file: string;
  entries: Array<{ url: string; id: number }>;
}

/** Everything a command runs with. `S` is the store ports the command uses. */
export interface CommandContext<S = unknown> {
  store: S;
  topics: TopicCatalog;
  caller: Caller;
  isAdmin: () => Promise<boolean>;
  now: () => Date;
  log: Logger;
  feeds: FeedAdder;
  configFeeds: ConfigFeeds;
}

/**
 * One command: `name` is what follows `/watch` (one or two words), `usage` its synopsis, `parse` checks the
 * arguments without touching anything, `run` does the work. `admin` commands run only when the caller's
 * `isAdmin()` says so.
 */
// biome-ignore lint/suspicious/noExplicitAny: the explicit list holds commands of every option and store type
export interface Command<O = any, S = any> {
  name: string;
  usage: string;
  summary: string;
  /** Longer help shown by `help <command>` and `<command> --help`. */
  help?: string;
  admin?: boolean;
  parse(args: Args): Parsed<O>;
  run(ctx: CommandContext<S>, options: O): Promise<Reply>;
}
