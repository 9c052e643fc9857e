import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses a feed or article fetch may connect to (issue 3, SSRF guard): only public
 * unicast. Everything else — loopback, private, link-local, CGNAT, multicast, unspecified,
 * reserved, and the IPv4 forms hidden inside IPv6 (mapped, NAT64, 6to4) — is refused.
 */

/** Why an address was refused, as the tail of a sentence: "10.0.0.5, a private address". */
export interface AddressRefusal {
  address: string;
  reason: string;
}

/**
 * Cloud metadata endpoints. Most sit in ranges refused anyway (169.254/16, 100.64/10, fc00::/7);
 * Azure's wire server 168.63.129.16 is ordinary public space, so it needs its own entry. These stay
 * refused even with `allow_private_networks`, because no intranet feed lives there and a leaked
 * instance credential is the worst outcome of an SSRF.
 */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean
  '169.254.170.2', // AWS ECS task metadata
  '169.254.169.123', // AWS time sync
  '168.63.129.16', // Azure wire server
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud
  'fd00:ec2::254', // AWS IMDS over IPv6
  'fd00:ec2::23', // AWS DNS over IPv6
]);

const RANGE_WORDS: Record<string, string> = {
  private: 'a private address',
  uniqueLocal: 'a private (unique local) address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  siteLocal: 'a site-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
};

function describeRange(range: string): string {
  return RANGE_WORDS[range] ?? `a non-public address (${range})`;
}

/** The IPv4 address carried in the low 32 bits of an IPv6 address. */
function low32(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const p = v6.parts;
  return new ipaddr.IPv4([p[6] >> 8, p[6] & 0xff, p[7] >> 8, p[7] & 0xff]);
}

/** The IPv4 address a 6to4 address (2002:AABB:CCDD::/48) tunnels to. */
function sixToFour(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const p = v6.parts;
  return new ipaddr.IPv4([p[1] >> 8, p[1] & 0xff, p[2] >> 8, p[2] & 0xff]);
}

/**
 * IPv6 forms that reach an IPv4 address are judged by that address: ::ffff:127.0.0.1 is loopback.
 * NAT64 (64:ff9b::/96) is how IPv6-only hosts reach the public IPv4 web, so it must pass when the
 * embedded address is public; 6to4 (2002::/16) tunnels to the address in bits 16–47.
 */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6052') return low32(v6);
  if (range === '6to4') return sixToFour(v6);
  return undefined;
}

function rangeOf(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (addr.kind() === 'ipv4') return addr.range();
  const v6 = addr as ipaddr.IPv6;
  const inner = embeddedIPv4(v6);
  if (inner) return inner.range();
  // fec0::/10 is deprecated but still routed inside some networks; ipaddr.js calls it unicast.
  if ((v6.parts[0] & 0xffc0) === 0xfec0) return 'siteLocal';
  return v6.range();
}

/**
 * Checks one literal IP address. Returns undefined when it is public, or why it is refused.
 * `allowPrivate` (config `allow_private_networks`) lets every address through except cloud metadata.
 */
export function refuseAddress(address: string, allowPrivate = false): AddressRefusal | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    const bare = address.replace(/^\[|\]$/g, '');
    const zone = bare.indexOf('%');
    parsed = ipaddr.parse(zone < 0 ? bare : bare.slice(0, zone));
  } catch {
    return { address, reason: 'not an IP address' };
  }
  const inner = parsed.kind() === 'ipv6' ? embeddedIPv4(parsed as ipaddr.IPv6) : undefined;
  if (METADATA_ADDRESSES.has(parsed.toString()) || (inner && METADATA_ADDRESSES.has(inner.toString()))) {
    return { address, reason: 'a cloud metadata address' };
  }
  if (allowPrivate) return undefined;
  const range = rangeOf(parsed);
  if (range === 'unicast') return undefined;
  return { address, reason: describeRange(range) };
}

/** True when `host` (a URL hostname, IPv6 possibly in brackets) is an IP literal rather than a name. */
export function isIpLiteral(host: string): boolean {
  // WHATWG URL parsing already turned 0x7f.1 and 2130706433 into dotted quads, so the strict check is enough.
  return isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}
