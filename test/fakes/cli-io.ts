import { Readable, Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/command.ts';

/** CliIO with captured stdout/stderr, for running `main()` in-process. */
export function captureIO(env: NodeJS.ProcessEnv = {}, stdin = ''): CliIO & { out(): string; err(): string } {
  const chunks = { out: [] as string[], err: [] as string[] };
  const sink = (into: string[]) => new Writable({ write(chunk, _enc, done) { into.push(String(chunk)); done(); } });
  return {
    stdout: sink(chunks.out),
    stderr: sink(chunks.err),
    stdin: Readable.from([stdin]),
    env: { LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
    cwd: process.cwd(),
    out: () => chunks.out.join(''),
    err: () => chunks.err.join(''),
  };
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
