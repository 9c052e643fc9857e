import type { Sink } from '../alerts/message.ts';

/**
 * A sink that loads its platform's module on first use: a Slack or Discord webhook sink is always available,
 * but Bolt and discord.js (~1.6 s and ~160 MB together) should load only when something is posted there.
 * `minIntervalMs` is the real sink's, declared up front: the outbox paces by it before anything is loaded.
 */
export function lazySink(platform: string, load: () => Promise<Sink>, options: Pick<Sink, 'minIntervalMs'> = {}): Sink {
  let loaded: Promise<Sink> | undefined;
  const sink = () => (loaded ??= load());
  return {
    platform,
    ...options,
    send: async (alert, to) => (await sink()).send(alert, to),
    sendDigest: async (digest, to, deliveryIds) => {
      const real = await sink();
      if (!real.sendDigest) return { status: 'rejected', code: 'no_digests', userDetail: `${platform} cannot post digests` };
      return real.sendDigest(digest, to, deliveryIds);
    },
    recover: async (alert, to) => (await sink()).recover?.(alert, to),
    recoverDigest: async (digest, to, deliveryId) => (await sink()).recoverDigest?.(digest, to, deliveryId),
    close: async () => {
      if (loaded) await (await loaded).close?.();
    },
  };
}
