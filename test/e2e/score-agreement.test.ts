import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES } from '../fakes/test-config.ts';

/**
 * Every tool scores as delivery does. Two topics both name a concept `russia`, with different
 * aliases: were they merged, `iran-drones` would also count "Putin" and "Kremlin" and
 * `kremlin-grain` would count "Moscow", so the tools that compile one topic (`score --topic`,
 * `topics test`, `preview --topic`) would disagree with those that compile all (`once`, `preview`).
 */
const TOPICS = {
  'iran-drones': [
    'title: Iran drones for Russia',
    'concepts:',
    '  iran: { label: Iran, aliases: { en: ["Iran*", Tehran] } }',
    '  russia: { label: Russia, aliases: { en: [Russia, Moscow] } }',
    '  drones: { label: drones, aliases: { en: ["drone*", "Shahed*"] } }',
    'must: [iran, russia, drones]',
  ],
  'kremlin-grain': [
    'title: Kremlin grain deals',
    'concepts:',
    '  russia: { label: the Kremlin, aliases: { en: [Russia, Kremlin, Putin] } }',
    '  grain: { label: grain, aliases: { en: [grain, wheat] } }',
    'must: [russia, grain]',
  ],
};

const ITEMS = [
  { id: 'x', title: 'Iran sends Shahed drones to Russia', lead: 'Putin thanked Tehran at a Kremlin meeting on Tuesday.' },
  { id: 'y', title: 'Putin promises wheat to African states', lead: 'Grain shipped from Moscow ports will double, the Kremlin said.' },
  // The report: 0.00 in `score`, a 0.56 alert in `once`, because another topic's `russia` knows Putin.
  { id: 'z', title: 'Iran sends more drones to Putin', lead: 'Tehran denied the shipment.' },
];

const rss = (base: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Agreement Wire</title><link>${base}/</link><description>test</description>
${ITEMS.map((item) => `<item><title>${item.title}</title><link>https://agreement.example/${item.id}</link><guid>${item.id}</guid><pubDate>{{hoursAgo:1}}</pubDate><description>${item.lead}</description></item>`).join('\n')}
</channel></rss>`;

let server: FeedServer;
let dir: string;
let config: string;

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  server.set('agreement.rss', rss(server.base), 'application/rss+xml; charset=utf-8');
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-agree-'));
  for (const [slug, lines] of Object.entries(TOPICS)) writeFileSync(path.join(dir, `${slug}.yaml`), lines.join('\n'));
  config = path.join(dir, 'watchfloor.yaml');
  writeFileSync(config, [
    `storage: { path: ${JSON.stringify(path.join(dir, 'agree.db'))} }`,
    'fetch: { allow_private_networks: true, timeout: 5s }',
    'feeds:',
    `  - url: ${server.url('agreement.rss')}`,
    'topics: [iran-drones.yaml, kremlin-grain.yaml]',
    'routes: [{ topic: iran-drones, to: console }, { topic: kremlin-grain, to: console }]',
    'console: { format: json }',
  ].join('\n'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], stdin = '') {
  const io = captureIO({}, stdin);
  const code = await main([...argv, '--config', config], io);
  expect(io.err()).not.toMatch(/"level":(50|60)/);
  return { code, out: io.out() };
}

/** `score ≥ threshold` or `score < threshold` ends every why: the score to two places, as each tool shows it. */
const scoreInWhy = (why: string) => /(\d\.\d\d) [≥<] \d\.\d\d$/.exec(why)?.[1];

/** Table rows (preview, topics test) whose cells include `title`: the first cell is the score. */
const rowsWith = (table: string, title: string) => table.split('\n').filter((line) => line.includes(title)).map((line) => line.trim().split(/\s{2,}/));

describe('score, topics test, preview and once give the same score for the same article', () => {
  it('with two topics sharing a concept name', async () => {
    // score --topic: one topic compiled alone.
    const jsonl = ITEMS.map((item) => JSON.stringify({ id: item.id, title: item.title, description: item.lead })).join('\n');
    const scored = new Map<string, Map<string, { score: string; matched: boolean }>>();
    for (const slug of Object.keys(TOPICS)) {
      const { code, out } = await run(['score', '--topic', slug], `${jsonl}\n`);
      expect(code).toBe(0);
      scored.set(slug, new Map(jsonLines(out).map((line) => [String(line.id), { score: scoreInWhy(String(line.why))!, matched: line.matched as boolean }])));
    }
    const expected = (slug: string, id: string) => scored.get(slug)!.get(id)!;
    expect(expected('iran-drones', 'x')).toMatchObject({ matched: true });
    expect(expected('kremlin-grain', 'y')).toMatchObject({ matched: true });
    expect(expected('iran-drones', 'z')).toEqual({ score: '0.00', matched: false });
    expect(expected('kremlin-grain', 'x').matched).toBe(false);
    expect(expected('iran-drones', 'y').matched).toBe(false);

    // preview (every topic compiled together) and preview --topic (one).
    for (const argv of [['preview', '--all'], ...Object.keys(TOPICS).map((slug) => ['preview', '--all', '--topic', slug])]) {
      const { code, out } = await run(argv);
      expect(code).toBe(0);
      for (const item of ITEMS) {
        for (const row of rowsWith(out, item.title)) {
          const slug = row[1]!.replace(/^\((.*)\)$/, '$1');
          expect(row[0], `${argv.join(' ')}: ${slug} ${item.id}`).toBe(expected(slug, item.id).score);
          expect(row[1] === slug, `${argv.join(' ')}: ${slug} ${item.id} matched`).toBe(expected(slug, item.id).matched);
        }
      }
      // Not vacuous: each run lists the match it should.
      const listed = out.split('\n').slice(1).filter(Boolean).map((line) => line.trim().split(/\s{2,}/)[1]);
      if (!argv.includes('kremlin-grain')) expect(listed).toContain('iran-drones');
      if (!argv.includes('iran-drones')) expect(listed).toContain('kremlin-grain');
    }

    // once: delivery, every topic compiled together.
    const once = await run(['once']);
    expect(once.code).toBe(0);
    const alerts = jsonLines(once.out).filter((line) => line.kind === 'alert');
    expect(alerts.map((a) => [a.topic, a.title]).sort()).toEqual([
      ['iran-drones', ITEMS[0]!.title],
      ['kremlin-grain', ITEMS[1]!.title],
    ]);
    for (const alert of alerts) {
      const item = ITEMS.find((i) => i.title === alert.title)!;
      expect((alert.score as number).toFixed(2)).toBe(expected(String(alert.topic), item.id).score);
      expect(scoreInWhy(String(alert.why))).toBe(expected(String(alert.topic), item.id).score);
    }

    // topics test: the stored articles, one topic compiled alone.
    for (const slug of Object.keys(TOPICS)) {
      const { code, out } = await run(['topics', 'test', slug, '--since', '7d', '--all']);
      expect(code).toBe(0);
      for (const item of ITEMS) {
        const rows = rowsWith(out, item.title);
        expect(rows, `${slug} ${item.id}`).toHaveLength(1);
        expect(rows[0]![0], `${slug} ${item.id}`).toBe(expected(slug, item.id).score);
        expect(rows[0]![1]).toBe(expected(slug, item.id).matched ? 'yes' : 'no');
      }
    }
  });
});
