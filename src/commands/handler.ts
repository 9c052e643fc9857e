import { AppError, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ArticleStore, ChannelStore, DigestStore, FeedStore, OutboxStore, TopicStore } from '../store/store.ts';
import type { TopicCatalog } from '../topics/catalog.ts';
import { usageOf } from './help.ts';
import { answer, refuse } from './reply.ts';
import { nearest } from './suggest.ts';
import { argsAfter, MAX_COMMAND_CHARS, tokenize } from './tokenize.ts';
import type { Command, CommandContext, CommandHandler, CommandRequest, ConfigFeeds, FeedAdder, Reply } from './types.ts';

/** The ports the whole command layer uses; each command asks for fewer. */
export type CommandStore = FeedStore & ArticleStore & TopicStore & ChannelStore & OutboxStore & DigestStore;

export interface CommandHandlerDeps {
  store: CommandStore;
  topics: TopicCatalog;
  feeds: FeedAdder;
  configFeeds: ConfigFeeds;
  log: Logger;
  now?: () => Date;
}

/**
 * Text in, reply out: tokenize, find the command (two-word names first: `feed add`, `digest schedule`), answer
 * `--help`, check admin, parse, run. A failure of any step is a reply that says what to do, and changes nothing
 * that the step had not already committed (every command parses fully before it writes).
 */
export function createHandler(commands: readonly Command[], deps: CommandHandlerDeps): CommandHandler {
  const byName = new Map(commands.map((c) => [c.name, c]));
  // `feed`, `topic`: first words that are only ever followed by a second (`digest` is a command of its own too).
  const groups = new Set(commands.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!).filter((w) => !byName.has(w)));
  const now = deps.now ?? (() => new Date());

  return async (request: CommandRequest): Promise<Reply> => {
    if (request.text.length > MAX_COMMAND_CHARS) return refuse(`that command is ${request.text.length} characters; commands are at most ${MAX_COMMAND_CHARS}.`);
    const tokens = tokenize(request.text);
    const [first, second] = tokens.words.map((w) => w.toLowerCase());
    if (first === undefined) return dispatch(byName.get('help')!, 1);
    const two = second === undefined ? undefined : byName.get(`${first} ${second}`);
    if (two) return dispatch(two, 2);
    const one = byName.get(first);
    if (one) return dispatch(one, 1);
    return refuse(unknownCommand(first, second));

    async function dispatch(command: Command, nameWords: number): Promise<Reply> {
      const args = argsAfter(tokens, nameWords);
      if (args.words.includes('--help') || args.words.includes('-h')) return answer('private', usageOf(command));
      const ctx: CommandContext = { store: deps.store, topics: deps.topics, caller: request.caller, isAdmin: request.isAdmin, now, log: deps.log, feeds: deps.feeds, configFeeds: deps.configFeeds };
      try {
        if (command.admin && !(await request.isAdmin())) {
          return refuse(`\`${command.name}\` is for admins of this bot; ask one, or see \`help\` for what everyone can do.`);
        }
        const parsed = command.parse(args);
        if (!parsed.ok) return refuse(`${parsed.error}\nUsage: ${command.usage}`);
        const reply = await command.run(ctx, parsed.options);
        deps.log.info({ command: command.name, caller: request.caller }, `command ${command.name} answered`);
        return reply;
      } catch (err) {
        if (err instanceof AppError) {
          deps.log.info({ command: command.name, code: err.code, caller: request.caller }, `command refused: ${err.message}`);
          return refuse(err.message);
        }
        deps.log.error({ err, command: command.name, caller: request.caller }, `command failed: ${errorMessage(err)}`);
        return refuse(`\`${command.name}\` failed on our side and changed nothing we know of; try again, and tell the operator if it keeps failing.`);
      }
    }
  };

  function unknownCommand(first: string, second: string | undefined): string {
    const name = (text: string) => text.slice(0, 40);
    if (groups.has(first)) {
      const sub = commands.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name);
      const near = second === undefined ? [] : nearest(`${first} ${second}`, sub, 1);
      const hint = near.length ? ` — did you mean ${near[0]}?` : `; it is one of: ${sub.join(', ')}.`;
      return `${second === undefined ? `\`${first}\` needs more` : `unknown command "${name(`${first} ${second}`)}"`}${hint}`;
    }
    const candidates = [...new Set(commands.map((c) => c.name.split(' ')[0]!))];
    const near = nearest(first, candidates);
    const hint = near.length ? ` — did you mean ${near.join(' or ')}?` : '; `help` lists the commands.';
    return `unknown command "${name(first)}"${hint}`;
  }
}
