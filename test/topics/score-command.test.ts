import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';

async function run(values: Record<string, string>, input: string, cwd = process.cwd()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  const argv = ['score', ...Object.entries(values).flatMap(([k, v]) => [`--${k}`, v])];
  const code = await main(argv, { stdin: Readable.from([input]), stdout, stderr, env: {}, cwd });
  return { code, lines: out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)), stderr: err.join('') };
}

describe('watchfloor score', () => {
  const lines = [
    { id: 'a', title: 'North Korea sent artillery shells to Russia, Seoul says', description: 'The shells were shipped via Rajin.' },
    { id: 'b', title: 'North Korea fires ballistic missile', description: '' },
  ].map((l) => JSON.stringify(l)).join('\n');

  it('writes one line per input with id, score, matched and why', async () => {
    const { code, lines: out } = await run({ topic: 'dprk-russia-arms' }, `${lines}\n`);
    expect(code).toBe(0);
    expect(out.map((o) => [o.id, o.matched])).toEqual([['a', true], ['b', false]]);
    expect(Object.keys(out[0]).sort()).toEqual(['id', 'matched', 'score', 'why']);
    expect(out[0].why).toMatch(/≥ 0\.50$/);
  });

  it('reads topic paths relative to the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-'));
    mkdirSync(join(dir, 'topics'));
    copyFileSync('config/topics/dprk-missile-tests.yaml', join(dir, 'topics/tests.yaml'));
    writeFileSync(join(dir, 'watchfloor.yaml'), 'topics:\n  - topics/tests.yaml\n');
    const { code, lines: out } = await run({ topic: 'dprk-missile-tests', config: join(dir, 'watchfloor.yaml') }, lines);
    expect(code).toBe(0);
    expect(out.map((o) => o.matched)).toEqual([false, true]);
  });

  it('reports an unknown topic and bad lines', async () => {
    const unknown = await run({ topic: 'nope' }, lines);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no topic "nope"; known topics: dprk-russia-arms');
    const bad = await run({ topic: 'dprk-russia-arms' }, 'not json\n{"id": 1, "title": "x"}\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 1');
    expect(bad.lines).toHaveLength(1);
  });
});
