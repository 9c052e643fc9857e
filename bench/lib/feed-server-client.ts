/**
 * Starts feed-server.ts in its own process and talks to it: the benchmark's processes only ever
 * reach it over 127.0.0.1.
 */
import { type ChildProcess, fork } from 'node:child_process';

export interface FeedServerInfo {
  origin: string;
  urls: string[];
  prepareMs: number;
  bytes: number;
  gzipBytes: number;
  /** Feeds carrying full content (content:encoded), and their bytes (the rest are summary-only). */
  fullFeeds: number;
  fullBytes: number;
}

export interface FeedServer extends FeedServerInfo {
  process: ChildProcess;
  close(): void;
}

export async function startFeedServer(env: Record<string, string> = {}): Promise<FeedServer> {
  const child = fork(new URL('./feed-server.ts', import.meta.url), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ origin: string; paths: string[]; prepareMs: number; bytes: number; gzipBytes: number; fullFeeds: number; fullBytes: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as never));
    child.once('exit', (code) => reject(new Error(`feed server exited (${code}) before it was ready`)));
  });
  return {
    process: child,
    origin: ready.origin,
    urls: ready.paths.map((p) => ready.origin + p),
    prepareMs: ready.prepareMs,
    bytes: ready.bytes,
    gzipBytes: ready.gzipBytes,
    fullFeeds: ready.fullFeeds,
    fullBytes: ready.fullBytes,
    close: () => child.kill(),
  };
}

export interface GenerationStats {
  generation: number;
  bytes: number;
  gzipBytes: number;
  buildMs: number;
}

/** Switches every feed to generation `gen` (all items new) and waits until it is ready. */
export async function setGeneration(origin: string, gen: number): Promise<GenerationStats> {
  const res = await fetch(`${origin}/_bench/generation?set=${gen}`);
  return (await res.json()) as GenerationStats;
}

/** Answers the server gave since the last reset, by HTTP status; `reset` starts a new count. */
export async function serverCounts(origin: string, reset = false): Promise<Record<string, number>> {
  const res = await fetch(`${origin}/_bench/stats${reset ? '?reset=1' : ''}`);
  return (await res.json()) as Record<string, number>;
}

/** Each feed's current validators, as the server sends them. */
export async function serverValidators(origin: string): Promise<Array<{ url: string; etag: string; lastModified: string }>> {
  const res = await fetch(`${origin}/_bench/validators`);
  return (await res.json()) as Array<{ url: string; etag: string; lastModified: string }>;
}
