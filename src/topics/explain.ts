/**
 * The one-line `why` of a match, read by people in a chat channel:
 *   North Korea (title) · Kremlin + artillery shells (same sentence) · 0.91 ≥ 0.60
 * Title hits first, then the concepts found together in one sentence, then other evidence by
 * field; each concept is named by the words the article used. The full structure stays in
 * `Explanation` for the store and the web.
 */
import type { TopicIndex } from './compile.ts';
import type { ConceptHit, Explanation } from './match.ts';

const MAX_OTHER = 3;

export function renderWhy(explanation: Explanation, ruleHolds: boolean, index: TopicIndex): string {
  const { hits } = explanation;
  const shown = new Set<string>();
  const parts: string[] = [];
  const surfaceOf = (concept: string, field?: ConceptHit['field'], sentence?: number): string => {
    const hit =
      hits.find((h) => h.concept === concept && h.field === field && (sentence === undefined || h.sentence === sentence)) ??
      hits.find((h) => h.concept === concept)!;
    return hit ? hit.surface : labelOf(index, concept);
  };

  const titleConcepts = unique(hits.filter((h) => h.field === 'title').map((h) => h.concept));
  if (titleConcepts.length > 0) {
    parts.push(`${distinct(titleConcepts.map((c) => surfaceOf(c, 'title'))).join(' + ')} (title)`);
    titleConcepts.forEach((c) => shown.add(c));
  }

  const co = explanation.cooccurrence;
  if (co && co.field !== 'title') {
    const sentence = hits.find((h) => h.field === co.field && co.sentence.includes(h.surface))?.sentence;
    const fresh = co.concepts.filter((c) => !shown.has(c));
    if (fresh.length > 0) {
      parts.push(`${distinct(fresh.map((c) => surfaceOf(c, co.field, sentence))).join(' + ')} (same sentence)`);
      fresh.forEach((c) => shown.add(c));
    }
  }

  const others = unique(hits.map((h) => h.concept)).filter((c) => !shown.has(c)).slice(0, MAX_OTHER);
  for (const c of others) {
    const hit = hits.find((h) => h.concept === c)!;
    parts.push(`${hit.surface} (${hit.field})`);
  }

  if (explanation.vetoedBy?.length) parts.push(`excluded: ${explanation.vetoedBy.map((c) => labelOf(index, c)).join(', ')}`);
  if (explanation.missing?.length) parts.push(`missing: ${explanation.missing.map((group) => group.map((c) => labelOf(index, c)).join(' or ')).join(', ')}`);
  if (parts.length === 0) parts.push('no concept of this topic found');

  const score = explanation.score.toFixed(2);
  const threshold = explanation.threshold.toFixed(2);
  if (!ruleHolds) parts.push(`rule not met · ${score} < ${threshold}`);
  else parts.push(explanation.score >= explanation.threshold ? `${score} ≥ ${threshold}` : `${score} < ${threshold}`);
  return parts.join(' · ');
}

function labelOf(index: TopicIndex, concept: string): string {
  const c = index.concepts.indexOf(concept);
  return c >= 0 ? index.conceptLabels[c]! : concept;
}

/** Drops a surface already said by another: `Putin` next to `meet Putin`, one phrase hit by two concepts. */
function distinct(surfaces: string[]): string[] {
  const lower = surfaces.map((s) => s.toLowerCase());
  return surfaces.filter((_, i) => !lower.some((other, j) => j !== i && (other === lower[i] ? j < i : other.includes(lower[i]!))));
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
