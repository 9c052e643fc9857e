import type { ArticleStore } from '../store/store.ts';
import { bad, ok } from './options.ts';
import { answer, audit, refuse } from './reply.ts';
import type { Command } from './types.ts';

export type SplitResult =
  | { status: 'not_found' | 'unchanged' | 'split'; sentence: string };

/**
 * Takes an article out of the story it was folded into: it becomes a story of its own, and later reports are
 * compared with both. One implementation for `/watch story split` and `watchfloor stories split`.
 */
export async function splitArticle(store: Pick<ArticleStore, 'splitStory'>, articleId: number, now: Date): Promise<SplitResult> {
  const split = await store.splitStory(articleId, now);
  if (!split) return { status: 'not_found', sentence: `Article ${articleId} is not in a story: check the id (a follow-up and \`watchfloor preview\` show it).` };
  if (split.storyId === split.from) return { status: 'unchanged', sentence: `Article ${articleId} already starts story ${split.from}: nothing to split.` };
  return { status: 'split', sentence: `Article ${articleId} left story ${split.from}; it is now story ${split.storyId}. Later reports are compared with both.` };
}

export const storySplit: Command<{ articleId: number }, Pick<ArticleStore, 'splitStory'>> = {
  name: 'story split',
  usage: 'story split <article id>',
  summary: 'take an article out of a story it was wrongly folded into; it alerts as a story of its own from now on (admin)',
  admin: true,
  parse({ words }) {
    const id = Number(words[0]);
    if (words.length !== 1 || !Number.isInteger(id) || id < 1) return bad('give one article id, e.g. `story split 42` (a follow-up shows why and where it joined).');
    return ok({ articleId: id });
  },
  async run(ctx, { articleId }) {
    const result = await splitArticle(ctx.store, articleId, ctx.now());
    if (result.status === 'not_found') return refuse(result.sentence);
    if (result.status === 'split') audit(ctx, `story split: article ${articleId}`, { command: 'story split', article: articleId });
    return answer('private', result.sentence);
  },
};
