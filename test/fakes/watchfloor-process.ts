import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './test-config.ts';

/** The executable the end-to-end tests run: the compiled CLI (`npm run build`), or another build given in WATCHFLOOR_E2E_BIN. */
export const BIN = process.env.WATCHFLOOR_E2E_BIN ?? path.join(ROOT, 'bin/watchfloor.js');

export interface WatchfloorProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** `watchfloor <args>` as a child process, its output kept. */
export function spawnWatchfloor(args: string[], env: NodeJS.ProcessEnv): WatchfloorProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/**
 * Polls `probe` (sync or async) until it returns something truthy. The timeout only bounds a hung run and fails
 * with `what` and `detail()`; nothing asserts on timing.
 */
export async function until<T>(what: string, probe: () => T | undefined | false | null | Promise<T | undefined | false | null>, options: { timeoutMs?: number; everyMs?: number; detail?: () => string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${options.detail ? `\n${options.detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 50));
  }
}
