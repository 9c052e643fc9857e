import { describe, expect, it } from 'vitest';
import { isIpLiteral, refuseAddress } from '../../../src/feeds/http/address.ts';

describe('refuseAddress', () => {
  it.each([
    ['8.8.8.8', undefined],
    ['93.184.216.34', undefined],
    ['2606:4700:4700::1111', undefined],
    ['::ffff:8.8.8.8', undefined],
    ['64:ff9b::808:808', undefined], // NAT64 to a public address
    ['10.0.0.5', 'a private address'],
    ['172.16.3.4', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['0.0.0.0', 'an unspecified address'],
    ['169.254.1.1', 'a link-local address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['224.0.0.251', 'a multicast address'],
    ['255.255.255.255', 'a broadcast address'],
    ['192.0.2.7', 'a reserved address'],
    ['240.0.0.1', 'a reserved address'],
    ['::1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['fc00::1', 'a private (unique local) address'],
    ['fec0::1', 'a site-local address'],
    ['ff02::1', 'a multicast address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['::ffff:10.1.2.3', 'a private address'],
    ['64:ff9b::a00:5', 'a private address'], // NAT64 wrapping 10.0.0.5
    ['2002:7f00:1::', 'a loopback address'], // 6to4 wrapping 127.0.0.1
    ['2002:a9fe:102::1', 'a link-local address'], // 6to4 wrapping 169.254.1.2
    ['[::1]', 'a loopback address'],
    ['169.254.169.254', 'a cloud metadata address'],
    ['::ffff:169.254.169.254', 'a cloud metadata address'],
    ['168.63.129.16', 'a cloud metadata address'],
    ['100.100.100.200', 'a cloud metadata address'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['not-an-ip', 'not an IP address'],
  ])('%s → %s', (address, reason) => {
    expect(refuseAddress(address)?.reason).toBe(reason);
  });

  it.each(['10.0.0.5', '127.0.0.1', '::1', 'fc00::1', '192.168.0.10'])('lets %s through with allow_private_networks', (address) => {
    expect(refuseAddress(address, true)).toBeUndefined();
  });

  it.each(['169.254.169.254', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::', 'fd00:ec2::254', '168.63.129.16'])(
    'still refuses metadata address %s with allow_private_networks',
    (address) => {
      expect(refuseAddress(address, true)?.reason).toBe('a cloud metadata address');
    },
  );
});

/**
 * One address from each range of IANA's special-purpose address registries (iana-ipv4-special-registry,
 * iana-ipv6-special-registry) and the deprecated forms beside them: none is a public host (issue 17).
 */
describe('refuseAddress: IANA special-purpose ranges', () => {
  it.each([
    ['0.1.2.3', '0.0.0.0/8 "this network"', 'an unspecified address'],
    ['10.20.30.40', '10.0.0.0/8 private', 'a private address'],
    ['100.127.255.1', '100.64.0.0/10 shared address space', 'a carrier-grade NAT address'],
    ['127.1.2.3', '127.0.0.0/8 loopback', 'a loopback address'],
    ['169.254.7.7', '169.254.0.0/16 link local', 'a link-local address'],
    ['172.31.0.1', '172.16.0.0/12 private', 'a private address'],
    ['192.0.0.9', '192.0.0.0/24 IETF protocol assignments (PCP anycast)', 'a reserved address'],
    ['192.0.0.170', '192.0.0.170/32 NAT64/DNS64 discovery', 'a reserved address'],
    ['192.0.2.1', '192.0.2.0/24 documentation (TEST-NET-1)', 'a reserved address'],
    ['192.31.196.1', '192.31.196.0/24 AS112-v4', 'an AS112 DNS sink address'],
    ['192.52.193.1', '192.52.193.0/24 AMT', 'an AMT relay address'],
    ['192.88.99.1', '192.88.99.0/24 deprecated 6to4 relay anycast', 'a reserved address'],
    ['192.168.7.7', '192.168.0.0/16 private', 'a private address'],
    ['192.175.48.1', '192.175.48.0/24 direct delegation AS112', 'an AS112 DNS sink address'],
    ['198.19.0.1', '198.18.0.0/15 benchmarking', 'a reserved address'],
    ['198.51.100.1', '198.51.100.0/24 documentation (TEST-NET-2)', 'a reserved address'],
    ['203.0.113.1', '203.0.113.0/24 documentation (TEST-NET-3)', 'a reserved address'],
    ['239.255.255.250', '224.0.0.0/4 multicast', 'a multicast address'],
    ['250.1.2.3', '240.0.0.0/4 reserved', 'a reserved address'],
    ['255.255.255.255', '255.255.255.255/32 limited broadcast', 'a broadcast address'],
  ])('IPv4 %s (%s)', (address, _range, reason) => {
    expect(refuseAddress(address)?.reason).toBe(reason);
  });

  it.each([
    ['::1', '::1/128 loopback', 'a loopback address'],
    ['::', '::/128 unspecified', 'an unspecified address'],
    ['::ffff:192.168.0.1', '::ffff:0:0/96 IPv4-mapped (judged by the address it carries)', 'a private address'],
    ['64:ff9b::7f00:1', '64:ff9b::/96 IPv4/IPv6 translation (judged by the address it carries)', 'a loopback address'],
    ['64:ff9b:1::808:808', '64:ff9b:1::/48 local-use IPv4/IPv6 translation', 'a local-use IPv4/IPv6 translation address (64:ff9b:1::/48)'],
    ['100::1', '100::/64 discard-only', 'a discard-only address (100::/64)'],
    ['100:0:0:1::1', '100:0:0:1::/64 dummy prefix', 'a dummy address (100:0:0:1::/64)'],
    ['2001:1::1', '2001::/23 IETF protocol assignments (PCP anycast)', 'a reserved address'],
    ['2001:1::3', '2001:1::3/128 DNS-SD service registration anycast', 'a reserved address'],
    ['2001::1', '2001::/32 Teredo', 'a Teredo tunnel address (2001::/32)'],
    ['2001:2::1', '2001:2::/48 benchmarking', 'a benchmarking address'],
    ['2001:3::1', '2001:3::/32 AMT', 'an AMT relay address'],
    ['2001:4:112::1', '2001:4:112::/48 AS112-v6', 'an AS112 DNS sink address'],
    ['2001:10::1', '2001:10::/28 deprecated ORCHID', 'an ORCHID identifier, not a host address'],
    ['2001:20::1', '2001:20::/28 ORCHIDv2', 'an ORCHID identifier, not a host address'],
    ['2001:30::1', '2001:30::/28 drone remote ID tags', 'a drone remote-ID tag, not a host address'],
    ['2001:db8::1', '2001:db8::/32 documentation', 'a reserved address'],
    ['2002:c0a8:101::1', '2002::/16 6to4 (judged by the address it carries)', 'a private address'],
    ['2620:4f:8000::1', '2620:4f:8000::/48 direct delegation AS112', 'an AS112 DNS sink address'],
    ['3fff::1', '3fff::/20 documentation', 'a reserved address'],
    ['5f00::1', '5f00::/16 segment routing SIDs', 'a segment-routing (SRv6) identifier, not a host address'],
    ['fd12:3456::1', 'fc00::/7 unique local', 'a private (unique local) address'],
    ['febf::1', 'fe80::/10 link-local', 'a link-local address'],
    ['ff05::2', 'ff00::/8 multicast', 'a multicast address'],
    // Deprecated forms outside the registry, and space not allocated for global unicast:
    ['::7f00:1', '::/96 IPv4-compatible (deprecated), the form a URL gives [::127.0.0.1]', 'a deprecated IPv4-compatible address (::/96)'],
    ['::127.0.0.1', '::/96 IPv4-compatible, as a resolver prints it', 'a deprecated IPv4-compatible address (::/96)'],
    ['::8.8.8.8', '::/96 IPv4-compatible carrying a public address', 'a deprecated IPv4-compatible address (::/96)'],
    ['::ffff:0:7f00:1', '::ffff:0:0:0/96 IPv4-translated (SIIT)', 'an IPv4-translated address (::ffff:0:0:0/96)'],
    ['fec0::1', 'fec0::/10 site-local (deprecated)', 'a site-local address'],
    ['4000::1', 'outside 2000::/3, reserved by the IETF', 'an address outside the IPv6 global unicast block (2000::/3)'],
    ['1::8.8.8.8', '::/8 reserved by the IETF', 'an address outside the IPv6 global unicast block (2000::/3)'],
  ])('IPv6 %s (%s)', (address, _range, reason) => {
    expect(refuseAddress(address)?.reason).toBe(reason);
  });

  it.each(['2001:4860:4860::8888', '2a00:1450:4001::1', '2600::1', '3ffe::1'])('global unicast %s passes', (address) => {
    expect(refuseAddress(address)).toBeUndefined();
  });

  it.each(['::a9fe:a9fe', '::169.254.169.254', '::ffff:0:a9fe:a9fe', '64:ff9b:1::a9fe:a9fe'])(
    'refuses metadata %s carried in a refused IPv6 form even with allow_private_networks',
    (address) => {
      expect(refuseAddress(address, true)?.reason).toBe('a cloud metadata address');
    },
  );
});

describe('isIpLiteral', () => {
  it.each([
    ['127.0.0.1', true],
    ['[::1]', true],
    ['::ffff:7f00:1', true],
    ['example.com', false],
    ['1e100.net', false],
    ['localhost', false],
  ])('%s → %s', (host, expected) => {
    expect(isIpLiteral(host)).toBe(expected);
  });
});
