import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { writeTestConfig } from '../fakes/test-config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-deliveries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = new Date('2026-11-20T10:00:00Z');

/** A config and its database holding one sent, one dead and one rejected delivery. */
async function outbox(name = 'outbox') {
  const config = writeTestConfig(dir, name, { feeds: ['https://wire.example/rss'] });
  const store = new SqliteStore(path.join(dir, `${name}.db`));
  const feedId = (await store.addFeed({ url: 'https://wire.example/rss', intervalS: 900 }, T0)).id;
  const channel = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1', name: 'news' });
  const ids: number[] = [];
  for (const key of ['sent', 'dead', 'rejected']) {
    const article = (await store.upsertArticle({ feedId, key, title: `Report ${key}`, lead: '', body: '', fetchedAt: T0, contentHash: key })).id;
    const story = await store.createStory(article, key, T0);
    ids.push((await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 'arms', articleId: article, kind: 'alert' }, T0))!);
  }
  await store.claimDeliveries(T0, 'w', T0, 10);
  await store.markDelivered(ids[0]!, 'C1:1.2', T0);
  await store.markDeliveryFailed(ids[1]!, { error: 'slack: HTTP 502', retryAt: null });
  await store.markDeliveryFailed(ids[2]!, { error: 'channel_not_found: the channel was deleted', retryAt: null, rejected: true });
  await store.close();
  return { config, ids };
}

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('watchfloor deliveries', () => {
  it('lists the outbox, newest first, or one status, and retries a dead or rejected row', async () => {
    const { config, ids } = await outbox();
    const all = await run('deliveries', 'list', '--config', config);
    expect(all.code, all.err).toBe(0);
    const lines = all.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+KIND\s+ATTEMPTS\s+NEXT\s+CHANNEL\s+TOPIC\s+TITLE\s+LAST ERROR$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([[String(ids[2]), 'rejected'], [String(ids[1]), 'dead'], [String(ids[0]), 'sent']]);
    expect(lines[1]).toContain('slack:news');
    expect(lines[1]).toContain('channel_not_found: the channel was deleted');

    const rejected = await run('deliveries', 'list', '--status', 'rejected', '--config', config);
    expect(rejected.out.trim().split('\n')).toHaveLength(2);
    expect((await run('deliveries', 'list', '--status', 'pending', '--config', config)).out).toBe('No pending deliveries.\n');

    expect(await run('deliveries', 'retry', String(ids[1]), '--config', config)).toMatchObject({ code: 0, out: `Delivery ${ids[1]} is pending again and goes out with the next delivery run.\n` });
    const pending = await run('deliveries', 'list', '--status', 'pending', '--config', config);
    expect(pending.out).toMatch(new RegExp(`^${ids[1]}\\s+pending\\s+alert\\s+0\\s`, 'm'));

    expect(await run('deliveries', 'retry', String(ids[0]), '--config', config)).toMatchObject({ code: 1, err: expect.stringContaining(`delivery ${ids[0]} is sent`) });
    expect(await run('deliveries', 'retry', '999', '--config', config)).toMatchObject({ code: 1, err: expect.stringContaining('there is no delivery 999') });
  });

  it('shows a scheduled digest as its period and what it covers, and lists one kind with --kind', async () => {
    const { config } = await outbox('digests');
    const store = new SqliteStore(path.join(dir, 'digests.db'));
    const channelId = (await store.findChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' }))!;
    const digest = (await store.enqueueDigest({ channelId, scheduleKey: `channel:${channelId}`, period: 'daily:2026-11-20', since: T0, until: T0, of: 'subscriptions', topic: null }, T0))!;
    await store.close();
    const listed = await run('deliveries', 'list', '--kind', 'digest', '--config', config);
    expect(listed.code, listed.err).toBe(0);
    const lines = listed.out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${digest}\\s+pending\\s+digest\\s+0\\s+2026-11-20 10:00\\s+slack:news\\s+\\(subscriptions\\)\\s+digest daily:2026-11-20\\s*$`));
    expect((await run('deliveries', 'list', '--kind', 'followup', '--config', config)).out).toBe('No followup deliveries.\n');
    expect((await run('deliveries', 'list', '--kind', 'digest', '--status', 'dead', '--config', config)).out).toBe('No dead digest deliveries.\n');
    expect(await run('deliveries', 'list', '--kind', 'news', '--config', config)).toMatchObject({ code: 2, err: expect.stringContaining('use one of alert, followup, digest') });
  });

  it('retries at the time of the clock it is given', async () => {
    const { config, ids } = await outbox('clock');
    const io = { ...captureIO(), now: () => new Date('2027-03-04T05:06:07Z') };
    expect(await main(['deliveries', 'retry', String(ids[1]), '--config', config], io), io.err()).toBe(0);
    const store = new SqliteStore(path.join(dir, 'clock.db'));
    const [row] = await store.listDeliveries({ id: ids[1]!, limit: 1 });
    await store.close();
    expect(row).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: new Date('2027-03-04T05:06:07Z') });
  });

  it('refuses an unknown status or a missing id with what to type', async () => {
    const { config } = await outbox();
    expect(await run('deliveries', 'list', '--status', 'lost', '--config', config)).toMatchObject({ code: 2, err: expect.stringContaining('use one of pending, deferred, sending, sent, rejected, dead') });
    expect(await run('deliveries', 'retry', '--config', config)).toMatchObject({ code: 2, err: expect.stringContaining('watchfloor deliveries retry 42') });
  });
});
