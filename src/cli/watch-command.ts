import type { CliCommand, OptionValues } from './command.ts';
import { CONFIG_USAGE, withApp } from './context.ts';
import { operatorRequest } from './operator.ts';
import { renderReplyText } from './reply-text.ts';

/**
 * The words after `watch` as one command text for the command layer. One argument is the text as typed
 * (`watchfloor watch 'topic add x "North Korea" AND ship*'`); several are re-quoted where the shell took
 * quotes off, so each stays one word (`src/commands/tokenize.ts` reads `\"` inside quotes as a quote).
 */
export function commandText(words: string[]): string {
  if (words.length === 1) return words[0]!;
  return words.map((w) => (w === '' || /[\s"]/.test(w) ? `"${w.replace(/"/g, '\\"')}"` : w)).join(' ');
}

/**
 * Its own argument reader: the command text carries flags of its own (`--since 24h`, `--private`, `--help`),
 * which parseArgs would refuse. Only `--help` right after `watch`, and `--config PATH` anywhere, are the CLI's;
 * after `--` everything is the command's.
 */
function readArgs(args: string[]): { values: OptionValues; positionals: string[] } {
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (i === 0 && (arg === '--help' || arg === '-h')) values.help = true;
    else if (arg === '--config' || arg === '-c') {
      const path = args[++i];
      if (path === undefined || path.startsWith('-')) throw new TypeError(`Option '${arg} <value>' argument missing`);
      values.config = path;
    } else if (arg.startsWith('--config=')) values.config = arg.slice('--config='.length);
    else positionals.push(arg);
  }
  return { values, positionals };
}

export const watchCommand: CliCommand = {
  name: 'watch',
  summary: 'run a /watch command as the console channel: subscribe, digest, test, feed add, … (`watch help` lists them)',
  usage: `Usage: watchfloor watch <command text…> [--config PATH]

Runs any \`/watch\` command as Slack and Discord users do, from the console channel (the one \`to: console\`
routes post to), as an admin: the operator at the terminal. The answer is printed on stdout; a refused
command (a typo, a usage error, an unknown topic) on stderr, and the exit code is 2.

  watchfloor watch subscribe dprk-russia-arms --since 24h   # alert the last day's matches in the next \`once\`
  watchfloor watch list                                     # the console's subscriptions
  watchfloor watch topic add sanctions-shipping '(Rason OR Vostochny) AND ship*'
  watchfloor watch help                                     # every command

Options:
${CONFIG_USAGE}
  -h, --help          show this help (\`watchfloor watch <command> --help\` shows the command's)`,
  options: {},
  readArgs,
  async run({ values, positionals }, io) {
    const text = commandText(positionals);
    return withApp(values, io, async (app) => {
      const reply = await app.commands(operatorRequest(text, io.env));
      if (!reply.ok) {
        io.stderr.write(`watchfloor watch: ${renderReplyText(reply)}`);
        return 2;
      }
      io.stdout.write(renderReplyText(reply));
      return 0;
    });
  },
};
