import { describe, expect, it } from 'vitest';
import { buildDigest, renderDigestText, type DigestStory } from '../../src/alerts/digest.ts';
import type { Alert } from '../../src/alerts/message.ts';
import { alertJson, alertText, digestJson } from '../../src/chat/console/format.ts';
import * as discord from '../../src/chat/discord/format.ts';
import * as slack from '../../src/chat/slack/format.ts';
import type { Reply } from '../../src/commands/types.ts';
import { readFeedBytes } from '../../src/feeds/read/read.ts';
import { displayText, withoutBidiControls } from '../../src/text/bidi.ts';
import { htmlToLine, htmlToText } from '../../src/text/clean.ts';

/** Every bidirectional control of issue 17. */
const CONTROLS = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
const ANY_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const RLO = '\u202e';
const hex = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

describe('clean text at ingest', () => {
  it.each(CONTROLS.map((c) => [hex(c), c]))('removes %s, raw and as a character reference', (_name, c) => {
    const ref = `&#x${c.charCodeAt(0).toString(16)};`;
    expect(htmlToLine(`report ${c}exe.pdf`)).toBe('report exe.pdf');
    expect(htmlToLine(`report ${ref}exe.pdf`)).toBe('report exe.pdf');
    expect(htmlToText(`<p>one ${c}two</p><p>three${ref} four</p>`)).toBe('one two\n\nthree four');
  });

  it('keeps right-to-left text itself: only the controls go', () => {
    expect(htmlToLine('\u200fשלום עולם\u200f')).toBe('שלום עולם');
    expect(htmlToLine('مرحبا\u061c 2024')).toBe('مرحبا 2024');
  });

  it('cleans every field of a feed: its own title, item titles, summaries, bodies, authors, categories', async () => {
    const rss = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Outlet ${RLO}gro.rettiwt</title><link>https://outlet.example/</link>
<item><title>report ${RLO}exe.pdf</title><link>https://outlet.example/a</link><guid>a</guid>
<description>&lt;p&gt;Summary &amp;#x202E;reversed&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>Body \u2067isolated\u2069 text</p>]]></content:encoded>
<dc:creator>Au\u200ethor</dc:creator><category>cat\u202dlr</category></item>
</channel></rss>`;
    const { feed, articles } = await readFeedBytes(new TextEncoder().encode(rss), 'application/rss+xml', 'https://outlet.example/rss');
    expect(feed.title).toBe('Outlet gro.rettiwt');
    const [a] = articles;
    expect(a).toMatchObject({ title: 'report exe.pdf', lead: 'Summary reversed', body: 'Body isolated text', author: 'Author', categories: ['catlr'] });
  });
});

describe('displayText', () => {
  it('removes the controls from every string at any depth, and keeps dates', () => {
    const when = new Date('2026-01-01T00:00:00Z');
    const out = displayText({ a: `x${RLO}y`, list: [{ b: `\u2066z` }], when, n: 3 });
    expect(out).toEqual({ a: 'xy', list: [{ b: 'z' }], when, n: 3 });
    expect(out.when).toBe(when);
  });

  it('gives back the same object when there is nothing to remove', () => {
    const clean = { a: 'x', list: ['y'], when: new Date() };
    expect(displayText(clean)).toBe(clean);
    expect(withoutBidiControls('plain')).toBe('plain');
  });
});

/** An alert as a store written before this change could hold it: a control in every field a person reads. */
const hostile: Alert = {
  kind: 'alert',
  deliveryId: 7,
  storyId: 3,
  topic: { slug: 'dprk', title: `DPRK ${RLO}arms` },
  score: 0.91,
  title: `report ${RLO}exe.pdf`,
  url: 'https://wire.example/a',
  source: `Wire\u2067 news\u2069`,
  published: new Date('2026-11-20T09:14:00Z'),
  language: `e\u200en`,
  summary: `North Korea ${RLO}shipped shells.`,
  summaryFrom: { source: `Yon\u202bhap`, url: 'https://yonhap.example/b' },
  why: `North Korea (title\u202a) · 0.91`,
  storyTitle: `report ${RLO}exe.pdf`,
  outlets: 2,
  threadRef: null,
};
const followup: Alert = { ...hostile, kind: 'followup', summary: '', summaryFrom: undefined, threadRef: 'T1' };

/** Command input echoed back: `/watch subscribe report‮exe.pdf` answered "no topic named …". */
const echoed: Reply = {
  visibility: 'private',
  ok: false,
  parts: [
    { type: 'text', text: `no topic named "report${RLO}exe.pdf"; \`topics\` lists them.` },
    { type: 'table', columns: ['feed', 'title'], rows: [['https://a.example/rss', `Outlet ${RLO}gro`]] },
    { type: 'links', items: [{ title: `Story ${RLO}x`, url: 'https://a.example/1', detail: `d\u2068e` }] },
  ],
};

const story: DigestStory = {
  storyId: 1, topic: 'dprk', topicTitle: `DPRK ${RLO}arms`, title: `report ${RLO}exe.pdf`, url: 'https://wire.example/a',
  source: `Wire\u2067`, outlets: 3, score: 0.8, firstSeenAt: new Date('2026-11-20T09:00:00Z'), gist: `Shells \u200fshipped.`,
};
const digest = buildDigest([story], { since: new Date('2026-11-19T09:00:00Z'), until: new Date('2026-11-20T10:00:00Z') }, { title: `weekly ${RLO}x` });

describe('no bidirectional control reaches a reader, on any platform', () => {
  it.each([
    ['console pretty alert', () => alertText(hostile, false)],
    ['console pretty alert, coloured', () => alertText(hostile, true)],
    ['console pretty follow-up', () => alertText(followup, false)],
    ['console JSON alert', () => alertJson(hostile)],
    ['console digest (pretty and JSON)', () => renderDigestText(digest) + digestJson(digest)],
    ['Slack alertMessage', () => JSON.stringify(slack.alertMessage(hostile))],
    ['Slack followupMessage', () => JSON.stringify(slack.followupMessage(followup))],
    ['Slack digestMessages', () => JSON.stringify(slack.digestMessages(digest))],
    ['Slack replyMessages (command input echoed back)', () => JSON.stringify(slack.replyMessages(echoed))],
    ['Discord alertEmbed', () => JSON.stringify(discord.alertEmbed(hostile))],
    ['Discord followupMessage and threadName', () => JSON.stringify(discord.followupMessage(followup, { standalone: true })) + discord.threadName(hostile)],
    ['Discord digestMessages', () => JSON.stringify(discord.digestMessages(digest))],
    ['Discord replyMessages (command input echoed back)', () => JSON.stringify(discord.replyMessages(echoed))],
  ])('%s', (_what, render) => {
    const out = render();
    expect(out).not.toMatch(ANY_CONTROL);
    expect(out).toContain('exe.pdf');
  });

  it('renders the words themselves unchanged', () => {
    expect(alertText(hostile, false)).toContain('   report exe.pdf\n');
    expect(JSON.parse(alertJson(hostile))).toMatchObject({ title: 'report exe.pdf', source: 'Wire news', why: 'North Korea (title) · 0.91', language: 'en' });
    expect(discord.alertEmbed(hostile).title).toBe('report exe.pdf');
  });
});
