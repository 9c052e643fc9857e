import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { FEED_FIXTURES } from '../fakes/test-config.ts';

const DEFENSE_WIRE = path.join(FEED_FIXTURES, 'defense-wire.rss');

async function run(argv: string[], stdin = '') {
  const io = captureIO({}, stdin);
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('parse and score share one article shape', () => {
  it('`parse feed | score` scores each item on its title, description and content', async () => {
    const parsed = await run(['parse', DEFENSE_WIRE]);
    expect(parsed.code).toBe(0);
    const items = jsonLines(parsed.out)[0]!.items as Array<Record<string, unknown>>;
    const rajin = items.find((i) => String(i.title).includes('Rajin'))!;
    expect(rajin).toMatchObject({ title: expect.any(String), description: expect.stringContaining('Vostochny') });
    expect(rajin).not.toHaveProperty('summary');

    const piped = await run(['score', '--topic', 'dprk-russia-arms'], parsed.out);
    expect(piped.code).toBe(0);
    const scores = jsonLines(piped.out);
    expect(scores.map((s) => s.id)).toEqual(items.map((i) => i.id));
    const scored = scores.find((s) => s.id === rajin.id)!;
    expect(scored.matched).toBe(true);

    // The same item as one article line scores the same: one shape, whichever way it arrives.
    const single = await run(['score', '--topic', 'dprk-russia-arms'], `${JSON.stringify(rajin)}\n`);
    expect(jsonLines(single.out)[0]).toEqual(scored);
    // Without its description the title alone scores lower: the description was read.
    const titleOnly = await run(['score', '--topic', 'dprk-russia-arms'], `${JSON.stringify({ id: 1, title: rajin.title })}\n`);
    expect(jsonLines(titleOnly.out)[0]!.score as number).toBeLessThan(scored.score as number);
  });

  it('refuses a line that names the lead otherwise instead of scoring its title alone', async () => {
    const { code, out, err } = await run(['score', '--topic', 'dprk-russia-arms'], `${JSON.stringify({ id: 'a', title: 'x', summary: 'North Korea ships shells to Russia' })}\n`);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('score: line 1: "summary" is not read; name the lead "description" and the full text "content"');
  });

  it('documents the shape in both commands\' --help', async () => {
    expect((await run(['parse', '--help'])).out).toContain('items": [{id, title, description, content?, url, published, language?}]');
    expect((await run(['score', '--help'])).out).toContain('watchfloor parse feed.xml | watchfloor score --topic SLUG');
  });
});
