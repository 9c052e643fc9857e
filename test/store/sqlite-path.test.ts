import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { Config } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { type FolderOps, nodeFolderOps, prepareSqlitePath } from '../../src/store/sqlite-path.ts';
import { captureIO } from '../fakes/cli-io.ts';

/**
 * Storage paths that cannot hold a database (issue 17): each is one sentence naming the path and what
 * to do, found at once (Node's recursive mkdir spun for ever under /proc), and `once` exits 2.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const aFile = path.join(dir, 'a-file');
writeFileSync(aFile, 'not a folder');
const aFolder = path.join(dir, 'a-folder.db');
mkdirSync(aFolder);

const sqliteConfig = (file: string) => ({ storage: { driver: 'sqlite', path: file } }) as unknown as Config;
const ELSEWHERE = 'point storage.path (or WATCHFLOOR_DB) at a file in a writable folder, such as ./data/watchfloor.db.';

const cases: Array<[string, string, string]> = [
  ['a missing folder under /proc', '/proc/watchfloor/x.db', `storage.path /proc/watchfloor/x.db is under /proc, a kernel file system (proc) where no database can live; ${ELSEWHERE}`],
  ['a file directly under /proc', '/proc/x.db', `storage.path /proc/x.db is under /proc, a kernel file system (proc) where no database can live; ${ELSEWHERE}`],
  ['a parent that is a file', path.join(aFile, 'w.db'), `storage.path ${path.join(aFile, 'w.db')} cannot be created: ${aFile} is a file, not a folder; move that file aside or ${ELSEWHERE}`],
  ['a file two levels under a file', path.join(aFile, 'sub', 'w.db'), `storage.path ${path.join(aFile, 'sub', 'w.db')} cannot be created: ${aFile} is a file, not a folder; move that file aside or ${ELSEWHERE}`],
  ['a path that is a folder', aFolder, `storage.path ${aFolder} is a folder, not a database file; name a file inside it, such as ${path.join(aFolder, 'watchfloor.db')}.`],
];

describe('openStore: SQLite paths that cannot hold a database', () => {
  it.each(cases)('%s', async (_what, file, message) => {
    await expect(openStore(sqliteConfig(file), silentLogger())).rejects.toMatchObject({ code: 'config', message });
  });

  it('still creates missing folders of a good path, one at a time', async () => {
    const file = path.join(dir, 'new', 'deeper', 'w.db');
    const store = await openStore(sqliteConfig(file), silentLogger());
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('check-config finds the same problems and creates nothing', () => {
    const file = path.join(dir, 'unmade', 'w.db');
    prepareSqlitePath(file, { create: false });
    expect(existsSync(path.dirname(file))).toBe(false);
    expect(() => prepareSqlitePath('/proc/watchfloor/x.db', { create: false })).toThrow(expect.objectContaining({ code: 'config' }));
  });
});

describe('watchfloor once with such a path', () => {
  it.each(cases)('%s: one line naming the path, exit 2', async (_what, file, message) => {
    const config = path.join(dir, `once-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(config, `storage: { path: ${JSON.stringify(file)} }\nfeeds: []\n`);
    const io = captureIO();
    const code = await main(['once', '--config', config], io);
    expect(code).toBe(2);
    expect(io.err()).toBe(`watchfloor: ${message}\n`);
  });
});

/** Ops whose `fail` names a call and path that throws `code`, as a read-only mount would; the rest is real. */
function failing(code: string, call: keyof FolderOps, at: string): FolderOps {
  const err = Object.assign(new Error(`${code}: ${call} '${at}'`), { code });
  return {
    ...nodeFolderOps,
    [call]: (p: string, ...rest: unknown[]) => {
      if (p === at) throw err;
      return (nodeFolderOps[call] as (p: string, ...r: unknown[]) => Stats | number | undefined | void)(p, ...rest);
    },
  };
}

describe('prepareSqlitePath: what root does not meet here', () => {
  // Root writes through file modes, and a test cannot mount a read-only file system: these are the
  // errors the kernel gives a non-root user and a read-only mount, passed in through FolderOps.
  it('a missing folder on a read-only mount', () => {
    const mount = path.join(dir, 'ro-mount');
    mkdirSync(mount);
    const file = path.join(mount, 'data', 'w.db');
    expect(() => prepareSqlitePath(file, { create: true }, failing('EROFS', 'access', mount))).toThrow(expect.objectContaining({
      code: 'config',
      message: `storage.path ${file} cannot be written: ${mount} is on a read-only file system; mount a writable volume there (in a container, one for the data folder) or ${ELSEWHERE}`,
    }));
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('an existing folder on a read-only mount', () => {
    const mount = path.join(dir, 'ro-mount-2');
    mkdirSync(mount);
    const file = path.join(mount, 'w.db');
    expect(() => prepareSqlitePath(file, { create: true }, failing('EROFS', 'access', mount))).toThrow(expect.objectContaining({
      message: expect.stringMatching(/^storage\.path .*w\.db cannot be written: .*ro-mount-2 is on a read-only file system; /),
    }));
  });
});

describe('a read-only folder for a user who is not root', () => {
  const ro = path.join(dir, 'read-only');
  mkdirSync(ro);
  chmodSync(dir, 0o755);
  chmodSync(ro, 0o555);
  const probe = path.join(dir, 'probe.mjs');
  writeFileSync(probe, [
    `const { prepareSqlitePath } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/store/sqlite-path.ts', import.meta.url)))});`,
    'try { prepareSqlitePath(process.argv[2], { create: true }); console.log("opened"); }',
    'catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }',
  ].join('\n'));
  const root = process.getuid?.() === 0;

  it.each([
    ['the database file itself', path.join(ro, 'w.db'), ro],
    ['a folder to create in it', path.join(ro, 'sub', 'w.db'), ro],
  ])('%s', (_what, file, where) => {
    // As root (CI, this machine), run the check as `nobody`, for whom the mode bits count.
    const run = spawnSync(process.execPath, ['--import', 'tsx', probe, file], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      ...(root ? { uid: 65534, gid: 65534 } : {}),
    });
    const uid = root ? 65534 : process.getuid?.();
    expect(JSON.parse(run.stdout)).toEqual({
      code: 'config',
      message: `storage.path ${file} cannot be written: this user (uid ${uid}) may not write in ${where}; give it write access (chown or chmod) or ${ELSEWHERE}`,
    });
  });
});
