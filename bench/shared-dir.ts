import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The read-only `shared/` folder laid beside the repository (feed corpora, the labeled eval set).
 * CI clones the repository elsewhere with a copy of shared/ beside it, so it is found relative to
 * this checkout; WATCHFLOOR_SHARED overrides.
 */
export const SHARED_DIR = process.env.WATCHFLOOR_SHARED
  ?? [path.resolve(import.meta.dirname, '../../shared'), '/work/shared'].find((dir) => existsSync(dir))
  ?? path.resolve(import.meta.dirname, '../../shared');

export const EVAL_FILE = path.join(SHARED_DIR, 'eval/dprk-russia-arms.dev.jsonl');
