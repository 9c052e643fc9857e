import type { Config } from '../../config.ts';
import { STATUS_CODES } from 'node:http';
import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { AppError, type ErrorCode, errorMessage } from '../../errors.ts';
import { type ByteCounter, MiB, readBody, tooLargeError } from './body.ts';
import { parseMaxAge, parseRetryAfter } from './headers.ts';
import { addressCheck, checkUrl, guardedConnector, hostName, systemResolver, type AddressCheck, type Resolver } from './guard.ts';
import { KeyedSlots, Slots } from './slots.ts';

/**
 * The one HTTP client for feeds and article pages (issue 3, "Fetching"). We fetch the bytes
 * ourselves rather than use rss-parser's parseURL, which has no conditional GET, no decompression,
 * no size cap and follows redirects anywhere. Every request goes through:
 *   - the SSRF guard (guard.ts) on every connection and every redirect hop;
 *   - politeness: a User-Agent naming Watchfloor, ≤ `perHostConnections` requests per host and
 *     ≤ `totalConnections` overall;
 *   - time limits that close the socket: `connectTimeoutMs` for TCP+TLS, `totalTimeoutMs` for the
 *     whole exchange including redirects and a slow-dripping body;
 *   - redirects followed by hand (≤ `maxRedirects`, http/https only, loops detected);
 *   - a cap on decoded body bytes (body.ts).
 */

export const fetchOptionsSchema = z.object({
  userAgent: z.string().min(1).default('Watchfloor/0.1 (+https://github.com/watchfloor/watchfloor)'),
  maxBodyBytes: z.number().int().positive().default(10 * MiB),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  totalTimeoutMs: z.number().int().positive().default(30_000),
  maxRedirects: z.number().int().min(0).max(20).default(5),
  perHostConnections: z.number().int().positive().default(2),
  totalConnections: z.number().int().positive().default(16),
  allowPrivateNetworks: z.boolean().default(false),
});

export type FetchOptions = z.infer<typeof fetchOptionsSchema>;

/** What tests (and only tests) replace: name resolution, the address policy, the clock. */
export interface FetchDeps {
  resolve?: Resolver;
  check?: AddressCheck;
  now?: () => Date;
}

/** Validators from the previous successful fetch, sent back verbatim (RFC 9110 §13.1). */
export interface Validators {
  etag?: string | null;
  lastModified?: string | null;
}

interface OutcomeBase {
  /** The URL that finally answered, after redirects. */
  url: string;
  /**
   * Set when the chain began with permanent redirects (301/308): the last URL reached by them.
   * The caller stores it as the feed's new URL (issue 3: "a permanent redirect updates the stored
   * feed URL"). A temporary hop anywhere before it stops the chain, as in Miniflux and feedparser.
   */
  permanentUrl?: string;
  /** ETag and Last-Modified to store for the next conditional GET (the old ones kept on a 304 that omits them). */
  etag?: string;
  lastModified?: string;
  /** Seconds from Cache-Control max-age, a hint for the next poll. */
  maxAgeS?: number;
  /** Redirect hops followed. */
  redirects: number;
}

type Answer =
  | { status: 'ok'; httpStatus: number; body: Buffer; contentType?: string }
  | { status: 'not_modified' };

export type FetchOutcome = OutcomeBase & Answer;

/** A failed fetch. `httpStatus` when the server answered; `retryAfterS` when it said when to come back. */
export class FetchError extends AppError {
  readonly url: string;
  readonly httpStatus?: number;
  readonly retryAfterS?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { url: string; retryable?: boolean; cause?: unknown; httpStatus?: number; retryAfterS?: number },
  ) {
    super(code, message, { retryable: options.retryable, cause: options.cause });
    this.name = 'FetchError';
    this.url = options.url;
    this.httpStatus = options.httpStatus;
    this.retryAfterS = options.retryAfterS;
  }
}

export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.1';
export const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PERMANENT_STATUSES = new Set([301, 308]);
/** 408, 425, 429 and 5xx are worth retrying soon; other 4xx mean the URL is wrong until someone fixes it. */
const RETRYABLE_STATUSES = new Set([408, 425, 429]);

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}

export class HttpClient {
  readonly options: FetchOptions;
  private readonly agent: Agent;
  private readonly check: AddressCheck;
  private readonly perHost: KeyedSlots;
  private readonly total: Slots;
  private readonly now: () => Date;

  constructor(options: Partial<FetchOptions> = {}, deps: FetchDeps = {}) {
    this.options = fetchOptionsSchema.parse(options);
    this.check = deps.check ?? addressCheck(this.options.allowPrivateNetworks);
    this.now = deps.now ?? (() => new Date());
    this.perHost = new KeyedSlots(this.options.perHostConnections);
    this.total = new Slots(this.options.totalConnections);
    this.agent = new Agent({
      connect: guardedConnector({
        check: this.check,
        resolve: deps.resolve ?? systemResolver,
        connectTimeoutMs: this.options.connectTimeoutMs,
      }),
      // undici pools per origin; the KeyedSlots above enforce the same limit per host name across
      // http/https and ports. The undici timeouts are a backstop: the total timer below is the rule.
      connections: this.options.perHostConnections,
      headersTimeout: this.options.totalTimeoutMs,
      bodyTimeout: this.options.totalTimeoutMs,
    });
  }

  /**
   * GETs `url`, following redirects, with conditional headers from `validators`. Resolves to the
   * body (200) or `not_modified` (304); rejects with a FetchError (or AppError `refused`/`bad_url`)
   * carrying a sentence for the user.
   */
  async get(
    url: string,
    opts: { validators?: Validators; accept?: string; signal?: AbortSignal; count?: ByteCounter } = {},
  ): Promise<FetchOutcome> {
    // One controller ends the exchange, whether the total timer fires or the caller cancels. (A
    // listener removed in `finally` rather than AbortSignal.any, so a long-lived shutdown signal
    // shared by every request does not accumulate dependents.)
    let current = checkUrl(url, this.check);
    const controller = new AbortController();
    const signal = controller.signal;
    let timedOut = false;
    const onCancel = () => controller.abort(opts.signal?.reason);
    if (opts.signal?.aborted) onCancel();
    opts.signal?.addEventListener('abort', onCancel, { once: true });
    let timeout: NodeJS.Timeout | undefined;
    const startTimer = () => {
      timeout ??= setTimeout(() => {
        timedOut = true;
        controller.abort(new Error('total timeout'));
      }, this.options.totalTimeoutMs);
    };

    const visited = new Set<string>();
    // Credentials in the URL (https://user:pass@host/feed) become Basic auth, sent to that origin
    // only — never to another host a redirect points at — and kept out of messages and logs.
    const credentials = takeCredentials(current);
    const shown = current.href;
    let permanentUrl: string | undefined;
    let onlyPermanentSoFar = true;
    try {
      for (let hop = 0; ; hop++) {
        visited.add(stripHash(current));
        const authorization = credentials && current.origin === credentials.origin ? credentials.header : undefined;
        const step = await this.exchange(current, { ...opts, authorization }, signal, startTimer);
        if (step.kind === 'redirect') {
          if (hop >= this.options.maxRedirects) {
            throw new FetchError('too_many_redirects', `${shown} redirects more than ${this.options.maxRedirects} times; stopped at ${step.location}.`, { url: shown, retryable: false });
          }
          const next = checkUrl(step.location, this.check, current);
          takeCredentials(next);
          if (visited.has(stripHash(next))) {
            throw new FetchError('redirect_loop', `${shown} redirects in a loop (back to ${next.href}).`, { url: shown, retryable: false });
          }
          if (onlyPermanentSoFar && PERMANENT_STATUSES.has(step.httpStatus)) permanentUrl = withCredentials(next, credentials);
          else onlyPermanentSoFar = false;
          current = next;
          continue;
        }
        return { ...step.outcome, url: current.href, permanentUrl, redirects: hop };
      }
    } catch (err) {
      throw this.explain(err, shown, timedOut, opts.signal?.aborted ?? false);
    } finally {
      clearTimeout(timeout);
      opts.signal?.removeEventListener('abort', onCancel);
    }
  }

  /** Frees pooled sockets. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** One request/response on one host, holding that host's slot and a global slot throughout. */
  private async exchange(
    target: URL,
    opts: { validators?: Validators; accept?: string; authorization?: string; count?: ByteCounter },
    signal: AbortSignal,
    startTimer: () => void,
  ): Promise<
    | { kind: 'redirect'; httpStatus: number; location: string }
    | { kind: 'done'; outcome: Answer & Pick<OutcomeBase, 'etag' | 'lastModified' | 'maxAgeS'> }
  > {
    // Host slot first, then the global one: a request queued behind a busy host must not hold a
    // global slot that a request to an idle host could use.
    const releaseHost = await this.perHost.acquire(target.hostname.toLowerCase());
    const releaseTotal = await this.total.acquire();
    try {
      startTimer();
      signal.throwIfAborted();
      const headers: Record<string, string> = {
        'user-agent': this.options.userAgent,
        accept: opts.accept ?? FEED_ACCEPT,
        'accept-encoding': 'gzip, deflate, br',
      };
      if (opts.authorization) headers.authorization = opts.authorization;
      if (opts.validators?.etag) headers['if-none-match'] = opts.validators.etag;
      if (opts.validators?.lastModified) headers['if-modified-since'] = opts.validators.lastModified;

      const res = await request(target, { method: 'GET', headers, signal, dispatcher: this.agent });
      const h = res.headers;
      const status = res.statusCode;

      if (REDIRECT_STATUSES.has(status)) {
        await res.body.dump();
        const location = header(h, 'location');
        if (!location) {
          throw new FetchError('bad_redirect', `${target.href} answered ${status} without saying where to go (no Location header).`, { url: target.href, httpStatus: status });
        }
        return { kind: 'redirect', httpStatus: status, location };
      }

      const validators = {
        etag: header(h, 'etag') ?? opts.validators?.etag ?? undefined,
        lastModified: header(h, 'last-modified') ?? opts.validators?.lastModified ?? undefined,
        maxAgeS: parseMaxAge(header(h, 'cache-control')),
      };

      if (status === 304) {
        await res.body.dump();
        return { kind: 'done', outcome: { status: 'not_modified', ...validators } };
      }

      if (status < 200 || status >= 300) {
        await res.body.dump();
        throw new FetchError('http_status', `${`${target.href} answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd()}.`, {
          url: target.href,
          httpStatus: status,
          retryable: status >= 500 || RETRYABLE_STATUSES.has(status),
          retryAfterS: status === 429 || status === 503 ? parseRetryAfter(header(h, 'retry-after'), this.now()) : undefined,
        });
      }

      const contentEncoding = header(h, 'content-encoding');
      const declared = Number(header(h, 'content-length'));
      if (!contentEncoding && Number.isFinite(declared) && declared > this.options.maxBodyBytes) {
        discard(res.body);
        throw tooLargeError(target.href, this.options.maxBodyBytes);
      }
      const body = await readBody(res.body, { contentEncoding, maxBytes: this.options.maxBodyBytes, url: target.href, count: opts.count });
      return { kind: 'done', outcome: { status: 'ok', httpStatus: status, body, contentType: header(h, 'content-type'), ...validators } };
    } finally {
      releaseTotal();
      releaseHost();
    }
  }

  /** Turns whatever was thrown into an AppError whose message a user can act on. */
  private explain(err: unknown, url: string, timedOut: boolean, cancelled: boolean): AppError {
    const own = findAppError(err);
    if (own) return own;
    if (timedOut) {
      return new FetchError('timeout', `${url} did not finish within ${this.options.totalTimeoutMs / 1000} s; gave up and closed the connection.`, { url, retryable: true, cause: err });
    }
    if (cancelled) return new FetchError('cancelled', `fetching ${url} was cancelled.`, { url, retryable: true, cause: err });
    const code = errorCode(err);
    const host = safeHost(url);
    switch (code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new FetchError('timeout', `could not connect to ${host} within ${this.options.connectTimeoutMs / 1000} s.`, { url, retryable: true, cause: err });
      case 'UND_ERR_HEADERS_TIMEOUT':
      case 'UND_ERR_BODY_TIMEOUT':
        return new FetchError('timeout', `${host} stopped answering; gave up.`, { url, retryable: true, cause: err });
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new FetchError('dns', `the host name ${safeHost(url, false)} does not resolve; check the feed URL.`, { url, retryable: true, cause: err });
      case 'ECONNREFUSED':
        return new FetchError('network', `${host} refused the connection.`, { url, retryable: true, cause: err });
      case 'ECONNRESET':
      case 'UND_ERR_SOCKET':
      case 'EPIPE':
        return new FetchError('network', `${host} closed the connection before the response was complete.`, { url, retryable: true, cause: err });
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new FetchError('network', `${host} is unreachable from here.`, { url, retryable: true, cause: err });
    }
    if (typeof code === 'string' && /CERT|SSL|TLS/.test(code)) {
      return new FetchError('tls', `the TLS certificate of ${safeHost(url, false)} was not accepted (${code}).`, { url, retryable: false, cause: err });
    }
    return new FetchError('network', `fetching ${url} failed: ${errorMessage(err)}`, { url, retryable: true, cause: err });
  }
}

/** Closes a body we will not read; the error undici emits for that is expected, not a crash. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

interface Credentials {
  origin: string;
  header: string;
  username: string;
  password: string;
}

/** Removes user:password from `url` (in place) and returns them as a Basic auth header for its origin. */
function takeCredentials(url: URL): Credentials | undefined {
  if (!url.username && !url.password) return undefined;
  const { username, password } = url;
  const plain = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  url.username = '';
  url.password = '';
  return { origin: url.origin, header: `Basic ${Buffer.from(plain).toString('base64')}`, username, password };
}

/** The URL to store after a permanent redirect: credentials stay attached only on their own origin. */
function withCredentials(url: URL, credentials: Credentials | undefined): string {
  if (!credentials || url.origin !== credentials.origin) return url.href;
  const copy = new URL(url);
  copy.username = credentials.username;
  copy.password = credentials.password;
  return copy.href;
}

function stripHash(u: URL): string {
  return u.href.replace(/#.*$/, '');
}

/**
 * The host a message names, without the trailing dot of a fully qualified name. Name lookups and
 * certificates concern the name alone (`the host name localhost does not resolve`, not
 * `localhost.:8080`); a connection that failed is named with its port, which says what refused it.
 */
function safeHost(url: string, withPort = true): string {
  try {
    const parsed = new URL(url);
    const name = hostName(parsed.hostname);
    return withPort && parsed.port ? `${name}:${parsed.port}` : name;
  } catch {
    return url;
  }
}

/** Our own errors may arrive wrapped by undici or a stream; the first AppError in the cause chain wins. */
function findAppError(err: unknown): AppError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AppError) return e;
  }
  return undefined;
}

function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** The guarded client with every limit of the config's `fetch` section: `run`, `once` and `preview` fetch alike. */
export function createHttpClient(fetch: Config['fetch']): HttpClient {
  return new HttpClient({
    allowPrivateNetworks: fetch.allow_private_networks,
    totalTimeoutMs: fetch.timeout * 1000,
    maxBodyBytes: fetch.max_bytes,
    maxRedirects: fetch.max_redirects,
    perHostConnections: fetch.per_host,
    totalConnections: fetch.concurrency,
    ...(fetch.user_agent ? { userAgent: fetch.user_agent } : {}),
  });
}
