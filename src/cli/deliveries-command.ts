import { DELIVERY_KINDS, DELIVERY_STATUSES, type DeliveryKind, type DeliveryStatus, type Store } from '../store/store.ts';
import { openStore } from '../store/open.ts';
import { type CliCommand, type CliIO, type OptionValues, clockOf } from './command.ts';
import { CONFIG_USAGE, cliLogger, configOption, loadCliConfig, onlyId, usageError } from './context.ts';
import { formatTable, shorten } from './table.ts';

/** The outbox needs only the store: no topics compiled, no connections opened. */
async function withStore<T>(values: OptionValues, io: CliIO, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadCliConfig(values, io), cliLogger(io));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');

export const deliveriesListCommand: CliCommand = {
  name: 'deliveries list',
  summary: 'show outbox rows (newest first): status, attempts, next attempt and last error',
  usage: `Usage: watchfloor deliveries list [--status STATUS] [--kind KIND] [--limit N] [--config PATH]

Lists the outbox, newest first. A row is pending (due at its next attempt), deferred (waiting for its
story alert or for a connection to its platform; no attempt spent), sending (leased by a worker), sent,
rejected (the platform refused the channel for good: its subscriptions are paused) or dead (gave up after
its attempts). \`watchfloor deliveries retry ID\` sends a rejected or dead row again. A row is a story's
alert, a follow-up in its thread, one period of a scheduled digest (title \`digest <period>\`; topic
\`(all topics)\` or, for a channel's own digest, \`(subscriptions)\`), or the burst of a feed whose one poll
brought the channel more than delivery.feed_burst items (kind digest, title \`burst of <feed> <poll time>\`).

Options:
  -s, --status STATUS one of ${DELIVERY_STATUSES.join(', ')} (default: all)
  -k, --kind KIND     one of ${DELIVERY_KINDS.join(', ')} (default: all)
  -n, --limit N       at most N rows (default 50)
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption, status: { type: 'string', short: 's' }, kind: { type: 'string', short: 'k' }, limit: { type: 'string', short: 'n' } },
  async run({ values }, io) {
    const status = values.status as string | undefined;
    if (status !== undefined && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) {
      throw usageError(`--status ${status} is not a delivery status; use one of ${DELIVERY_STATUSES.join(', ')}.`);
    }
    const kind = values.kind as string | undefined;
    if (kind !== undefined && !DELIVERY_KINDS.includes(kind as DeliveryKind)) {
      throw usageError(`--kind ${kind} is not a kind of delivery; use one of ${DELIVERY_KINDS.join(', ')}.`);
    }
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit ${String(values.limit)} is not a whole number of rows; use e.g. --limit 100.`);
    return withStore(values, io, async (store) => {
      const rows = await store.listDeliveries({ status: status as DeliveryStatus | undefined, kind: kind as DeliveryKind | undefined, limit });
      if (rows.length === 0) {
        const which = [status, kind].filter(Boolean).join(' ');
        io.stdout.write(which ? `No ${which} deliveries.\n` : 'The outbox is empty.\n');
        return 0;
      }
      io.stdout.write(formatTable(
        ['ID', 'STATUS', 'KIND', 'ATTEMPTS', 'NEXT', 'CHANNEL', 'TOPIC', 'TITLE', 'LAST ERROR'],
        rows.map((d) => [
          String(d.id), d.status, d.kind, String(d.attempts),
          d.status === 'pending' || d.status === 'deferred' ? when(d.nextAttemptAt) : d.status === 'sent' ? `sent ${when(d.sentAt)}` : '-',
          `${d.channel.platform}:${d.channel.name ?? d.channel.channel}`, d.topic, shorten(d.title, 50), d.lastError ?? '',
        ]),
      ));
      return 0;
    });
  },
};

export const deliveriesRetryCommand: CliCommand = {
  name: 'deliveries retry',
  summary: 'send a rejected, dead or waiting outbox row again, now, with its attempts reset',
  usage: `Usage: watchfloor deliveries retry ID [--config PATH]

Puts the delivery ID (from \`watchfloor deliveries list\`) back to pending, due now, with its attempts
reset; the next delivery run (\`watchfloor run\`'s outbox loop, or \`watchfloor once\`) sends it. A rejected
row's channel has its subscriptions paused: resume them (\`/watch subscribe\` there) or it may be refused again.
A sent row, or one being sent, is left alone.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const id = onlyId(positionals, 'give one delivery id, e.g. `watchfloor deliveries retry 42` (ids are in `watchfloor deliveries list`).');
    return withStore(values, io, async (store) => {
      if (await store.retryDelivery(id, clockOf(io)())) {
        io.stdout.write(`Delivery ${id} is pending again and goes out with the next delivery run.\n`);
        return 0;
      }
      const [row] = await store.listDeliveries({ id, limit: 1 });
      io.stderr.write(row
        ? `watchfloor deliveries retry: delivery ${id} is ${row.status}; only a pending, deferred, rejected or dead row can be retried.\n`
        : `watchfloor deliveries retry: there is no delivery ${id}; \`watchfloor deliveries list\` shows the ids.\n`);
      return 1;
    });
  },
};
