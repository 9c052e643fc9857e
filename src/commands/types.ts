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
