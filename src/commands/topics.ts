import { bad, ok } from './options.ts';
import { answer } from './reply.ts';
import type { Command } from './types.ts';

export const topics: Command<Record<string, never>, unknown> = {
  name: 'topics',
  usage: 'topics',
  summary: 'every topic, one line each',
  parse({ words }) {
    return words.length ? bad(`topics takes no arguments; got "${words[0]}".`) : ok({});
  },
  async run(ctx) {
    const all = ctx.topics.list();
    if (all.length === 0) return answer('private', 'There are no topics yet; an admin adds one with `topic add <slug> "<query>"`.');
    return answer('private', {
      type: 'table',
      columns: ['topic', 'title', 'threshold', 'source'],
      rows: all.map((t) => [t.definition.slug, t.definition.title, t.definition.threshold.toFixed(2), t.source === 'chat' ? `chat: ${t.query}` : 'config']),
    });
  },
};
