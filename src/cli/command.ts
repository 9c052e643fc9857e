import type { ParseArgsConfig } from 'node:util';

/** Where a command reads and writes; tests pass their own streams. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The clock commands read (the app's too, through withApp); tests set it, the real one is the default. */
  now?: () => Date;
}

/** The command's clock: `io.now`, else the system's. */
export function clockOf(io: CliIO): () => Date {
  return io.now ?? (() => new Date());
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/**
 * One `watchfloor <name>` subcommand. The dispatcher in cli.ts parses `options` with
 * node:util parseArgs, answers `--help` from `usage`, and reports bad flags with the usage text.
 * `run` returns the process exit code: 0 ok, 1 failed, 2 bad input (usage or config).
 */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  /**
   * Reads the arguments itself instead of parseArgs with `options` (`watch` passes a chat command's own flags
   * through); `values.help` asks for the usage. Throws with a sentence on bad arguments.
   */
  readArgs?(args: string[]): { values: OptionValues; positionals: string[] };
  run(args: { values: OptionValues; positionals: string[] }, io: CliIO): Promise<number>;
}
