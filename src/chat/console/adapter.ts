import { type Digest, renderDigestText } from '../../alerts/digest.ts';
import type { Alert, DeliveryOutcome, Sink } from '../../alerts/message.ts';
import { alertJson, alertText, digestJson } from './format.ts';

type Output = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * Prints alerts on stdout: pretty blocks on a terminal, JSON Lines for scripts. Logs stay on stderr.
 * An alert counts as sent only once its bytes were handed to the stream without error; after the reader
 * went away (`watchfloor once | head -1`: EPIPE), nothing more is written and the rest stay pending.
 */
export function createConsoleSink(options: { format: 'pretty' | 'json'; out: Output }): Sink {
  let closedBy: string | undefined;
  const onError = (err: NodeJS.ErrnoException) => {
    closedBy = err.code ?? err.message;
  };
  options.out.on('error', onError);
  const write = async (text: string, ref: string): Promise<DeliveryOutcome> => {
    if (closedBy) return closed(closedBy);
    const error = await new Promise<Error | null | undefined>((resolve) => options.out.write(text, resolve));
    if (error || closedBy) return closed(closedBy ?? (error as NodeJS.ErrnoException).code ?? error!.message);
    return { status: 'sent', messageRef: ref };
  };
  return {
    platform: 'console',
    send(alert: Alert): Promise<DeliveryOutcome> {
      const text = options.format === 'json' ? `${alertJson(alert)}\n` : alertText(alert, options.out.isTTY === true);
      return write(text, `console:${alert.deliveryId}`);
    },
    // A line handed to a pipe or file cannot be looked up again. An attempt is marked started right before its
    // one write, so one cut off by a crash was almost surely printed: counted as such, never printed twice
    // (what remains is the instant between the mark and the write; docs/operations.md).
    async recover(alert: Alert): Promise<DeliveryOutcome> {
      return { status: 'sent', messageRef: `console:${alert.deliveryId}` };
    },
    sendDigest(digest: Digest): Promise<DeliveryOutcome> {
      const text = options.format === 'json' ? `${digestJson(digest)}\n` : `${renderDigestText(digest)}\n`;
      return write(text, digestRef(digest));
    },
    // The same for a digest, also one write; an alert cut off in a burst was caught by `recover` already.
    async recoverDigest(digest: Digest | undefined, _to, deliveryId: number): Promise<DeliveryOutcome> {
      return { status: 'sent', messageRef: digest ? digestRef(digest) : `console:${deliveryId}` };
    },
    async close() {
      options.out.off('error', onError);
    },
  };
}

const digestRef = (digest: Digest): string => `console:digest:${digest.until.toISOString()}`;

function closed(reason: string): DeliveryOutcome {
  return { status: 'held', detail: `the console output is closed (${reason}); the alert waits for the next run` };
}
