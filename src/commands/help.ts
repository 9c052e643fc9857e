import { ok } from './options.ts';
import { answer } from './reply.ts';
import { didYouMean } from './suggest.ts';
import type { Command, Reply } from './types.ts';

/** The usage of one command: synopsis, what it does, and its longer help. */
export function usageOf(command: Command): string {
  return [`Usage: ${command.usage}`, `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`, ...(command.help ? [command.help] : [])].join('\n');
}

/** `help` needs the list it describes, which includes itself: built by index.ts. */
export function helpCommand(all: () => readonly Command[]): Command<{ topic?: string }, unknown> {
  return {
    name: 'help',
    usage: 'help [command]',
    summary: 'the commands, or how to use one',
    parse({ words }) {
      return ok(words.length ? { topic: words.join(' ') } : {});
    },
    async run(_ctx, { topic }): Promise<Reply> {
      const commands = all();
      if (topic) {
        const command = commands.find((c) => c.name === topic);
        if (!command) return { ...answer('private', `no command "${topic}"${didYouMean(topic, commands.map((c) => c.name))}`), ok: false };
        return answer('private', usageOf(command));
      }
      return answer('private', {
        type: 'table',
        columns: ['command', 'what it does'],
        rows: commands.map((c) => [c.usage, c.summary]),
      }, '`help <command>` or `<command> --help` tells more about one.');
    },
  };
}
