import { didYouMean } from './suggest.ts';
import { refuse } from './reply.ts';
import type { CommandContext, Reply } from './types.ts';

/** `unknown topic "dprk-rusia-arms" — did you mean dprk-russia-arms?` */
export function unknownTopic(ctx: CommandContext, slug: string): Reply {
  const known = ctx.topics.list().map((t) => t.definition.slug);
  const hint = didYouMean(slug, known);
  return refuse(`unknown topic "${slug}"${hint || (known.length ? '; `topics` lists them.' : '; there are no topics yet.')}`);
}
