/**
 * The one-line `why` of a match, read by people in a chat channel:
 *   North Korea (title) · Kremlin + artillery shells (same sentence) · 0.91 ≥ 0.60
 * Title hits first, then the concepts found together in one sentence, then other evidence by
 * field; each concept is named by the words the article used. When the rule does not hold, each
 * failed part of it is named with the topic's own concept labels:
 *   North Korea + Russia (title) · none of: munitions, missiles, weapons … · rule not met · 0.00 < 0.50
 * The full structure stays in `Explanation` for the store and the web.
 */
import type { ConceptHit, Explanation, UnmetRule } from './explanation.ts';

const MAX_OTHER = 3;
/** Concepts named in a "none of" list before it ends with "…". */
const MAX_LISTED = 3;

/** `labels`: the topic's concept id → label (CompiledTopic.labels). */
export function renderWhy(explanation: Explanation, ruleHolds: boolean, labels: ReadonlyMap<string, string>): string {
  const labelOf = (concept: string) => labels.get(concept) ?? concept;
  const { hits } = explanation;
  const shown = new Set<string>();
  const parts: string[] = [];
  const surfaceOf = (concept: string, field?: ConceptHit['field'], sentence?: number): string => {
    const hit =
      hits.find((h) => h.concept === concept && h.field === field && (sentence === undefined || h.sentence === sentence)) ??
      hits.find((h) => h.concept === concept)!;
    return hit ? hit.surface : labelOf(concept);
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

  if (!ruleHolds) parts.push(...renderUnmet(explanation.unmet ?? [], labelOf));
  if (parts.length === 0) parts.push('no concept of this topic found');

  const score = explanation.score.toFixed(2);
  const threshold = explanation.threshold.toFixed(2);
  if (!ruleHolds) parts.push(`rule not met · ${score} < ${threshold}`);
  else parts.push(explanation.score >= explanation.threshold ? `${score} ≥ ${threshold}` : `${score} < ${threshold}`);
  return parts.join(' · ');
}

/** One part per kind of failure, in rule order: `missing: …`, `none of: …`, `… not in one sentence`, `excluded: …`. */
function renderUnmet(rules: UnmetRule[], labelOf: (concept: string) => string): string[] {
  const parts: string[] = [];
  const missing = rules.flatMap((r) => (r.kind === 'missing' ? [r.concepts.map(labelOf).join(' or ')] : []));
  if (missing.length > 0) parts.push(`missing: ${missing.join(', ')}`);
  for (const rule of rules) {
    if (rule.kind === 'too-few') {
      const absent = rule.concepts.filter((c) => !rule.found.includes(c));
      const noneOf = `none of: ${listed(absent.map(labelOf))}`;
      if (rule.found.length === 0) parts.push(rule.min > 1 ? `${noneOf} (${rule.min} needed)` : noneOf);
      else parts.push(`only ${rule.found.length} of the ${rule.min} needed (${rule.found.map(labelOf).join(', ')}); ${noneOf}`);
    } else if (rule.kind === 'apart') {
      const groups = rule.groups.map((group) => group.map(labelOf).join(' or '));
      const together = groups.length <= 2 ? groups.join(' and ') : `${groups.slice(0, -1).join(', ')} and ${groups[groups.length - 1]}`;
      parts.push(rule.words === 'sentence' ? `${together} not in one sentence` : `${together} not within ${rule.words} words`);
    }
  }
  const excluded = unique(rules.flatMap((r) => (r.kind === 'excluded' ? r.concepts : [])));
  if (excluded.length > 0) parts.push(`excluded: ${excluded.map(labelOf).join(', ')}`);
  return parts;
}

function listed(names: string[]): string {
  return names.length > MAX_LISTED ? `${names.slice(0, MAX_LISTED).join(', ')} …` : names.join(', ');
}

/** Drops a surface already said by another: `Putin` next to `meet Putin`, one phrase hit by two concepts. */
function distinct(surfaces: string[]): string[] {
  const lower = surfaces.map((s) => s.toLowerCase());
  return surfaces.filter((_, i) => !lower.some((other, j) => j !== i && (other === lower[i] ? j < i : other.includes(lower[i]!))));
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
