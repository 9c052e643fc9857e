import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../src/alerts/digest.ts';
import { refused, renderReplyText } from '../../src/cli/reply-text.ts';
import { answer, refuse } from '../../src/commands/reply.ts';

describe('renderReplyText: a command reply on the terminal', () => {
  it('writes sentences, aligned tables and one link per item, parts apart', () => {
    const reply = answer('private', 'Two feeds.', {
      type: 'table', columns: ['id', 'health', 'feed'], rows: [['1', 'ok', 'https://a.example/rss'], ['12', 'failing (3×)', 'https://b.example/rss']],
    }, {
      type: 'links', items: [{ title: 'Shells via Rajin', url: 'https://news.example/1', detail: '0.91 · Wire · North Korea (title)' }, { title: 'No link' }],
    });
    expect(renderReplyText(reply)).toBe([
      'Two feeds.',
      '',
      'id  health        feed',
      '1   ok            https://a.example/rss',
      '12  failing (3×)  https://b.example/rss',
      '',
      '• Shells via Rajin',
      '  https://news.example/1',
      '  0.91 · Wire · North Korea (title)',
      '• No link',
      '',
    ].join('\n'));
  });

  it('prints a digest as `watchfloor digest` does', () => {
    const since = new Date('2026-11-19T10:00:00Z');
    const until = new Date('2026-11-20T10:00:00Z');
    const digest = buildDigest([{
      storyId: 1, topic: 'dprk-russia-arms', topicTitle: 'DPRK–Russia arms', title: 'Shells via Rajin', url: 'https://news.example/1',
      source: 'Wire', outlets: 3, score: 0.9, firstSeenAt: until, gist: 'Containers were loaded.',
    }], { since, until });
    expect(renderReplyText(answer('channel', { type: 'digest', digest }))).toBe(
      'Digest: 2026-11-19 10:00 UTC – 2026-11-20 10:00 UTC · 1 story in 1 topic\n\nDPRK–Russia arms (dprk-russia-arms)\n  • Shells via Rajin (Wire +2 outlets) https://news.example/1 — Containers were loaded.\n',
    );
  });

  it('never passes control characters from feed text to the terminal, and keeps table rows on one line', () => {
    const reply = answer('private', 'Title: \x1b]0;pwned\x07bold\x1b[1m', {
      type: 'table', columns: ['feed', 'last error'], rows: [['https://a.example/rss', 'line one\nline two\x1b[2J']],
    });
    const text = renderReplyText(reply);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(text).toContain('Title: ]0;pwnedbold[1m');
    expect(text.split('\n').filter((l) => l.startsWith('https://a.example/rss'))).toEqual(['https://a.example/rss  line one line two[2J']);
    // Nor bidirectional overrides, which reorder what a person reads.
    expect(renderReplyText(answer('private', { type: 'links', items: [{ title: 'report \u202eexe.pdf' }] }))).toBe('• report exe.pdf\n');
  });

  it('writes a refusal on stderr as every watchfloor error, with the exit code asked for', () => {
    let err = '';
    expect(refused(refuse('no feed 9; `feed list` shows the feeds with their ids.'), { stderr: { write: (s: string) => ((err += s), true) } as never }, 1)).toBe(1);
    expect(err).toBe('watchfloor: no feed 9; `feed list` shows the feeds with their ids.\n');
  });
});
