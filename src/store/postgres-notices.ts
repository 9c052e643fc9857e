/**
 * Hears that deliveries came due, from any process on the schema: PostgreSQL LISTEN on one connection of its own
 * (a pooled one would be handed to other work). The statements that queue or bring rows forward send the notices
 * (`pg_notify` in postgres.ts); this only listens.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

/** First wait before listening again after the connection failed; it doubles up to the last. */
const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 30_000;
/** A connection that listened this long was sound: the next failure starts the backoff again from the first wait. */
const STABLE_MS = 60_000;

/**
 * The channel of one schema's deliveries: replicas of one deployment share it, other schemas on the database (each
 * test's own) do not hear it. Channel names are identifiers of at most 63 bytes, so a long schema name is hashed.
 */
export function deliveriesChannel(schema: string): string {
  const name = `watchfloor.deliveries.${schema}`;
  return Buffer.byteLength(name) <= 63 ? name : `watchfloor.deliveries.${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

/**
 * Calls its listeners on every notice of `channel`, and each listener once when it begins to hear them (a new
 * listener, the connection opened again): what was notified while it did not listen is lost, so it looks for
 * itself. Connects when the first listener comes; a lost connection is opened again with backoff, with a warning.
 */
export class NoticeListener {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  /** LISTEN succeeded on `client`. */
  private listening = false;
  private retry: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  /** When LISTEN last succeeded (ms). */
  private listeningSince = 0;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly warn: (message: string, error: Error) => void,
  ) {}

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.listening) {
      queueMicrotask(() => {
        if (this.listeners.has(listener)) listener();
      });
    } else if (!this.client && !this.retry && !this.closed) {
      void this.connect();
    }
    return () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    this.client = client;
    client.on('notification', (notice) => {
      if (notice.channel === this.channel) this.tell();
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the server closed the connection')));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch (err) {
      return this.lost(client, err as Error);
    }
    if (this.client !== client) return;
    this.listening = true;
    this.listeningSince = Date.now();
    this.tell();
  }

  /** Once per connection: its 'error' and 'end' both come here, and so does a failed connect. */
  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = false;
    client.end().catch(() => {});
    if (this.closed) return;
    // A server that accepts and soon drops the connection keeps backing off, rather than warning every second.
    if (this.listeningSince > 0 && Date.now() - this.listeningSince >= STABLE_MS) this.retryMs = FIRST_RETRY_MS;
    this.listeningSince = 0;
    const waitMs = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
    // Node reports a refused connection to every address of a name as an AggregateError with no message, only a code.
    const reason = err.message || (err as NodeJS.ErrnoException).code || String(err);
    this.warn(`the PostgreSQL connection that hears queued deliveries failed (${reason}); listening again in ${waitMs / 1000} s. Until then rows that other processes queue wait for the outbox loop's next look (within 30 s); if this repeats, check that the server is reachable.`, err);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, waitMs);
  }

  private tell(): void {
    for (const listener of this.listeners) listener();
  }
}
