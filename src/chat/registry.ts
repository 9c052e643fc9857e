/**
 * Every chat platform, in one list. Adding a platform is a folder under src/chat/ exporting a `Platform`
 * and one line here; the pipeline, the commands and the scheduler only see `Sink`s and listeners.
 */
import type { Sink } from '../alerts/message.ts';
import { consolePlatform } from './console/platform.ts';
import { discordPlatform, discordWebhookPlatform } from './discord/platform.ts';
import type { ChatListener, ListenerDeps, Platform, PlatformDeps } from './platform.ts';
import { slackPlatform, slackWebhookPlatform } from './slack/platform.ts';

export const platforms: readonly Platform[] = [consolePlatform, slackPlatform, slackWebhookPlatform, discordPlatform, discordWebhookPlatform];

/** A sink for each platform the environment enables, by platform name. */
export function createSinks(deps: PlatformDeps): Map<string, Sink> {
  return new Map(platforms.filter((p) => p.enabled(deps.env)).map((p) => [p.name, p.createSink(deps)]));
}

/** The command listeners of the enabled platforms that take commands. */
export function createListeners(deps: ListenerDeps): ChatListener[] {
  return platforms.flatMap((p) => {
    const listener = p.enabled(deps.env) ? p.createListener?.(deps) : undefined;
    return listener ? [listener] : [];
  });
}
