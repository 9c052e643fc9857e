import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses a feed or article fetch may connect to (issue 3, SSRF guard): only public
 * unicast. Everything else is refused: loopback, private, link-local, CGNAT, multicast,
 * unspecified, broadcast, every range of IANA's IPv4 and IPv6 special-purpose address registries
 * (documentation, benchmarking, AS112, AMT, ORCHID, discard, dummy, segment routing, local-use
 * translation, Teredo…), deprecated forms (IPv4-compatible ::/96, site-local fec0::/10), IPv6
 * outside the global unicast block 2000::/3, and IPv4 hidden inside IPv6 (mapped, NAT64, 6to4)
 * when the address it carries is refused (issue 17).
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
  ipv4Compatible: 'a deprecated IPv4-compatible address (::/96)',
  rfc6145: 'an IPv4-translated address (::ffff:0:0:0/96)',
  localTranslation: 'a local-use IPv4/IPv6 translation address (64:ff9b:1::/48)',
  discard: 'a discard-only address (100::/64)',
  dummy: 'a dummy address (100:0:0:1::/64)',
  teredo: 'a Teredo tunnel address (2001::/32)',
  benchmarking: 'a benchmarking address',
  amt: 'an AMT relay address',
  as112: 'an AS112 DNS sink address',
  as112v6: 'an AS112 DNS sink address',
  deprecatedOrchid: 'an ORCHID identifier, not a host address',
  orchid2: 'an ORCHID identifier, not a host address',
  droneRemoteIdProtocolEntityTags: 'a drone remote-ID tag, not a host address',
  segmentRouting: 'a segment-routing (SRv6) identifier, not a host address',
  unallocated: 'an address outside the IPv6 global unicast block (2000::/3)',
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

/** The first `bits` bits of an IPv6 address equal those of `prefix` (given as eight 16-bit parts). */
function inPrefix(v6: ipaddr.IPv6, prefix: number[], bits: number): boolean {
  return v6.match(new ipaddr.IPv6(prefix), bits);
}

/**
 * IPv6 forms that reach an IPv4 address are judged by that address: ::ffff:127.0.0.1 is loopback.
 * NAT64 (64:ff9b::/96) is how IPv6-only hosts reach the public IPv4 web, so it must pass when the
 * embedded address is public; 6to4 (2002::/16) tunnels to the address in bits 16–47. The local-use
 * NAT64 block 64:ff9b:1::/48 is not one of these: it is refused outright (not globally reachable).
 */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = v6.range();
  if (range === 'ipv4Mapped') return low32(v6);
  if (range === 'rfc6052' && inPrefix(v6, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96)) return low32(v6);
  if (range === '6to4') return sixToFour(v6);
  return undefined;
}

/**
 * Every IPv4 address a hostile IPv6 address could lead to, for the metadata check, which holds even
 * with `allow_private_networks`: the embedded forms above plus the ones refused outright otherwise
 * (IPv4-compatible, IPv4-translated, local-use NAT64 with a /96 prefix).
 */
function carriedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4[] {
  const inner = embeddedIPv4(v6);
  if (inner) return [inner];
  const range = ipv6Range(v6);
  return range === 'ipv4Compatible' || range === 'rfc6145' || range === 'localTranslation' ? [low32(v6)] : [];
}

/** IANA's IPv6 special-purpose ranges, with the few ipaddr.js 2.5 does not know (or calls unicast). */
function ipv6Range(v6: ipaddr.IPv6): string {
  // fec0::/10 is deprecated but still routed inside some networks.
  if (inPrefix(v6, [0xfec0, 0, 0, 0, 0, 0, 0, 0], 10)) return 'siteLocal';
  if (inPrefix(v6, [0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48)) return 'localTranslation'; // RFC 8215
  const range = v6.range();
  if (range !== 'unicast') return range;
  // ::/96 minus :: and ::1 (both named above): IPv4-compatible, deprecated by RFC 4291 §2.5.5.1.
  // ipaddr.js calls ::7f00:1 unicast, and Linux still tries to connect to it.
  if (inPrefix(v6, [0, 0, 0, 0, 0, 0, 0, 0], 96)) return 'ipv4Compatible';
  if (inPrefix(v6, [0x100, 0, 0, 1, 0, 0, 0, 0], 64)) return 'dummy'; // RFC 9780
  // Only 2000::/3 is allocated for global unicast; the rest is reserved by the IETF (or named above).
  if ((v6.parts[0]! & 0xe000) !== 0x2000) return 'unallocated';
  return 'unicast';
}

function rangeOf(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (addr.kind() === 'ipv4') return addr.range();
  const v6 = addr as ipaddr.IPv6;
  const inner = embeddedIPv4(v6);
  if (inner) return inner.range();
  return ipv6Range(v6);
}

/**
 * ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d` (mapped) though it is the IPv4-compatible
 * `::a.b.c.d`: the dotted tail of an IPv6 literal is rewritten as two hex groups before parsing.
 */
function parseLiteral(bare: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (!bare.includes(':')) return ipaddr.parse(bare);
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(bare);
  if (!dotted) return ipaddr.parse(bare);
  const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
  if ([a, b, c, d].some((o) => o > 255)) throw new Error('bad IPv4 tail');
  const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  return ipaddr.IPv6.parse(bare.slice(0, dotted.index) + hex);
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
    parsed = parseLiteral(zone < 0 ? bare : bare.slice(0, zone));
  } catch {
    return { address, reason: 'not an IP address' };
  }
  const carried = parsed.kind() === 'ipv6' ? carriedIPv4(parsed as ipaddr.IPv6) : [];
  if (METADATA_ADDRESSES.has(parsed.toString()) || carried.some((inner) => METADATA_ADDRESSES.has(inner.toString()))) {
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
