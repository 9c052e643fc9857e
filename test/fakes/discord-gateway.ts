/**
 * A fake Discord gateway (v10, JSON, no compression) over `ws` on 127.0.0.1, enough for the real discord.js 14.28
 * Client to log in and receive interactions:
 * HELLO (op 10) on connect; heartbeat (op 1) → ACK (op 11); IDENTIFY (op 2) with the fake API's token → READY
 * (guilds marked unavailable) then one GUILD_CREATE per guild (channels, an @everyone role, the bot member) —
 * discord.js emits `clientReady` only after the last one. A wrong token closes with 4004, as Discord does.
 *
 * `dispatchInteraction` sends INTERACTION_CREATE with the fields discord.js reads: a `channel` object
 * (14.28 takes `channelId` from `data.channel.id`), `entitlements`, `app_permissions`, and fields Discord
 * omits left out rather than null. The interaction is registered at the fake API so its callback is accepted.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { type FakeDiscordApi, interactionToken } from './discord-api.ts';

/** Permission bits (Discord's): a plain member, and one with Manage Server. */
export const MEMBER_PERMISSIONS = String((1n << 10n) | (1n << 11n) | (1n << 31n) | (1n << 38n));
export const MANAGE_GUILD_PERMISSIONS = String(BigInt(MEMBER_PERMISSIONS) | (1n << 5n));

export interface InteractionOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: InteractionOption[];
}

export interface InteractionInput {
  guildId: string;
  channelId: string;
  user?: { id: string; username: string };
  /** The member's permissions in the channel, as Discord computes them (a decimal string). */
  permissions?: string;
  commandName?: string;
  options?: InteractionOption[];
  /** 2 application command (default), 4 autocomplete. */
  type?: 2 | 4;
}

export interface FakeDiscordGateway {
  url: string;
  /** Every payload a client sent (IDENTIFY, heartbeats…). */
  received: Array<{ op: number; d: unknown }>;
  identified: Promise<{ token: string; intents: number }>;
  /** Sends INTERACTION_CREATE to every connected client; returns the interaction's id and token. */
  dispatchInteraction(input: InteractionInput): { id: string; token: string; payload: Record<string, unknown> };
  close(): Promise<void>;
}

export async function startFakeDiscordGateway(
  api: FakeDiscordApi,
  options: { heartbeatIntervalMs?: number } = {},
): Promise<FakeDiscordGateway> {
  const heartbeatInterval = options.heartbeatIntervalMs ?? 41_250;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  api.gatewayUrl = url;

  const received: FakeDiscordGateway['received'] = [];
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let interactions = 0;
  let resolveIdentified!: (value: { token: string; intents: number }) => void;
  const identified = new Promise<{ token: string; intents: number }>((resolve) => (resolveIdentified = resolve));

  const botUser = { id: api.bot.id, username: api.bot.username, discriminator: '0000', avatar: null, global_name: null, bot: true };
  const send = (socket: WebSocket, payload: { op: number; d: unknown; t?: string }) => {
    const s = payload.op === 0 ? ++seq : null;
    socket.send(JSON.stringify({ op: payload.op, d: payload.d, s, t: payload.t ?? null }));
  };

  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    send(socket, { op: 10, d: { heartbeat_interval: heartbeatInterval } });
    socket.on('message', (raw) => {
      let packet: { op: number; d: any };
      try {
        packet = JSON.parse(String(raw));
      } catch {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      received.push(packet);
      if (packet.op === 1) send(socket, { op: 11, d: null });
      else if (packet.op === 2) {
        if (packet.d?.token !== api.token) {
          socket.close(4004, 'Authentication failed.');
          return;
        }
        resolveIdentified({ token: packet.d.token, intents: packet.d.intents });
        send(socket, {
          op: 0,
          t: 'READY',
          d: {
            v: 10,
            user: botUser,
            guilds: api.guilds.map((g) => ({ id: g.id, unavailable: true })),
            session_id: `session-${Date.now()}`,
            resume_gateway_url: url,
            application: { id: api.applicationId, flags: 0 },
            shard: [0, 1],
            user_settings: {},
            private_channels: [],
            relationships: [],
          },
        });
        for (const guild of api.guilds) send(socket, { op: 0, t: 'GUILD_CREATE', d: guildCreate(guild) });
      }
    });
  });

  function guildCreate(guild: FakeDiscordApi['guilds'][number]): Record<string, unknown> {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      owner_id: '900000000000000001',
      features: [],
      roles: [{ id: guild.id, name: '@everyone', permissions: MEMBER_PERMISSIONS, position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
      channels: guild.channels.map((c, position) => ({ id: c.id, type: 0, name: c.name, position, permission_overwrites: [], flags: 0, nsfw: false, rate_limit_per_user: 0, parent_id: null, topic: null, last_message_id: null })),
      threads: [],
      members: [{ user: botUser, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 }],
      presences: [],
      voice_states: [],
      emojis: [],
      stickers: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      member_count: 2,
      large: false,
      unavailable: false,
      joined_at: new Date().toISOString(),
      preferred_locale: 'en-US',
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      system_channel_flags: 0,
      afk_timeout: 300,
    };
  }

  return {
    url,
    received,
    identified,
    dispatchInteraction(input) {
      const id = ((BigInt(Date.now() - 1_420_070_400_000) << 22n) | BigInt(++interactions)).toString();
      const token = interactionToken();
      api.addInteraction({ id, token, channelId: input.channelId });
      const user = { ...(input.user ?? { id: '900000000000000002', username: 'analyst' }), discriminator: '0000', avatar: null, global_name: null };
      const guild = api.guilds.find((g) => g.id === input.guildId);
      const channelName = guild?.channels.find((c) => c.id === input.channelId)?.name ?? 'unknown';
      const payload = {
        id,
        application_id: api.applicationId,
        type: input.type ?? 2,
        token,
        version: 1,
        data: { id: '1200000000000000001', name: input.commandName ?? 'watch', type: 1, ...(input.options ? { options: input.options } : {}) },
        guild_id: input.guildId,
        channel_id: input.channelId,
        channel: { id: input.channelId, type: 0, guild_id: input.guildId, name: channelName, flags: 0, position: 0, permissions: input.permissions ?? MEMBER_PERMISSIONS, parent_id: null, nsfw: false, rate_limit_per_user: 0, last_message_id: null, topic: null },
        member: { user, roles: [], permissions: input.permissions ?? MEMBER_PERMISSIONS, joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
        app_permissions: MEMBER_PERMISSIONS,
        locale: 'en-US',
        guild_locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: { '0': input.guildId },
        context: 0,
        attachment_size_limit: 10_485_760,
      };
      for (const socket of sockets) send(socket, { op: 0, t: 'INTERACTION_CREATE', d: payload });
      return { id, token, payload };
    },
    close: async () => {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
