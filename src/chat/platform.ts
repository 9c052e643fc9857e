/**
 * What a chat platform gives the composition root. A platform is a folder under src/chat/ exporting one
 * `Platform`, listed in registry.ts; nothing else in the app names it.
 *
 * Glossary
 * - sink: posts alerts and digests into channels (every platform has one).
 * - listener: receives `/watch` commands (the Slack app, the Discord bot); webhooks and the console have none.
 * - mount: a route on the bot's one HTTP server (`http.port`), for listeners that receive over HTTP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Sink } from '../alerts/message.ts';
import type { CommandHandler } from '../commands/types.ts';
import type { Config } from '../config.ts';
import type { Env } from '../env.ts';
import type { Logger } from '../log.ts';

export type Output = NodeJS.WritableStream & { isTTY?: boolean };

export interface PlatformDeps {
  env: Env;
  config: Config;
  log: Logger;
  stdout: Output;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface ListenerDeps extends Omit<PlatformDeps, 'stdout'> {
  handler: CommandHandler;
  /** Topic slugs for autocomplete, read when asked (chat topics come and go). */
  topicNames: () => string[];
  mount: (path: string, listener: RequestListener) => void;
}

export interface ChatListener {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `enabled` is cheap and synchronous; the factories are async so that a platform's SDK (Bolt, discord.js:
 * together ~1.6 s and ~160 MB to load) is imported only when the environment enables that platform.
 */
export interface Platform {
  /** The `platform` of its channels and of its `to:` targets (src/chat/targets.ts). */
  name: string;
  /** Whether the environment holds what posting needs (a token); webhook platforms are always ready. */
  enabled(env: Env): boolean;
  createSink(deps: PlatformDeps): Promise<Sink>;
  /** Present for platforms that take commands; undefined when the environment does not enable them. */
  createListener?(deps: ListenerDeps): Promise<ChatListener | undefined>;
}
