import { describe, expect, it } from 'vitest';
import { isIpLiteral, refuseAddress } from '../../src/feeds/address.ts';

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
