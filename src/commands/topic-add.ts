import { TOPIC_SLUG } from '../topics/catalog.ts';
import { bad, ok } from './options.ts';
import { answer, audit, callerId } from './reply.ts';
import type { Command } from './types.ts';

/** A one-line query longer than this is not one line. */
const MAX_QUERY_CHARS = 500;

export const topicAdd: Command<{ slug: string; query: string }, unknown> = {
  name: 'topic add',
  usage: 'topic add <slug> "<one-line query>"',
  summary: 'make a topic from a one-line query, matched from the next cycle (admin)',
  help: 'The query is Google-style: "exact phrase", OR, AND (or a space), -exclude, word* (prefix), NEAR/5, parentheses — e.g. topic add sanctions-shipping "(Rason OR Vostochny) AND (ship* OR vessel*) -tourism". See docs/topics.md.',
  admin: true,
  parse(args) {
    const slug = args.words[0];
    if (!slug) return bad('topic add needs a slug and a query, e.g. topic add sanctions-shipping "(Rason OR Vostochny) AND ship*".');
    if (!TOPIC_SLUG.test(slug)) return bad(`"${slug}" is not a topic slug: use lowercase letters, digits and hyphens (at most 63), e.g. sanctions-shipping.`);
    // One quoted word is the query; otherwise the rest of the line as typed, its own quotes (phrases) kept.
    const query = (args.words.length === 2 && args.rest(1).startsWith('"') ? args.words[1]! : args.rest(1)).trim();
    if (!query) return bad(`topic add ${slug} needs a query in quotes, e.g. "(Rason OR Vostochny) AND ship*".`);
    if (query.length > MAX_QUERY_CHARS) return bad(`the query is ${query.length} characters; keep it under ${MAX_QUERY_CHARS}, or write a topic file (docs/topics.md).`);
    return ok({ slug, query });
  },
  async run(ctx, { slug, query }) {
    const topic = await ctx.topics.add({ slug, query, by: callerId(ctx.caller), now: ctx.now() });
    audit(ctx, `topic added: ${slug}`, { command: 'topic add', topic: slug, query });
    return answer('private', `Added topic ${slug} (threshold ${topic.definition.threshold.toFixed(2)}), matched from the next cycle. \`subscribe ${slug}\` sends its alerts to a channel; \`test ${slug}\` shows what it would have matched.`);
  },
};
