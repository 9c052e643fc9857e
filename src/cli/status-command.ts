import type { DeliverySummary, Store } from '../store/store.ts';
import { FINAL_DELIVERY_STATUSES } from '../ops/metrics.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, withApp } from './context.ts';
import { formatTable, shorten } from './table.ts';

const RECENT_ALERTS = 10;
const RECENT_DIGESTS = 5;
/** Dead and rejected rows shown, each: enough to see a pattern, short enough to read. */
const PROBLEMS = 20;
const FEED_STATES = ['ok', 'failing', 'paused'] as const;

/** What `watchfloor status --json` prints. */
export interface StatusReport {
  feeds: { total: number } & Record<(typeof FEED_STATES)[number], number>;
  /** `depth`: rows still to be sent (neither sent, rejected nor dead); `byStatus`: every row. */
  outbox: { depth: number; byStatus: Record<string, number> };
  recentAlerts: StatusDelivery[];
  /** The newest scheduled digests (outbox rows of kind `digest`), whatever their status; `title` is `digest <period>`. */
  recentDigests: StatusDelivery[];
  dead: StatusDelivery[];
  rejected: StatusDelivery[];
}

export interface StatusDelivery {
  id: number;
  kind: string;
  status: string;
  topic: string;
  title: string;
  to: string;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  lastError: string | null;
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'show feeds by state, the ten most recent alerts and five digests, the outbox depth and dead or rejected deliveries',
  usage: `Usage: watchfloor status [--json] [--config PATH]

What the bot is doing, read from its database (any replica's view is the same): how many feeds are ok,
failing or paused; how many deliveries wait in the outbox; the ${RECENT_ALERTS} most recent alerts with their status;
the newest ${PROBLEMS} deliveries that died after their attempts or that a platform refused, with the reason; and the
${RECENT_DIGESTS} most recent scheduled digests with their period and status.
\`watchfloor feeds list\` shows each feed; times are UTC.

Options:
      --json          one JSON object for scripts instead of the tables
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption, json: { type: 'boolean' } },
  async run({ values }, io) {
    return withApp(values, io, async (app) => {
      const report = await statusReport(app.store);
      io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
      return 0;
    });
  },
};

export async function statusReport(store: Pick<Store, 'feedCounts' | 'deliveryCounts' | 'recentAlerts' | 'listDeliveries'>): Promise<StatusReport> {
  const [feedCounts, deliveryCounts, recent, digests, dead, rejected] = await Promise.all([
    store.feedCounts(),
    store.deliveryCounts(),
    store.recentAlerts(RECENT_ALERTS),
    store.listDeliveries({ kind: 'digest', limit: RECENT_DIGESTS }),
    store.listDeliveries({ status: 'dead', limit: PROBLEMS }),
    store.listDeliveries({ status: 'rejected', limit: PROBLEMS }),
  ]);
  const byStatus = Object.fromEntries(Object.entries(deliveryCounts).map(([status, n]) => [status, n ?? 0]));
  const feeds = Object.fromEntries(FEED_STATES.map((state) => [state, feedCounts[state] ?? 0])) as Record<(typeof FEED_STATES)[number], number>;
  return {
    feeds: { total: Object.values(feedCounts).reduce((a: number, b) => a + (b ?? 0), 0), ...feeds },
    outbox: {
      depth: Object.entries(byStatus).reduce((sum, [status, n]) => (FINAL_DELIVERY_STATUSES.includes(status) ? sum : sum + n), 0),
      byStatus,
    },
    recentAlerts: recent.map(toStatusDelivery),
    recentDigests: digests.map(toStatusDelivery),
    dead: dead.map(toStatusDelivery),
    rejected: rejected.map(toStatusDelivery),
  };
}

function toStatusDelivery(d: DeliverySummary): StatusDelivery {
  return {
    id: d.id,
    kind: d.kind,
    status: d.status,
    topic: d.topic,
    title: d.title,
    to: d.channel.platform === 'console' ? 'console' : `${d.channel.platform}:${d.channel.channel}`,
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? null,
    lastError: d.lastError,
  };
}

/** `2026-03-01T12:04:09.000Z` → `2026-03-01 12:04`. */
const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');

export function renderStatus(r: StatusReport): string {
  const waiting = Object.entries(r.outbox.byStatus).filter(([status, n]) => !FINAL_DELIVERY_STATUSES.includes(status) && n > 0);
  const done = FINAL_DELIVERY_STATUSES.map((status) => `${r.outbox.byStatus[status] ?? 0} ${status}`);
  const parts = [
    `Feeds: ${r.feeds.total} (${FEED_STATES.map((s) => `${r.feeds[s]} ${s}`).join(', ')})`,
    `Outbox: ${r.outbox.depth} waiting${waiting.length ? ` (${waiting.map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}; ${done.join(', ')}`,
    '',
    `Recent alerts (the ${RECENT_ALERTS} newest, UTC):`,
    r.recentAlerts.length
      ? indent(formatTable(['id', 'created', 'status', 'topic', 'to', 'title'], r.recentAlerts.map((d) => [
        String(d.id), minute(d.createdAt), d.status, d.topic, d.to, shorten(d.title, 70),
      ])))
      : '  none yet\n',
    '',
    `Recent digests (the ${RECENT_DIGESTS} newest, UTC):`,
    r.recentDigests.length
      ? indent(formatTable(['id', 'created', 'status', 'covers', 'to', 'period', 'sent'], r.recentDigests.map((d) => [
        String(d.id), minute(d.createdAt), d.status, d.topic, d.to, d.title.replace(/^digest /, ''), d.sentAt ? minute(d.sentAt) : '-',
      ])))
      : '  none yet\n',
  ];
  for (const [name, rows] of [['Dead deliveries (gave up after their attempts)', r.dead], ['Rejected deliveries (refused by the platform)', r.rejected]] as const) {
    parts.push('', `${name}:`, rows.length
      ? indent(formatTable(['id', 'created', 'kind', 'topic', 'to', 'attempts', 'error'], rows.map((d) => [
        String(d.id), minute(d.createdAt), d.kind, d.topic, d.to, String(d.attempts), shorten(d.lastError ?? '', 90),
      ])))
      : '  none\n');
  }
  return `${parts.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function indent(text: string): string {
  return text.split('\n').map((line) => (line ? `  ${line}` : line)).join('\n');
}
