/**
 * The SQLite database's place on disk, checked before SQLite is asked to open it (issue 17): SQLite
 * says `unable to open database file` without naming the file, and Node's recursive `mkdir` spins
 * for ever under /proc. Each problem is one sentence naming the path and what to do (AppError
 * `config`: the fix is in `storage.path` or the file system, and the CLI exits 2), found in time
 * bounded by the number of folders in the path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** The file-system calls used here; tests pass failing ones for what root cannot meet (a read-only mount). */
export interface FolderOps {
  stat(p: string): fs.Stats;
  mkdir(p: string): void;
  access(p: string, mode: number): void;
  /** The file-system type (statfs f_type) of the mount holding `p`; undefined where unknown. */
  fsType(p: string): number | undefined;
}

export const nodeFolderOps: FolderOps = {
  stat: (p) => fs.statSync(p),
  mkdir: (p) => fs.mkdirSync(p),
  access: (p, mode) => fs.accessSync(p, mode),
  fsType: (p) => (process.platform === 'linux' ? fs.statfsSync(p).type : undefined),
};

/** Linux pseudo file systems (statfs magic numbers): kernel views where no database can live. */
const KERNEL_FS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
]);

const ELSEWHERE = 'point storage.path (or WATCHFLOOR_DB) at a file in a writable folder, such as ./data/watchfloor.db';

function problem(message: string, cause?: unknown): AppError {
  return new AppError('config', message, { cause });
}

function code(err: unknown): string {
  return (err as { code?: string }).code ?? '';
}

/** The stat of `p`, or undefined when it does not exist (or a component of it is a file: ENOTDIR). */
function statIfAny(ops: FolderOps, p: string): fs.Stats | undefined {
  try {
    return ops.stat(p);
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

function who(): string {
  return typeof process.getuid === 'function' ? `this user (uid ${process.getuid()})` : 'this user';
}

/** One sentence for an error met while creating or checking `where` on the way to `file`. */
function explain(file: string, where: string, err: unknown): AppError {
  switch (code(err)) {
    case 'EROFS':
      return problem(`storage.path ${file} cannot be written: ${where} is on a read-only file system; mount a writable volume there (in a container, one for the data folder) or ${ELSEWHERE}.`, err);
    case 'EACCES':
    case 'EPERM':
      return problem(`storage.path ${file} cannot be written: ${who()} may not write in ${where}; give it write access (chown or chmod) or ${ELSEWHERE}.`, err);
    case 'ENOTDIR':
    case 'EEXIST':
      return problem(`storage.path ${file} cannot be created: ${where} is in the way of a folder of that name (it is a file); move that file aside or ${ELSEWHERE}.`, err);
    default:
      return problem(`storage.path ${file} cannot be created: ${where} does not accept new folders (${code(err) || (err as Error).message}); ${ELSEWHERE}.`, err);
  }
}

/**
 * Checks that `file` can be the database and, with `create`, makes its missing folders (one
 * `mkdir` each, never the recursive form). Without `create` (`check-config`) nothing is written.
 * `:memory:` and '' (SQLite's temporary database) need no folder.
 */
export function prepareSqlitePath(file: string, options: { create: boolean }, ops: FolderOps = nodeFolderOps): void {
  if (file === ':memory:' || file === '') return;
  const target = path.resolve(file);
  const folder = path.dirname(target);

  // The nearest folder that exists, and those to make below it.
  const missing: string[] = [];
  let existing = folder;
  let stats: fs.Stats | undefined;
  for (;;) {
    try {
      stats = statIfAny(ops, existing);
    } catch (err) {
      throw explain(file, existing, err);
    }
    if (stats) break;
    const parent = path.dirname(existing);
    if (parent === existing) break;
    missing.unshift(existing);
    existing = parent;
  }
  if (!stats) throw problem(`storage.path ${file} cannot be created: no folder of it exists; ${ELSEWHERE}.`);
  if (!stats.isDirectory()) {
    throw problem(`storage.path ${file} cannot be created: ${existing} is a file, not a folder; move that file aside or ${ELSEWHERE}.`);
  }
  let type: number | undefined;
  try {
    type = ops.fsType(existing);
  } catch {
    type = undefined;
  }
  const kernel = type === undefined ? undefined : KERNEL_FS.get(type);
  if (kernel) {
    throw problem(`storage.path ${file} is under ${existing}, a kernel file system (${kernel}) where no database can live; ${ELSEWHERE}.`);
  }

  if (missing.length > 0) {
    try {
      ops.access(existing, fs.constants.W_OK);
    } catch (err) {
      throw explain(file, existing, err);
    }
    if (!options.create) return;
    for (const dir of missing) {
      try {
        ops.mkdir(dir);
      } catch (err) {
        throw explain(file, code(err) === 'EEXIST' ? dir : path.dirname(dir), err);
      }
    }
  }

  const own = statIfAny(ops, target);
  if (own?.isDirectory()) {
    throw problem(`storage.path ${file} is a folder, not a database file; name a file inside it, such as ${path.join(file, 'watchfloor.db')}.`);
  }
  // SQLite writes its -wal and -shm files beside the database, so the folder must be writable too.
  for (const p of own ? [folder, target] : [folder]) {
    try {
      ops.access(p, fs.constants.R_OK | fs.constants.W_OK);
    } catch (err) {
      throw explain(file, p, err);
    }
  }
}
