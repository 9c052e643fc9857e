import { describe, expect, it } from 'vitest';
import { leaseOwner, ownerGone, parseOwner, reclaimDeadLeases, selfOf } from '../src/leases.ts';
import { silentLogger } from '../src/log.ts';
import { SqliteStore } from '../src/store/sqlite.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const self = selfOf(leaseOwner('host-a', 100, 1_000));

describe('lease owners', () => {
  it('names host, pid and start, and parses names with and without the start', () => {
    expect(self).toEqual({ owner: 'host-a:100:rs', host: 'host-a', pid: 100 });
    expect(parseOwner('host-a:42:abc')).toEqual({ host: 'host-a', pid: 42, start: 'abc' });
    expect(parseOwner('host-a:42')).toEqual({ host: 'host-a', pid: 42 });
    expect(parseOwner('worker')).toEqual({ host: 'worker' });
  });

  it.each([
    ['itself', 'host-a:100:rs', false],
    ['a dead pid on this host', 'host-a:200:x', true],
    ['a live pid on this host', 'host-a:300:x', false],
    ['our own pid under another start (a container restarted as the same pid)', 'host-a:100:old', true],
    ['an old-style name with a dead pid', 'host-a:200', true],
    ['another host, whatever its pid', 'host-b:200:x', false],
    ['a name with no pid', 'worker-1', false],
  ])('%s: gone = %s', (_, owner, gone) => {
    expect(ownerGone(owner, self, (pid) => pid === 300)).toBe(gone);
  });

  it('takes back only the leases of owners known to be gone', async () => {
    const store = new SqliteStore(':memory:');
    for (const host of ['a', 'b', 'c']) await store.addFeed({ url: `https://${host}.example/rss`, intervalS: 900 }, T0);
    const until = new Date(T0.getTime() + 60_000);
    await store.claimDueFeeds(T0, 'host-a:200:x', until, 1, T0);
    await store.claimDueFeeds(T0, 'host-a:300:x', until, 1, T0);
    await store.claimDueFeeds(T0, 'host-b:200:x', until, 1, T0);
    expect(await reclaimDeadLeases(store, self, T0, silentLogger(), (pid) => pid === 300)).toBe(1);
    expect((await store.claimDueFeeds(T0, self.owner, until, 10, T0)).map((f) => f.url)).toEqual(['https://a.example/rss']);
    await store.close();
  });

  it('checks a real pid: this process is alive, a finished child is not', async () => {
    const { spawnSync } = await import('node:child_process');
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const here = selfOf(leaseOwner());
    expect(ownerGone(`${here.host}:${process.ppid}:x`, here)).toBe(false);
    expect(ownerGone(`${here.host}:${child.stdout.toString()}:x`, here)).toBe(true);
  });
});
