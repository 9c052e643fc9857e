/**
 * The rules of docs/architecture.md, enforced: every import of every file under src/ is read and checked
 * against the forbidden edges below, so a change that breaks a boundary fails here with the file and the import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const PLATFORM_SDKS = /^(@slack\/|discord\.js$|@discordjs\/)/;
/** The core: stages of the flow that know no platform. */
const CORE = ['feeds', 'text', 'topics', 'stories', 'summaries', 'alerts', 'commands', 'store'];

interface Edge {
  from: string;
  to: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Static and dynamic imports and re-exports; specifiers resolved to src-relative paths when relative. */
function edges(): Edge[] {
  const out: Edge[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
  for (const file of filesUnder(SRC)) {
    const text = readFileSync(file, 'utf8');
    const from = path.relative(SRC, file);
    for (const m of text.matchAll(pattern)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      out.push({ from, to: spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : spec });
    }
  }
  return out;
}

const all = edges();
const top = (p: string) => p.split(path.sep)[0]!;
const violations = (rule: (e: Edge) => boolean) => all.filter(rule).map((e) => `${e.from} imports ${e.to}`);

describe('module boundaries (docs/architecture.md)', () => {
  it('reads the imports it checks', () => {
    expect(all.length).toBeGreaterThan(200);
    expect(all).toContainEqual({ from: path.join('chat', 'slack', 'adapter.ts'), to: '@slack/web-api' });
  });

  it('the core never imports a chat adapter or a platform SDK', () => {
    expect(violations((e) => CORE.includes(top(e.from)) && (top(e.to) === 'chat' || PLATFORM_SDKS.test(e.to)))).toEqual([]);
  });

  it('platform SDKs are imported only under src/chat/<platform>/', () => {
    expect(violations((e) => PLATFORM_SDKS.test(e.to) && !/^chat[\\/](slack|discord)[\\/]/.test(e.from))).toEqual([]);
  });

  it('feeds/ knows nothing of alerts, commands or chat', () => {
    expect(violations((e) => top(e.from) === 'feeds' && ['alerts', 'commands', 'chat'].includes(top(e.to)))).toEqual([]);
  });

  it('inside feeds/, the HTTP client knows nothing of reading or polling, and reading nothing of polling', () => {
    const part = (p: string) => (top(p) === 'feeds' ? p.split(path.sep)[1] : undefined);
    const below: Record<string, string[]> = { http: ['read', 'poll', 'opml.ts'], read: ['poll', 'opml.ts'] };
    expect(violations((e) => (below[part(e.from) ?? ''] ?? []).includes(part(e.to) ?? ''))).toEqual([]);
  });

  it('one platform never imports another', () => {
    const platform = (p: string) => (top(p) === 'chat' && p.split(path.sep).length > 2 ? p.split(path.sep)[1] : undefined);
    expect(violations((e) => platform(e.from) !== undefined && platform(e.to) !== undefined && platform(e.from) !== platform(e.to))).toEqual([]);
  });

  it('the composition root is imported only by the executable (src/cli/), never by what it builds', () => {
    expect(violations((e) => e.to === 'main.ts' && top(e.from) !== 'cli')).toEqual([]);
  });
});
