import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { StatusReport } from '../../src/cli/status-command.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;
let config: string;
beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-status-'));
  config = writeTestConfig(dir, 'status', { feeds: [server.url('defense-wire.rss'), server.url('missing.rss')] });
  expect(await main(['once', '--config', config], captureIO())).toBe(0);
  // One alert the platform refused and one that died after its attempts, as an outage would leave them.
  const store = new SqliteStore(path.join(dir, 'status.db'));
  const [sent] = await store.recentAlerts(1);
  await store.markDeliveryFailed(sent!.id, { error: 'channel_not_found: the channel is gone', retryAt: null, rejected: true });
  const now = new Date();
  const [feed] = await store.listFeeds();
  const { id: articleId } = await store.upsertArticle({ feedId: feed!.id, key: 'extra', title: 'Second story', lead: '', body: '', fetchedAt: now, contentHash: 'extra' });
  const storyId = await store.createStory(articleId, 'Second story', now);
  const channelId = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
  const dead = await store.enqueueDelivery({ channelId, storyId, topic: 'dprk-russia-arms', articleId, kind: 'alert' }, now);
  await store.claimDeliveries(now, 'test', new Date(now.getTime() + 60_000), 10);
  await store.markDeliveryFailed(dead!, { error: 'slack: HTTP 503', retryAt: null });
  // And a scheduled digest, posted.
  const digest = await store.enqueueDigest({ channelId, scheduleKey: 'config:console|*|0 8 * * *|UTC|86400s', period: '2026-12-02T08:00', since: new Date(now.getTime() - 86_400_000), until: now, of: 'topics', topic: null }, now);
  await store.claimDeliveries(now, 'test', new Date(now.getTime() + 60_000), 10);
  await store.markDelivered(digest!, 'console:digest', now);
  await store.close();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('watchfloor status', () => {
  it('prints feeds by state, the outbox, the ten newest alerts and digests and the dead and rejected deliveries', async () => {
    const io = captureIO();
    expect(await main(['status', '--config', config], io)).toBe(0);
    const text = io.out();
    expect(text).toMatch(/^Feeds: 2 \(1 ok, 1 failing, 0 paused\)\n/);
    expect(text).toMatch(/\nOutbox: 0 waiting; 1 sent, 1 rejected, 1 dead\n/);
    const recent = text.slice(text.indexOf('Recent alerts'), text.indexOf('Recent digests'));
    const rows = recent.split('\n').filter((l) => /^\s+\d+\s/.test(l));
    expect(recent).toMatch(/^\s+id\s+created\s+status\s+topic\s+to\s+title$/m);
    // Newest first: the dead one made last, then the refused one.
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+dead\s+dprk-russia-arms\s+console\s+Second story$/);
    expect(rows[1]).toMatch(/^\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+rejected\s+dprk-russia-arms\s+console\s+\S/);
    const digests = text.slice(text.indexOf('Recent digests'), text.indexOf('Dead deliveries'));
    expect(digests).toMatch(/^Recent digests \(the 5 newest, UTC\):\n\s+id\s+created\s+status\s+covers\s+to\s+period\s+sent\n\s+\d+\s+\S+ \S+\s+sent\s+\(all topics\)\s+console\s+2026-12-02T08:00\s+\d{4}-/);
    expect(text.slice(text.indexOf('Dead deliveries'))).toMatch(/Dead deliveries \(gave up after their attempts\):\n.*\n\s+\d+ .* alert\s+dprk-russia-arms\s+console\s+1\s+slack: HTTP 503\n/);
    expect(text).toMatch(/Rejected deliveries \(refused by the platform\):\n.*\n\s+\d+ .* channel_not_found: the channel is gone\n$/);
  });

  it('--json gives scripts the same report', async () => {
    const io = captureIO();
    expect(await main(['status', '--json', '--config', config], io)).toBe(0);
    const report = JSON.parse(io.out()) as StatusReport;
    expect(report.feeds).toEqual({ total: 2, ok: 1, failing: 1, paused: 0 });
    expect(report.outbox.depth).toBe(0);
    expect(report.outbox.byStatus).toMatchObject({ rejected: 1, dead: 1, sent: 1 });
    expect(report.recentDigests).toEqual([expect.objectContaining({ kind: 'digest', status: 'sent', topic: '(all topics)', title: 'digest 2026-12-02T08:00', to: 'console' })]);
    expect(report.recentAlerts).toHaveLength(2);
    expect(report.recentAlerts.every((d) => d.kind === 'alert' && d.topic === 'dprk-russia-arms' && d.to === 'console')).toBe(true);
    expect(report.dead).toEqual([expect.objectContaining({ status: 'dead', lastError: 'slack: HTTP 503', to: 'console' })]);
    expect(report.rejected).toEqual([expect.objectContaining({ status: 'rejected', lastError: 'channel_not_found: the channel is gone' })]);
    expect(new Date(report.recentAlerts[0]!.createdAt).toISOString()).toBe(report.recentAlerts[0]!.createdAt);
  });

  it('says what it shows in --help and is listed in the overview', async () => {
    const io = captureIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/\n {2}status\s+show feeds by state, the ten most recent alerts/);
  });
});
