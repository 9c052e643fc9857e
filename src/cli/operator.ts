/**
 * The operator at the terminal as a caller of the command layer: the console channel (the one `to: console`
 * routes to), the OS user, and always an admin — whoever runs `watchfloor` already owns the config and the
 * database. The CLI commands that share a chat command's behaviour run it through this context.
 */
import { userInfo } from 'node:os';
import type { App } from '../app.ts';
import { targetChannel } from '../chat/targets.ts';
import { configFeedsOf } from '../commands/config-feeds.ts';
import { createFeedAdder } from '../commands/feed-adder.ts';
import type { CommandStore } from '../commands/handler.ts';
import type { Caller, CommandContext, CommandRequest } from '../commands/types.ts';
import type { Logger } from '../log.ts';

/** `console`, workspace `local`, channel `stdout`, the OS user name. */
export function consoleCaller(env: NodeJS.ProcessEnv): Caller {
  const channel = targetChannel({ platform: 'console', channel: 'stdout' });
  return { platform: channel.platform, workspace: channel.workspace, channel: channel.channel, ...(channel.name ? { channelName: channel.name } : {}), user: osUser(env) };
}

function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry has no name; the environment may still carry one.
    return env.USER || env.LOGNAME || 'operator';
  }
}

/** A request from the terminal to the same handler chat adapters call. */
export function operatorRequest(text: string, env: NodeJS.ProcessEnv): CommandRequest {
  return { text, caller: consoleCaller(env), isAdmin: async () => true };
}

/**
 * The context a command's shared core runs with from the CLI. `intervalS` is the poll interval of a feed
 * `feeds add` stores (default `poll.interval`, as for feeds added from chat).
 */
export function operatorContext(app: App, log: Logger, env: NodeJS.ProcessEnv, options: { intervalS?: number } = {}): CommandContext<CommandStore> {
  const now = app.pipeline.now;
  const { poll } = app.config;
  return {
    store: app.store,
    topics: app.catalog,
    caller: consoleCaller(env),
    isAdmin: async () => true,
    now,
    log,
    feeds: createFeedAdder({ http: app.http, store: app.store, intervalS: options.intervalS ?? poll.interval, firstPollMaxAgeS: poll.first_poll_max_age, now }),
    configFeeds: configFeedsOf(app.config, app.configFeedIds),
  };
}
