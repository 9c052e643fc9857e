/**
 * The process's garbage-collection setting, applied once when the process starts (bin/watchfloor.js),
 * before any work: V8 flags are process-wide, so it covers the parser threads too.
 *
 * By default V8 lets the old generation grow up to 4× its live size before a full collection. A poll
 * cycle promotes a steady stream of short-lived article objects, so the main heap of a 1,000-feed
 * cycle swung between 80 and 125 MB for ~40 MB live. Growing by at most 30 % keeps it near its live
 * size, for more (and shorter) full collections: ~40 MB less peak memory (docs/benchmarks.md).
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 30;

export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
