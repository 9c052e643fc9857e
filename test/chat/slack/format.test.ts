import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestStory } from '../../../src/alerts/digest.ts';
import type { Alert } from '../../../src/alerts/message.ts';
import {
  alertMessage,
  digestMessages,
  escapeWithin,
  followupMessage,
  replyMessages,
  type SlackMessage,
  slackLink,
  standaloneFollowupMessage,
} from '../../../src/chat/slack/format.ts';
import { htmlToLine } from '../../../src/text/clean.ts';
import { blockProblems, messageProblem, slackPings } from '../../fakes/slack-api.ts';

const GOLDEN = join(import.meta.dirname, '../../fixtures/slack');

/** Compares with test/fixtures/slack/<name>.golden.json (UPDATE_GOLDEN=1 rewrites them). */
function golden(name: string, actual: unknown): void {
  mkdirSync(GOLDEN, { recursive: true });
  const file = join(GOLDEN, `${name}.golden.json`);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/** Every message we render must be one Slack accepts, and must ping nobody. */
function expectValid(messages: SlackMessage[]): void {
  for (const message of messages) {
    expect(messageProblem({ ...message })).toBeUndefined();
    expect(slackPings(message)).toEqual([]);
  }
}

const alert: Alert = {
  kind: 'alert',
  deliveryId: 7,
  storyId: 3,
  topic: { slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers' },
  score: 0.912,
  title: 'North Korea ships shells to Russia',
  url: 'https://wire.example/a?id=1&ref=rss',
  source: 'Wire',
  published: new Date('2026-11-20T09:14:00Z'),
  language: 'en',
  summary: 'North Korea shipped artillery shells to Russia by rail, officials said.',
  why: 'North Korea (title), Kremlin + artillery shells (same sentence) · 0.91 ≥ 0.50',
  storyTitle: 'North Korea ships shells to Russia',
  outlets: 1,
  threadRef: null,
};

const HOSTILE = '<!channel> @here <@U123> *bold* <https://evil|click>';

describe('alert message', () => {
  it('golden: header, summary, context with topic, why and the linked outlet', () => {
    const message = alertMessage(alert);
    golden('alert', message);
    expectValid([message]);
  });

  it('golden: a borrowed summary names and links its outlet; several outlets are counted', () => {
    const message = alertMessage({ ...alert, outlets: 3, summaryFrom: { source: 'Yonhap', url: 'https://yonhap.example/b' } });
    golden('alert-summary-from', message);
    expect(JSON.stringify(message)).toContain('_summary from <https://yonhap.example/b|Yonhap>_');
    expect(JSON.stringify(message)).toContain('3 outlets');
  });

  it('the title test: a hostile headline is exactly escaped text, and pings nobody', () => {
    const message = alertMessage({ ...alert, title: HOSTILE, source: 'Wire & Co', summary: `${HOSTILE} said.`, why: 'title: <@U999>' });
    expect(message).toEqual({
      text: 'DPRK–Russia arms transfers · 0.91: &lt;!channel&gt; @here &lt;@U123&gt; *bold* &lt;https://evil|click&gt; (Wire &amp; Co)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '&lt;!channel&gt; @here &lt;@U123&gt; *bold* &lt;https://evil|click&gt;' } },
        { type: 'section', text: { type: 'mrkdwn', text: '&lt;!channel&gt; @here &lt;@U123&gt; *bold* &lt;https://evil|click&gt; said.', verbatim: true } },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: '🛰 *DPRK–Russia arms transfers* · 0.91', verbatim: true },
            { type: 'mrkdwn', text: 'why: title: &lt;@U999&gt;', verbatim: true },
            { type: 'mrkdwn', text: '<https://wire.example/a?id=1&amp;ref=rss|Wire &amp; Co> · <!date^1795166040^{date_short_pretty} {time}|2026-11-20 09:14 UTC> · en', verbatim: true },
          ],
        },
      ],
    });
    expectValid([message]);
    // The only Slack tokens left are our link and our date.
    const tokens = JSON.stringify(message).match(/<[^&][^>]*>/g);
    expect(tokens).toEqual(['<https://wire.example/a?id=1&amp;ref=rss|Wire &amp; Co>', '<!date^1795166040^{date_short_pretty} {time}|2026-11-20 09:14 UTC>']);
  });

  it('the same title entity-escaped in the feed is cleaned to the literal text and escaped at render', () => {
    const fromFeed = htmlToLine('&lt;!channel&gt; @here &lt;@U123&gt; *bold* &lt;https://evil|click&gt;');
    expect(fromFeed).toBe(HOSTILE);
    expect(alertMessage({ ...alert, title: fromFeed })).toEqual(alertMessage({ ...alert, title: HOSTILE }));
    expect(slackPings(alertMessage({ ...alert, title: fromFeed }))).toEqual([]);
  });

  it('links only http(s) URLs and keeps a | in a URL from ending the link', () => {
    expect(slackLink('javascript:alert(1)', 'Wire')).toBe('Wire');
    expect(slackLink(undefined, '<b>')).toBe('&lt;b&gt;');
    expect(slackLink('https://x.example/a|b>c', 'x')).toBe('<https://x.example/a%7Cb%3Ec|x>');
    const message = alertMessage({ ...alert, url: 'data:text/html,<script>', summaryFrom: { source: 'Evil', url: 'javascript:x' } });
    expect(JSON.stringify(message)).not.toMatch(/javascript:|data:/);
    expect(JSON.stringify(message)).toContain('_summary from Evil_');
  });

  it('cuts every text to Slack limits on the escaped form, never inside an entity', () => {
    const long = alertMessage({ ...alert, title: '&'.repeat(400), summary: '<'.repeat(10_000), why: 'x'.repeat(5000), source: 'S'.repeat(2000) });
    expectValid([long]);
    const header = long.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(header.text.text).toMatch(/^(&amp;)+…$/);
    const summary = long.blocks[1] as { text: { text: string } };
    expect(summary.text.text.length).toBeLessThanOrEqual(3000);
    expect(summary.text.text).toMatch(/^(&lt;)+…$/);
    expect(escapeWithin('a😀b', 3)).toBe('a…');
  });

  it('escapes hostile sizes in linear time', () => {
    const huge = '& <\n\t '.repeat(400_000);
    const message = alertMessage({ ...alert, title: huge, summary: huge, why: huge, source: huge });
    expectValid([message]);
  });
});

describe('follow-ups', () => {
  const followup: Alert = { ...alert, kind: 'followup', deliveryId: 9, source: 'Yonhap', title: 'N. Korea sent shells, Seoul says', url: 'https://yonhap.example/b', summary: '', outlets: 2, threadRef: 'C0ALERTS:1700000001.000001' };

  it('golden: a thread reply names the outlet, its headline and link', () => {
    const message = followupMessage(followup);
    golden('followup', message);
    expectValid([message]);
    expect(message.text).toBe('Also reported by Yonhap: N. Korea sent shells, Seoul says');
  });

  it('golden: without a thread, a follow-up says which story it follows', () => {
    const message = standaloneFollowupMessage(followup);
    golden('followup-standalone', message);
    expect(JSON.stringify(message)).toContain('re: North Korea ships shells to Russia');
  });

  it('golden: a follow-up says why it joined the story, escaped', () => {
    const message = followupMessage({ ...followup, joined: { reason: 'event', detail: 'same event: Rajin · 6,700 · <!here>' } });
    golden('followup-joined', message);
    expectValid([message]);
    expect(JSON.stringify(message.blocks[1])).toContain('joined: same event: Rajin · 6,700 · &lt;!here&gt;');
    expect(JSON.stringify(standaloneFollowupMessage({ ...followup, joined: { reason: 'near-duplicate', detail: 'near-duplicate 0.93' } }))).toContain('joined: near-duplicate 0.93');
  });

  it('a hostile follow-up headline is escaped inside its link label', () => {
    const message = followupMessage({ ...followup, title: HOSTILE, source: '<!here>' });
    expect((message.blocks[0] as { text: { text: string } }).text.text).toBe(
      '↳ Also reported by *&lt;!here&gt;*: <https://yonhap.example/b|&lt;!channel&gt; @here &lt;@U123&gt; *bold* &lt;https://evil|click&gt;>',
    );
    expectValid([message]);
  });
});

function story(id: number, topic: string, extra: Partial<DigestStory> = {}): DigestStory {
  return {
    storyId: id,
    topic,
    topicTitle: topic === 'dprk-russia-arms' ? 'DPRK–Russia arms transfers' : 'Sanctions & shipping',
    title: `Story ${id}`,
    url: `https://news.example/${id}`,
    source: 'Wire',
    outlets: 1 + (id % 3),
    score: 0.5 + (id % 50) / 100,
    firstSeenAt: new Date(Date.UTC(2026, 10, 20, 0, id % 60)),
    gist: `Gist of story ${id}.`,
    ...extra,
  };
}

const window = { since: new Date('2026-11-19T09:00:00Z'), until: new Date('2026-11-20T09:00:00Z') };

describe('digest messages', () => {
  it('golden: a small digest, grouped by topic, with "and N more"', () => {
    const digest = buildDigest([story(1, 'dprk-russia-arms'), story(2, 'dprk-russia-arms'), story(3, 'sanctions-shipping', { title: '<!channel> ships', url: undefined })], window, { perTopic: 1, title: 'alerts' });
    const messages = digestMessages(digest);
    golden('digest', messages);
    expectValid(messages);
    expect(JSON.stringify(messages)).toContain('_… and 1 more_');
  });

  it('golden: an empty window says so in one sentence', () => {
    const messages = digestMessages(buildDigest([], window, { title: 'DPRK–Russia arms transfers' }));
    golden('digest-empty', messages);
    expectValid(messages);
  });

  it('paginates a large digest into messages of at most 50 blocks, every story exactly once', () => {
    const stories = Array.from({ length: 150 }, (_, i) => story(i + 1, i % 2 ? 'dprk-russia-arms' : 'sanctions-shipping', { gist: i === 5 ? 'g&'.repeat(4000) : `Gist ${i}` }));
    const messages = digestMessages(buildDigest(stories, window, { perTopic: 100 }));
    expect(messages.length).toBeGreaterThan(2);
    expectValid(messages);
    const text = JSON.stringify(messages);
    for (let id = 1; id <= 150; id++) expect(text.split(`|Story ${id}>`).length - 1).toBe(1);
    expect(messages[0]!.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: `Digest (1/${messages.length})` } });
  });
});

describe('command replies', () => {
  it('golden: text, a narrow table as a grid, links', () => {
    const messages = replyMessages({
      visibility: 'private',
      ok: true,
      parts: [
        { type: 'text', text: 'Subscriptions of #alerts:' },
        { type: 'table', columns: ['topic', 'min', 'state'], rows: [['dprk-russia-arms', '0.70', 'active'], ['sanctions-shipping', '0.50', 'paused']] },
        { type: 'links', items: [{ title: 'Feed <one>', url: 'https://feeds.example/rss', detail: 'ok · next poll 09:30' }, { title: 'No link', detail: 'failing' }] },
      ],
    });
    golden('reply', messages);
    expectValid(messages);
  });

  it('a wide table is listed row by row, readable on a phone', () => {
    const reason = 'not_in_channel: The Watchfloor app is not a member of #alerts. Invite it with /invite @Watchfloor.';
    const [message] = replyMessages({ visibility: 'private', ok: true, parts: [{ type: 'table', columns: ['topic', 'state', 'reason'], rows: [['dprk-russia-arms', 'paused', reason]] }] });
    expect(message!.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: `• *dprk-russia-arms* · state: paused · reason: ${reason}`, verbatim: true } }]);
  });

  it('splits a long table into sections of at most 3,000 characters with balanced fences, and 50 blocks a message', () => {
    const rows = Array.from({ length: 6000 }, (_, i) => [`topic-${i}`, '0.50', 'active']);
    const messages = replyMessages({ visibility: 'private', ok: true, parts: [{ type: 'table', columns: ['topic', 'min', 'state'], rows }] });
    expect(messages.length).toBeGreaterThan(1);
    expectValid(messages);
    for (const message of messages) {
      for (const block of message.blocks) {
        const text = (block as { text: { text: string } }).text.text;
        expect(text.startsWith('```') && text.endsWith('```')).toBe(true);
      }
    }
    expect(JSON.stringify(messages)).toContain('topic-5999');
  });

  it('a digest part becomes messages of its own after the text', () => {
    const digest = buildDigest([story(1, 'dprk-russia-arms')], window);
    const messages = replyMessages({ visibility: 'channel', ok: true, parts: [{ type: 'text', text: 'Here you go:' }, { type: 'digest', digest }] });
    expect(messages).toHaveLength(2);
    expect(messages[0]!.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'Here you go:', verbatim: true } }]);
    expect(messages[1]!.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Digest' } });
  });

  it('escapes user input echoed in a usage error', () => {
    const [message] = replyMessages({ visibility: 'private', ok: false, parts: [{ type: 'text', text: 'unknown topic "<!channel>" — did you mean dprk-russia-arms?' }] });
    expect(message!.text).toBe('unknown topic "&lt;!channel&gt;" — did you mean dprk-russia-arms?');
    expectValid([message!]);
  });

  it('never renders an empty section', () => {
    const messages = replyMessages({ visibility: 'private', ok: true, parts: [{ type: 'text', text: '' }] });
    expectValid(messages);
    expect(blockProblems(messages[0]!.blocks)).toEqual([]);
  });
});
