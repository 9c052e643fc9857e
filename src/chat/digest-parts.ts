import type { DeliveryOutcome } from '../alerts/message.ts';

/**
 * Posts a digest's parts (a platform's messages of it) in order from `from` — the earlier ones are out, the first as
 * `first` — and returns the first part's ref, or the first failure, which ends the run. `findable` (a sink that can
 * read its parts back, `Sink.recoverDigest`): a failure once a part is out is a possible post, not a rate limit, so
 * its retry looks for what went out and posts only the rest instead of the digest again whole.
 */
export async function postDigestParts<M>(
  parts: M[],
  post: (part: M, index: number) => Promise<DeliveryOutcome>,
  options: { from?: number; first?: string | null; findable?: boolean } = {},
): Promise<DeliveryOutcome> {
  let first = options.first ?? null;
  for (let i = options.from ?? 0; i < parts.length; i++) {
    const outcome = await post(parts[i]!, i);
    if (outcome.status !== 'sent') {
      if (i === 0 || outcome.status !== 'failed') return outcome;
      const detail = `${outcome.detail} (after ${i} of ${parts.length} digest parts were posted)`;
      return options.findable ? { status: 'failed', retryable: outcome.retryable, detail } : { ...outcome, detail };
    }
    first ??= outcome.messageRef;
  }
  return { status: 'sent', messageRef: first };
}
