import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/message.ts';
import { createConsoleSink } from '../../src/chat/console/adapter.ts';
import { alertText } from '../../src/chat/console/format.ts';

const alert: Alert = {
  kind: 'alert',
  deliveryId: 7,
  storyId: 3,
  topic: { slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers' },
  score: 0.912,
  title: 'North Korea ships shells to Russia',
  url: 'https://wire.example/a',
  source: 'Wire',
  published: new Date('2026-11-20T09:14:00Z'),
  language: 'en',
  summary: 'North Korea shipped shells.',
  why: 'North Korea (title) · 0.91 ≥ 0.50',
  storyTitle: 'North Korea ships shells to Russia',
  outlets: 1,
  threadRef: null,
};

describe('console sink', () => {
  it('writes one JSON object per line with the stable keys', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const outcome = await createConsoleSink({ format: 'json', out }).send(alert, { platform: 'console', workspace: 'local', channel: 'stdout' });
    expect(outcome).toEqual({ status: 'sent', messageRef: 'console:7' });
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({
      kind: 'alert', topic: 'dprk-russia-arms', score: 0.91, title: 'North Korea ships shells to Russia', url: 'https://wire.example/a',
      source: 'Wire', published: '2026-11-20T09:14:00.000Z', language: 'en', summary: 'North Korea shipped shells.',
      why: 'North Korea (title) · 0.91 ≥ 0.50', story_id: 3, story_title: 'North Korea ships shells to Russia', outlets: 1, summary_from: null,
    });
  });

  it('renders a readable block for people, and a follow-up as one indented reply', () => {
    expect(alertText(alert, false)).toBe(`${[
      '🛰  DPRK–Russia arms transfers · 0.91',
      '   North Korea ships shells to Russia',
      '   https://wire.example/a',
      '   North Korea shipped shells.',
      '   why: North Korea (title) · 0.91 ≥ 0.50',
      '   Wire · 2026-11-20 09:14 UTC · en · story 3',
      '',
    ].join('\n')}\n`);
    expect(alertText({ ...alert, kind: 'followup', source: 'Yonhap', title: '북한, 러시아에 포탄', summary: '', outlets: 2 }, false)).toBe(
      '  ↳ also reported by Yonhap: 북한, 러시아에 포탄\n    re: "North Korea ships shells to Russia" · DPRK–Russia arms transfers\n'
        + '    https://wire.example/a\n    2026-11-20 09:14 UTC · en · story 3\n',
    );
    const long = 'North Korea ships thousands of artillery shells to Russia through Rajin port, satellite images show';
    expect(alertText({ ...alert, kind: 'followup', storyTitle: long }, false).split('\n')[1]).toBe(
      '    re: "North Korea ships thousands of artillery shells to Russia through Raj…" · DPRK–Russia arms transfers',
    );
  });

  it('says why a follow-up joined its story', () => {
    const text = alertText({ ...alert, kind: 'followup', source: 'Yonhap', title: '북한, 러시아에 포탄', summary: '', outlets: 2, joined: { reason: 'event', detail: 'same event: Rajin · 6,700 · NIS' } }, false);
    expect(text).toBe(
      '  ↳ also reported by Yonhap: 북한, 러시아에 포탄\n    re: "North Korea ships shells to Russia" · DPRK–Russia arms transfers\n'
        + '    https://wire.example/a\n    2026-11-20 09:14 UTC · en · story 3\n    joined: same event: Rajin · 6,700 · NIS\n',
    );
  });

  it("says whose words a borrowed summary is", () => {
    const text = alertText({ ...alert, summaryFrom: { source: 'Reuters', url: 'https://reuters.example/full' } }, false);
    expect(text).toContain('   North Korea shipped shells.\n   summary from Reuters (https://reuters.example/full): this report is a teaser\n');
  });

  it('counts as sent only what reached the stream, and stops writing once the reader is gone', async () => {
    let writes = 0;
    const out = new Writable({
      write(_chunk, _enc, done) {
        writes++;
        done(writes > 1 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    const sink = createConsoleSink({ format: 'json', out });
    const to = { platform: 'console', workspace: 'local', channel: 'stdout' };
    expect(await sink.send(alert, to)).toEqual({ status: 'sent', messageRef: 'console:7' });
    expect(await sink.send({ ...alert, deliveryId: 8 }, to)).toMatchObject({ status: 'held' });
    expect(await sink.send({ ...alert, deliveryId: 9 }, to)).toMatchObject({ status: 'held', detail: expect.stringContaining('EPIPE') });
    expect(writes).toBe(2);
    await sink.close?.();
  });
});
