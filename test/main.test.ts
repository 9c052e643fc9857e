import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
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
    const app = await createApp(loadConfig(configFile, {}), { stdout: new PassThrough(), log: silentLogger() });
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
