import { didYouMean } from './suggest.ts';
import { refuse } from './reply.ts';
import type { CommandContext, Reply } from './types.ts';

/** Up to this many topics are named in the refusal; more, and `topics` lists them. */
const NAMED = 10;

/** `unknown topic "dprk-rusia-arms" — did you mean dprk-russia-arms?`, or the known topics when none is near. */
export function unknownTopic(ctx: Pick<CommandContext, 'topics'>, slug: string): Reply {
  const known = ctx.topics.list().map((t) => t.definition.slug);
  const hint = didYouMean(slug, known);
  if (hint) return refuse(`unknown topic "${slug}"${hint}`);
  if (known.length === 0) return refuse(`unknown topic "${slug}"; there are no topics yet.`);
  return refuse(`unknown topic "${slug}"; ${known.length <= NAMED ? `known topics: ${known.join(', ')}.` : '`topics` lists them.'}`);
}
