import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { Socket } from 'node:net';
import { buildConnector } from 'undici';
import { AppError } from '../../errors.ts';
import { isIpLiteral, refuseAddress, type AddressRefusal } from './address.ts';

/**
 * The SSRF guard, enforced where the connection is made (issue 3): the address a socket actually
 * connects to must be public. Checking a URL's name before fetching is not enough — DNS can answer
 * differently a moment later (rebinding) and every redirect hop is a new host — so the check runs
 * inside undici's connector, on every new connection:
 *   1. in the DNS lookup that net.connect calls, before any packet leaves (names);
 *   2. on `socket.remoteAddress` once connected (covers IP literals, which skip lookup).
 * `checkUrl` additionally refuses non-http(s) schemes and private IP literals up front, so a hop to
 * http://127.0.0.1/ fails without even a SYN.
 */

/** Decides whether an address may be connected to; undefined means yes. */
export type AddressCheck = (address: string) => AddressRefusal | undefined;

/** A dns.lookup-shaped resolver; tests pass a fake one to make names resolve to chosen addresses. */
export type Resolver = (
  hostname: string,
  options: { all: true; family?: number; hints?: number },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export function addressCheck(allowPrivateNetworks: boolean): AddressCheck {
  return (address) => refuseAddress(address, allowPrivateNetworks);
}

export const systemResolver: Resolver = (hostname, options, callback) => {
  dns.lookup(hostname, options, callback);
};

/** What a refused private address can do about it, appended to the refusal. */
export const PRIVATE_NETWORKS_HINT = '; feeds on your own network are fetched when the config sets fetch.allow_private_networks: true (`watchfloor parse --allow-private-networks` for a one-off)';
const UNCONDITIONAL = new Set(['a cloud metadata address', 'not an IP address', 'not checkable']);

export function refusedError(host: string, refusal: AddressRefusal): AppError {
  const what = isIpLiteral(host) || host === refusal.address
    ? `${refusal.address} is ${refusal.reason}`
    : `${host} resolves to ${refusal.address}, ${refusal.reason}`;
  // Metadata endpoints (and addresses that cannot be read) stay refused whatever the config says: only the others point at the switch.
  const hint = UNCONDITIONAL.has(refusal.reason)
    ? ''
    : PRIVATE_NETWORKS_HINT;
  return new AppError('refused', `refused: ${what}${hint}`, { retryable: false });
}

/**
 * A host name as every check and message sees it: lower case, without the trailing dot of a fully
 * qualified name (`localhost.` is `localhost`; issue 17). IP literals keep their brackets.
 */
export function hostName(host: string): string {
  return host.toLowerCase().replace(/\.+$/, '');
}

/**
 * `localhost` and every name under `.localhost` are loopback by definition (RFC 6761 §6.3), whatever
 * a resolver answers (some answer nothing for `localhost.`, some resolve `x.localhost`): judged as 127.0.0.1.
 */
function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

function refuseName(name: string, check: AddressCheck): void {
  if (isIpLiteral(name)) {
    const refusal = check(name.replace(/^\[|\]$/g, ''));
    if (refusal) throw refusedError(name, refusal);
  } else if (isLoopbackName(name)) {
    const refusal = check('127.0.0.1');
    if (refusal) throw refusedError(name, refusal);
  }
}

/**
 * Parses and checks a URL before it is requested: http/https only, no credentials smuggled to
 * other hosts, no refused IP literal and no loopback name. The host name is normalized in the
 * returned URL (trailing dot removed), so the request, the per-host slots and every message name
 * one host. Other names are checked later, at connect time.
 */
export function checkUrl(raw: string | URL, check: AddressCheck, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    const where = base ? ` (a redirect from ${base.href})` : '';
    throw new AppError('bad_url', `"${String(raw)}" is not a valid URL${where}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('refused', `refused: ${url.protocol.replace(/:$/, '')} URLs are not fetched, only http and https (${url.href}).`);
  }
  const name = hostName(url.hostname);
  if (name === '') throw new AppError('bad_url', `"${String(raw)}" has no host name.`);
  if (name !== url.hostname) url.hostname = name;
  refuseName(name, check);
  return url;
}

/**
 * Wraps a resolver for net.connect's `lookup` option: every address the name resolves to must pass,
 * otherwise the connection fails with the refusal. Refusing when any answer is private (rather than
 * picking a public one) keeps the outcome independent of the order a resolver returns.
 */
export function guardedLookup(resolve: Resolver, check: AddressCheck) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const name = hostName(hostname);
    try {
      refuseName(name, check);
    } catch (err) {
      return callback(err as NodeJS.ErrnoException, '');
    }
    resolve(name, { all: true, family: typeof options.family === 'number' ? options.family : undefined, hints: options.hints }, (err, addresses) => {
      if (err) return callback(err, '');
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`${name} has no address`), { code: 'ENOTFOUND' }), '');
      }
      for (const a of addresses) {
        const refusal = check(a.address);
        if (refusal) return callback(refusedError(name, refusal) as NodeJS.ErrnoException, '');
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** An undici connector that applies the guard to every connection it opens. */
export function guardedConnector(opts: {
  check: AddressCheck;
  resolve: Resolver;
  connectTimeoutMs: number;
}): buildConnector.connector {
  const base = buildConnector({ timeout: opts.connectTimeoutMs, lookup: guardedLookup(opts.resolve, opts.check) });
  return (options, callback) => {
    base(options, (...args) => {
      const [err, socket] = args;
      if (err) return callback(err, null);
      const s = socket as Socket;
      const remote = s.remoteAddress;
      const refusal = remote === undefined ? { address: 'an unknown address', reason: 'not checkable' } : opts.check(remote);
      if (refusal) {
        s.destroy();
        return callback(refusedError(hostName(options.hostname), refusal), null);
      }
      callback(null, s);
    });
  };
}
