import type { Alert, DeliveryOutcome, Sink } from '../../alerts/message.ts';
import { alertJson, alertText } from './format.ts';

/** Prints alerts on stdout: pretty blocks on a terminal, JSON Lines for scripts. Logs stay on stderr. */
export function createConsoleSink(options: { format: 'pretty' | 'json'; out: NodeJS.WritableStream & { isTTY?: boolean } }): Sink {
  return {
    platform: 'console',
    async send(alert: Alert): Promise<DeliveryOutcome> {
      const text = options.format === 'json' ? alertJson(alert) + '\n' : alertText(alert, options.out.isTTY === true);
      options.out.write(text);
      return { status: 'sent', messageRef: `console:${alert.deliveryId}` };
    },
  };
}
