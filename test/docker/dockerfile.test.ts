/**
 * No Docker engine runs here, so the Dockerfile is checked by structure: its instructions are parsed (comments,
 * parser directives and line continuations as Docker reads them) and the stages, user, health check, volume and
 * environment are compared with what docs/operations.md promises.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TEXT = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile instructions in order: `#` lines dropped, `\` continuations joined. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    const [keyword, ...rest] = whole.split(/\s+/);
    out.push({ keyword: keyword!.toUpperCase(), args: rest.join(' ') });
  }
  return out;
}

function stages(list: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const i of list) {
    if (i.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args)!;
      out.push({ from: m[1]!, name: m[2], instructions: [] });
    } else {
      out.at(-1)?.instructions.push(i);
    }
  }
  return out;
}

/** `ENV A=1 B=2` (and the old `ENV A 1`) as pairs. */
function envPairs(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    if (!i.args.includes('=')) {
      const [k, ...v] = i.args.split(/\s+/);
      env[k!] = v.join(' ');
      continue;
    }
    for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  }
  return env;
}

const all = instructions(TEXT);
const [build, runtime] = stages(all) as [Stage, Stage];
const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
const last = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).at(-1);

describe('Dockerfile', () => {
  it('has exactly two stages, both on the Node 20 LTS slim image', () => {
    expect(stages(all)).toHaveLength(2);
    for (const stage of [build, runtime]) expect(stage.from).toMatch(/^node:20(\.\d+)*-(bookworm|bullseye|trixie)-slim$/);
    expect(build.name).toBe('build');
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node).toMatch(/^>=20\./);
  });

  it('builds in the first stage: compiler toolchain, better-sqlite3 from source, npm run build', () => {
    expect(runs(build)).toMatch(/apt-get install[^\n]*\bpython3\b[^\n]*\bmake\b[^\n]*\bg\+\+/);
    expect(runs(build)).toMatch(/npm ci\b/);
    expect(runs(build)).toMatch(/npm rebuild better-sqlite3 --build-from-source/);
    expect(runs(build)).toMatch(/npm run build/);
    // The sources come in after the dependencies, so a source change reuses the dependency layer.
    const order = build.instructions.map((i) => `${i.keyword} ${i.args}`);
    expect(order.findIndex((i) => i.startsWith('COPY src'))).toBeGreaterThan(order.findIndex((i) => i.includes('npm ci')));
  });

  it('runs from the second stage: production dependencies only, no compiler, the built addon and dist copied in', () => {
    expect(runs(runtime)).toMatch(/npm ci --omit=dev\b/);
    expect(runs(runtime)).not.toMatch(/apt-get install|g\+\+|node-gyp|npm run build/);
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=build /app/dist ./dist');
    expect(copies).toContain('--from=build /app/node_modules/better-sqlite3/build ./node_modules/better-sqlite3/build');
    for (const needed of ['bin', 'config']) expect(copies.some((c) => c.startsWith(`${needed} `))).toBe(true);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const sources = all.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      expect(ignored.includes(source), `${source} is in .dockerignore`).toBe(false);
    }
    for (const kept of ['node_modules', 'dist', 'data', '.git', '.env', 'test']) expect(ignored).toContain(kept);
  });

  it('runs as the unprivileged node user, set before the entrypoint', () => {
    const user = last(runtime, 'USER')!;
    expect(user.args).toBe('node');
    const keywords = runtime.instructions.map((i) => i.keyword);
    expect(keywords.lastIndexOf('USER')).toBeLessThan(keywords.indexOf('ENTRYPOINT'));
    expect(keywords.slice(keywords.lastIndexOf('USER')).filter((k) => k === 'RUN')).toEqual([]);
  });

  it('keeps its data on a /data volume the node user owns, with WATCHFLOOR_DB in it', () => {
    expect(JSON.parse(last(runtime, 'VOLUME')!.args)).toEqual(['/data']);
    expect(runs(runtime)).toMatch(/mkdir -p \/data && chown node:node \/data/);
    expect(envPairs(runtime)).toMatchObject({ WATCHFLOOR_DB: '/data/watchfloor.db', NODE_ENV: 'production' });
  });

  it('checks health on /healthz at the port it exposes, without tools the slim image lacks', () => {
    const health = last(runtime, 'HEALTHCHECK')!.args;
    expect(health).toMatch(/--interval=\d+s/);
    const command = JSON.parse(health.slice(health.indexOf('CMD') + 3).trim()) as string[];
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/healthz');
    expect(command.join(' ')).not.toMatch(/\b(curl|wget)\b/);
    expect(last(runtime, 'EXPOSE')!.args).toBe(envPairs(runtime).WATCHFLOOR_HTTP_PORT);
  });

  it('starts node in exec form, so SIGTERM reaches it, running `run`', () => {
    expect(JSON.parse(last(runtime, 'ENTRYPOINT')!.args)).toEqual(['node', 'bin/watchfloor.js']);
    expect(JSON.parse(last(runtime, 'CMD')!.args)).toEqual(['run']);
  });

  it('holds no secret: no secret variable set, no token-like value, no ARG for one', () => {
    const secretName = /TOKEN|SECRET|PASSWORD|DATABASE_URL|WEBHOOK|API_KEY/i;
    for (const stage of [build, runtime]) {
      expect(Object.keys(envPairs(stage)).filter((k) => secretName.test(k))).toEqual([]);
      expect(stage.instructions.filter((i) => i.keyword === 'ARG' && secretName.test(i.args))).toEqual([]);
    }
    expect(TEXT).not.toMatch(/xox[abp]-|xapp-|hooks\.slack\.com\/services|discord(app)?\.com\/api\/webhooks|postgres(ql)?:\/\/[^@\s]+:[^@\s]+@/);
    // The variables it does set are ones the app reads.
    const known = new Set([...Object.keys(envSchema.shape), 'NODE_ENV']);
    expect(Object.keys(envPairs(runtime)).filter((k) => !known.has(k))).toEqual([]);
  });
});
