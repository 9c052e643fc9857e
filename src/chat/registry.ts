/**
 * Every chat platform, in one list. Adding a platform is a folder under src/chat/ exporting a `Platform`
 * and one line here; the pipeline, the commands and the scheduler only see `Sink`s and listeners.
 * The platform modules listed here import no SDK: each loads its own when it is enabled.
 */
import type { Sink } from '../alerts/message.ts';
import { consolePlatform } from './console/platform.ts';
import { discordPlatform, discordWebhookPlatform } from './discord/platform.ts';
import type { ChatListener, ListenerDeps, Platform, PlatformDeps } from './platform.ts';
import { slackPlatform, slackWebhookPlatform } from './slack/platform.ts';

export const platforms: readonly Platform[] = [consolePlatform, slackPlatform, slackWebhookPlatform, discordPlatform, discordWebhookPlatform];

/** A sink for each platform the environment enables, by platform name. */
export async function createSinks(deps: PlatformDeps): Promise<Map<string, Sink>> {
  const enabled = platforms.filter((p) => p.enabled(deps.env));
  return new Map(await Promise.all(enabled.map(async (p) => [p.name, await p.createSink(deps)] as const)));
}

/** The command listeners of the enabled platforms that take commands. */
export async function createListeners(deps: ListenerDeps): Promise<ChatListener[]> {
  const listeners = await Promise.all(platforms.map((p) => (p.enabled(deps.env) ? p.createListener?.(deps) : undefined)));
  return listeners.filter((l): l is ChatListener => l !== undefined);
}
