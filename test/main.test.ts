import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main as cli } from '../src/cli.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger, silentLogger } from '../src/log.ts';
import { createApp, reloadTopics } from '../src/main.ts';
import { matchArticle } from '../src/topics/match.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reloading topics', () => {
  it('swaps in the edited topic, and keeps the running one when the file is broken', async () => {
    const topicFile = path.join(dir, 'ports.yaml');
    const topic = (aliases: string) => `slug: ports\ntitle: Ports\nconcepts:\n  port:\n    aliases: { en: [${aliases}] }\nmust: [port]\nthreshold: 0.1\n`;
    writeFileSync(topicFile, topic('Rajin'));
    const configFile = path.join(dir, 'w.yaml');
    writeFileSync(configFile, `storage: { path: ":memory:" }\ntopics: [ports.yaml]\n`);
    const app = await createApp(loadConfig(configFile, {}), { stdout: new PassThrough(), log: silentLogger(), env: {} });
    try {
      const article = { title: 'Ships seen at Vostochny', lead: '', body: '' };
      expect(matchArticle(app.pipeline.topics.index, article).matches.filter((m) => m.matched)).toEqual([]);

      writeFileSync(topicFile, topic('Rajin, Vostochny'));
      await reloadTopics(app);
      expect(matchArticle(app.pipeline.topics.index, article).matches.filter((m) => m.matched).map((m) => m.topic)).toEqual(['ports']);

      writeFileSync(topicFile, 'slug: ports\nconcepts: [Rajin]\n');
      await expect(reloadTopics(app)).rejects.toThrow(/ports\.yaml/);
      expect(matchArticle(app.pipeline.topics.index, article).matches.filter((m) => m.matched).map((m) => m.topic)).toEqual(['ports']);
    } finally {
      await app.close();
    }
  });
});

describe('feeds from the config file', () => {
  it('finds a feed that moved permanently under its old URL, and says to update the file', async () => {
    const db = path.join(dir, 'moved.db');
    const configFile = path.join(dir, 'moved.yaml');
    writeFileSync(configFile, `storage: { path: ${JSON.stringify(db)} }\nfeeds:\n  - url: https://other.example/rss\n  - url: https://old.example/rss\n`);
    const start = async () => {
      const log = new PassThrough();
      const app = await createApp(loadConfig(configFile, {}), { stdout: new PassThrough(), log: createLogger({ LOG_FORMAT: 'json' }, log), env: {} });
      return { app, logged: () => String(log.read() ?? '') };
    };
    const first = await start();
    const old = (await first.app.store.getFeedByUrl('https://old.example/rss'))!;
    // What pollFeed records after a 301.
    await first.app.store.recordFeedSuccess(old.id, { url: 'https://new.example/rss', nextPollAt: new Date(), now: new Date() });
    await first.app.close();

    const second = await start();
    try {
      expect((await second.app.store.listFeeds()).map((f) => f.url)).toEqual(['https://other.example/rss', 'https://new.example/rss']);
      const warning = second.logged().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string }).find((l) => l.msg.includes('moved'));
      expect(warning?.msg).toBe(`feeds[1] in ${configFile} moved permanently to https://new.example/rss, which is polled instead; put the new URL in the file`);
      expect(second.app.configFeedIds).toEqual([(await second.app.store.getFeedByUrl('https://other.example/rss'))!.id, old.id]);
    } finally {
      await second.app.close();
    }

    // Removing the moved feed by its new URL is refused like removing the entry's own URL: it would come back.
    const stderr = new PassThrough();
    const io = { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: { LOG_LEVEL: 'silent' }, cwd: dir };
    expect(await cli(['feeds', 'remove', 'https://new.example/rss', '--config', configFile], io)).toBe(1);
    expect(String(stderr.read())).toContain(`https://new.example/rss is feeds[1] in ${configFile} (as https://old.example/rss, which moved to it); remove it there first`);

    // `feeds list` names the URL each feed moved from.
    const listed = new PassThrough();
    expect(await cli(['feeds', 'list', '--config', configFile], { ...io, stdout: listed })).toBe(0);
    const rows = String(listed.read()).split('\n');
    expect(rows[0]).toMatch(/moved from\s*$/);
    expect(rows.find((r) => r.includes('https://new.example/rss'))).toMatch(/https:\/\/old\.example\/rss\s*$/);
    expect(rows.find((r) => r.includes('https://other.example/rss'))).not.toContain('old.example');
  });
});
