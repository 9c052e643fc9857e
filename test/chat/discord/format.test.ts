import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { embedLength } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { Digest, DigestStory } from '../../../src/alerts/digest.ts';
import type { Alert } from '../../../src/alerts/message.ts';
import {
  type DiscordMessage, LIMITS, alertEmbed, alertMessage, digestMessages, escapeText, followupMessage, replyMessages, threadName, topicColour, truncate,
} from '../../../src/chat/discord/format.ts';
import type { Reply } from '../../../src/commands/types.ts';

// Golden files: each case's payload is in golden/<name>.json. Regenerate with UPDATE_GOLDEN=1 after reading the diff.
const golden = (name: string, value: unknown) => {
  const file = new URL(`./golden/${name}.json`, import.meta.url);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
};

const base: Alert = {
  kind: 'alert', deliveryId: 12, storyId: 7, topic: { slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers' }, score: 0.914,
  title: 'North Korea ships artillery shells to Russia by rail', url: 'https://www.yna.co.kr/view/AEN2025050100', source: 'Yonhap',
  published: new Date('2025-05-01T08:30:00Z'), language: 'en',
  summary: 'Trains carried shells from Rason to the Russian border, officials said. The Kremlin declined to comment.',
  why: 'North Korea (title), Kremlin + artillery shells (same sentence)', storyTitle: 'North Korea ships artillery shells to Russia by rail',
  outlets: 3, threadRef: null,
};

/** Every message must pass the limits the fake API enforces: checked here for each rendered payload. */
function expectWithinLimits(message: DiscordMessage): void {
  expect(message.allowed_mentions).toEqual({ parse: [] });
  expect((message.content ?? '').length).toBeLessThanOrEqual(LIMITS.content);
  const embeds = message.embeds ?? [];
  expect(embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
  expect(embeds.reduce((sum, e) => sum + embedLength(e), 0)).toBeLessThanOrEqual(LIMITS.embedTotal);
  for (const e of embeds) {
    expect((e.title ?? '').length).toBeLessThanOrEqual(LIMITS.title);
    expect((e.description ?? '').length).toBeLessThanOrEqual(LIMITS.description);
    for (const f of e.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
  }
  expect(message.content || embeds.length > 0).toBeTruthy();
}

describe('discord alert format', () => {
  it('alert (golden)', () => {
    const message = alertMessage(base);
    golden('alert', message);
    expectWithinLimits(message);
  });

  it('alert whose summary is another outlet’s (golden)', () => {
    const message = alertMessage({ ...base, source: 'KCNA Watch', summaryFrom: { source: 'Reuters', url: 'https://www.reuters.com/world/asia/x(1)' }, outlets: 1 });
    golden('alert-summary-from', message);
    expect(message.embeds![0]!.description).toMatch(/\*summary from \[Reuters\]\(<https:\/\/www\.reuters\.com\/world\/asia\/x%281%29>\)\*$/);
  });

  it('follow-up (golden)', () => {
    golden('followup', followupMessage({ ...base, kind: 'followup', source: 'TASS', title: 'КНДР поставляет снаряды', language: 'ru', summary: '' }));
  });

  it('follow-up that says why it joined the story (golden)', () => {
    const message = followupMessage({ ...base, kind: 'followup', source: 'TASS', title: 'КНДР поставляет снаряды', language: 'ru', summary: '', joined: { reason: 'event', detail: 'same event: Rajin · 6,700 · NIS' } });
    golden('followup-joined', message);
    expect(message.embeds![0]!.footer!.text).toBe('ru · score 0.91 · joined: same event: Rajin · 6,700 · NIS');
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('a title with mentions cannot ping anyone: allowed_mentions is empty and the syntax is escaped', () => {
    const message = alertMessage({ ...base, title: 'Breaking @everyone @here <@&123> <@456> [click](https://evil.example)', why: '@everyone', summary: '<@456> **bold** `code` ||spoiler||' });
    golden('alert-mentions', message);
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.content).toBeUndefined();
    const embed = message.embeds![0]!;
    // Titles render no mentions or links; the text stays as written, and nothing pings.
    expect(embed.title).toBe('Breaking @everyone @here <@&123> <@456> [click](https://evil.example)');
    expect(embed.fields![0]!.value).toBe('\\@everyone');
    expect(embed.description).toBe('\\<\\@456\\> \\*\\*bold\\*\\* \\`code\\` \\|\\|spoiler\\|\\|');
  });

  it('keeps an oversized alert within every limit, the 6,000 total included', () => {
    const message = alertMessage({ ...base, title: '*'.repeat(2000), summary: 'Long sentence here. '.repeat(2000), why: '_'.repeat(5000), source: 'S'.repeat(5000), topic: { slug: 'x', title: 'T'.repeat(500) } });
    expectWithinLimits(message);
    expect(message.embeds![0]!.description).toHaveLength(LIMITS.description);
  });

  it('drops links that are not http(s)', () => {
    expect(alertEmbed({ ...base, url: 'javascript:alert(1)' }).url).toBeUndefined();
  });

  it('gives each topic one stable colour', () => {
    expect(topicColour('dprk-russia-arms')).toBe(topicColour('dprk-russia-arms'));
    expect(new Set(['a', 'b', 'c', 'd', 'e', 'f'].map(topicColour)).size).toBeGreaterThan(1);
  });

  it('names a thread after the story, within 100 characters', () => {
    expect(threadName({ ...base, storyTitle: 'x'.repeat(300) })).toHaveLength(100);
    expect(threadName({ ...base, storyTitle: '  ' })).toBe('Follow-ups');
  });

  it('escapes in linear time and never splits a surrogate pair', () => {
    const hostile = `${'*_'.repeat(200_000)}${'a'.repeat(200_000)}`;
    expect(escapeText(hostile).length).toBe(hostile.length + 400_000);
    expect(truncate('ab😀cd', 4)).toBe('ab…');
  });
});

function story(i: number, topic = 'dprk-russia-arms'): DigestStory {
  return {
    storyId: i, topic, topicTitle: topic === 'dprk-russia-arms' ? 'DPRK–Russia arms transfers' : 'Sanctions & shipping', title: `Story ${i} about *shells*`,
    url: `https://example.org/story/${i}`, source: i % 2 ? 'Yonhap' : 'NK News', outlets: (i % 4) + 1, score: 0.95 - i / 1000,
    firstSeenAt: new Date('2025-05-01T06:00:00Z'), gist: `Gist of story ${i}.`,
  };
}

const window = { since: new Date('2025-04-30T08:00:00Z'), until: new Date('2025-05-01T08:00:00Z') };

describe('discord digest format', () => {
  it('small digest (golden)', () => {
    const digest: Digest = { ...window, title: '#news', storyCount: 3, empty: false, topics: [
      { slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers', stories: [story(1), story(2)], more: 4 },
      { slug: 'sanctions-shipping', title: 'Sanctions & shipping', stories: [story(3, 'sanctions-shipping')], more: 0 },
    ] };
    const messages = digestMessages(digest);
    golden('digest', messages);
    expect(messages).toHaveLength(1);
  });

  it('empty digest says so', () => {
    const [message] = digestMessages({ ...window, topics: [], storyCount: 0, empty: true });
    expect(message!.embeds![0]!.description).toBe('No stories between <t:1746000000:f> – <t:1746086400:f>.');
  });

  it('a 300-story digest is split into messages of ≤ 10 embeds and ≤ 6,000 characters, every story once', () => {
    const stories = Array.from({ length: 300 }, (_, i) => ({ ...story(i + 1), title: `Story ${i + 1} ${'long headline '.repeat(20)}`, gist: 'word '.repeat(80) }));
    const digest: Digest = { ...window, storyCount: 300, empty: false, topics: [{ slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers', stories, more: 0 }] };
    const messages = digestMessages(digest);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expectWithinLimits(m);
    const lines = messages.flatMap((m) => m.embeds!).flatMap((e) => e.description!.split('\n')).filter((l) => l.startsWith('• '));
    expect(lines).toHaveLength(300);
    expect(lines.map((l) => Number(l.match(/Story (\d+)/)![1]))).toEqual(stories.map((s) => s.storyId));
    // Parts are packed: a message holds several embeds when they fit.
    expect(messages[0]!.embeds!.length).toBeGreaterThan(1);
  });
});

describe('discord reply format', () => {
  it('text, table and links (golden)', () => {
    const reply: Reply = { visibility: 'channel', ok: true, parts: [
      { type: 'text', text: 'Subscriptions in #news:' },
      { type: 'table', columns: ['topic', 'min', 'state'], rows: [['dprk-russia-arms', '0.70', 'active'], ['sanctions-shipping', '—', 'paused: Missing Access `x`']] },
      { type: 'links', items: [{ title: 'Yonhap [NK]', url: 'https://en.yna.co.kr/nk', detail: 'ok' }, { title: 'Bad link', url: 'javascript:x' }] },
    ] };
    const messages = replyMessages(reply);
    golden('reply', messages);
    expect(messages).toHaveLength(1);
  });

  it('a long table becomes several code blocks, each message ≤ 2,000 characters', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [`topic-${i}`, 'a'.repeat(30), 'active']);
    const messages = replyMessages({ visibility: 'private', ok: true, parts: [{ type: 'table', columns: ['topic', 'title', 'state'], rows }] });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expectWithinLimits(m);
      expect(m.content!.startsWith('```\n') && m.content!.endsWith('\n```')).toBe(true);
    }
    expect(messages.map((m) => m.content!).join('\n').match(/topic-\d+/g)).toHaveLength(200);
  });

  it('text before a digest shares its first message', () => {
    const digest: Digest = { ...window, storyCount: 1, empty: false, topics: [{ slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers', stories: [story(1)], more: 0 }] };
    const messages = replyMessages({ visibility: 'channel', ok: true, parts: [{ type: 'text', text: 'Digest, last 24h' }, { type: 'digest', digest }] });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ content: 'Digest, last 24h', embeds: [expect.objectContaining({ title: 'Digest' })] });
  });

  it('an empty reply still says something', () => {
    expect(replyMessages({ visibility: 'private', ok: true, parts: [] })).toEqual([{ content: 'Done.', allowed_mentions: { parse: [] } }]);
  });
});
