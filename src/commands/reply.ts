import type { ChannelRef } from '../store/store.ts';
import type { Caller, CommandContext, Reply, ReplyPart } from './types.ts';

/** A reply that changed nothing: a usage or an error sentence, for the caller only. */
export function refuse(text: string): Reply {
  return { visibility: 'private', ok: false, parts: [{ type: 'text', text }] };
}

export function answer(visibility: Reply['visibility'], ...parts: Array<ReplyPart | string>): Reply {
  return { visibility, ok: true, parts: parts.map((p) => (typeof p === 'string' ? { type: 'text', text: p } : p)) };
}

/** Who made a change, as stored in `created_by`/`added_by`: platform, workspace and user ids (names change). */
export function callerId(caller: Caller): string {
  return `${caller.platform}:${caller.workspace}:${caller.user}`;
}

export function channelOf(caller: Caller): ChannelRef {
  return { platform: caller.platform, workspace: caller.workspace, channel: caller.channel, ...(caller.channelName ? { name: caller.channelName } : {}) };
}

/** How a reply names the caller's channel. */
export function channelLabel(caller: Caller): string {
  return caller.channelName ? `#${caller.channelName}` : 'this channel';
}

/** Every change is logged with who made it and where. */
export function audit(ctx: CommandContext, message: string, fields: Record<string, unknown>): void {
  const { platform, workspace, channel, user, userName } = ctx.caller;
  ctx.log.info({ ...fields, by: { platform, workspace, channel, user, ...(userName ? { userName } : {}) } }, message);
}
