import { parseArgs } from 'node:util';
import { checkConfigCommand } from './cli/check-config-command.ts';
import type { CliCommand, CliIO } from './cli/command.ts';
import { deliveriesListCommand, deliveriesRetryCommand } from './cli/deliveries-command.ts';
import { reportError } from './cli/context.ts';
import { digestCommand } from './cli/digest-command.ts';
import { discordDeployCommand } from './cli/discord-command.ts';
import { feedsAddCommand, feedsExportCommand, feedsImportCommand, feedsListCommand, feedsRemoveCommand } from './cli/feeds-command.ts';
import { migrateCommand } from './cli/migrate-command.ts';
import { onceCommand } from './cli/once-command.ts';
import { parseCommand } from './cli/parse-command.ts';
import { previewCommand } from './cli/preview-command.ts';
import { runCommand } from './cli/run-command.ts';
import { scoreCommand } from './cli/score-command.ts';
import { statusCommand } from './cli/status-command.ts';
import { storiesSplitCommand } from './cli/stories-command.ts';
import { topicsListCommand, topicsTestCommand } from './cli/topics-command.ts';
import { watchCommand } from './cli/watch-command.ts';

/** Every `watchfloor` subcommand, in the order `--help` lists them. */
export const commands: CliCommand[] = [
  runCommand, onceCommand, statusCommand, previewCommand, digestCommand, checkConfigCommand, parseCommand, scoreCommand,
  feedsListCommand, feedsAddCommand, feedsRemoveCommand, feedsImportCommand, feedsExportCommand,
  topicsListCommand, topicsTestCommand, discordDeployCommand, watchCommand, deliveriesListCommand, deliveriesRetryCommand, storiesSplitCommand,
  migrateCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: watchfloor <command> [options]

Watchfloor polls news feeds, scores each new article against watch topics and posts explained alerts.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`watchfloor <command> --help\` for a command's options.
`;
}

/** Runs `watchfloor <argv>` and returns the exit code; tests call this with their own streams. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? io.stderr : io.stdout).write(overview());
    return argv.length === 0 ? 2 : 0;
  }
  // Longest name first, so `feeds list` wins over a hypothetical `feeds`.
  const command = [...commands].sort((a, b) => b.name.length - a.name.length)
    .find((c) => c.name.split(' ').every((word, i) => argv[i] === word));
  if (!command) {
    const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
    io.stderr.write(group.length
      ? `watchfloor: \`${argv[0]}\` needs a subcommand: ${group.map((c) => c.name.split(' ')[1]).join(', ')}.\n`
      : `watchfloor: unknown command "${argv[0]}".\n\n${overview()}`);
    return 2;
  }
  const rest = argv.slice(command.name.split(' ').length);
  let parsed;
  try {
    parsed = command.readArgs?.(rest) ?? parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (err) {
    io.stderr.write(`watchfloor ${command.name}: ${(err as Error).message}\n\n${command.usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (err) {
    return reportError(err, io);
  }
}
