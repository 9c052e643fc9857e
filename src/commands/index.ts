/**
 * Every chat command, listed explicitly (no scanning of the disk), and the handler every adapter calls.
 * Order is the order `help` lists them in.
 */
import { digest } from './digest.ts';
import { digestSchedule } from './digest-schedule.ts';
import { feedAdd } from './feed-add.ts';
import { feedList } from './feed-list.ts';
import { feedRemove } from './feed-remove.ts';
import { type CommandHandlerDeps, createHandler } from './handler.ts';
import { helpCommand } from './help.ts';
import { list } from './list.ts';
import { storySplit } from './story-split.ts';
import { subscribe } from './subscribe.ts';
import { testTopic } from './test-topic.ts';
import { topicAdd } from './topic-add.ts';
import { topicRemove } from './topic-remove.ts';
import { topics } from './topics.ts';
import type { Command, CommandHandler } from './types.ts';
import { unsubscribe } from './unsubscribe.ts';

export const commands: readonly Command[] = [
  subscribe,
  unsubscribe,
  list,
  topics,
  digest,
  testTopic,
  helpCommand(() => commands),
  feedAdd,
  feedList,
  feedRemove,
  topicAdd,
  topicRemove,
  digestSchedule,
  storySplit,
];

export type { CommandHandlerDeps, CommandStore } from './handler.ts';
export { createFeedAdder } from './feed-adder.ts';


/** The one handler the composition root builds and hands to every adapter (Slack, Discord, the CLI). */
export function createCommandHandler(deps: CommandHandlerDeps): CommandHandler {
  return createHandler(commands, deps);
}
