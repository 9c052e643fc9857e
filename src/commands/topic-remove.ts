import { checkSlug, bad, ok } from './options.ts';
import { answer, audit, refuse } from './reply.ts';
import { unknownTopic } from './topic-names.ts';
import type { Command } from './types.ts';

export const topicRemove: Command<{ slug: string }, unknown> = {
  name: 'topic remove',
  usage: 'topic remove <slug>',
  summary: 'remove a topic made in chat, and the subscriptions to it (admin)',
  admin: true,
  parse({ words }) {
    const slugError = checkSlug(words[0], 'topic remove');
    if (slugError) return bad(slugError);
    if (words.length > 1) return bad(`unexpected "${words[1]}".`);
    return ok({ slug: words[0]! });
  },
  async run(ctx, { slug }) {
    const topic = ctx.topics.get(slug);
    if (!topic) return unknownTopic(ctx, slug);
    if (topic.source === 'config') return refuse(`${slug} is defined in the config's topic files; only topics made in chat can be removed here.`);
    const { subscriptions } = await ctx.topics.remove(slug);
    audit(ctx, `topic removed: ${slug}`, { command: 'topic remove', topic: slug, query: topic.query, subscriptions });
    return answer('private', `Removed topic ${slug}${subscriptions ? ` and its ${subscriptions} ${subscriptions === 1 ? 'subscription' : 'subscriptions'}` : ''}.`);
  },
};
