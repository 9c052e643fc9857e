/**
 * The outbox rows a digest post delivers, written into the post itself (Slack message metadata, a Discord embed
 * footer) so that a retry after a crash or a lost answer can find it by row id. A burst carries every alert row of
 * it, and a channel's rows of one poll are often every k-th id (the same stories go to k channels), so ascending runs
 * of one step are written `first-last/step` (`first-last` for step 1): `101-177/4,180,200-204`. What does not fit in
 * `maxChars` is counted (`+12`) rather than listed; those rows cannot be found by id.
 */

const RUN = /^(\d+)(?:-(\d+)(?:\/(\d+))?)?$/;

/** The ids as a list of at most `maxChars` characters, the count of those left out included. */
export function formatDeliveryIds(ids: readonly number[], maxChars: number): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const runs: Array<{ text: string; count: number }> = [];
  for (let i = 0; i < sorted.length; ) {
    const step = (sorted[i + 1] ?? 0) - sorted[i]!;
    let j = i + 1;
    while (j + 1 < sorted.length && sorted[j + 1]! - sorted[j]! === step) j++;
    // Two ids are a run only when they are neighbours: `5,9` is shorter than `5-9/4`.
    if (j < sorted.length && (j - i >= 2 || step === 1)) {
      runs.push({ text: `${sorted[i]}-${sorted[j]}${step === 1 ? '' : `/${step}`}`, count: j - i + 1 });
      i = j + 1;
    } else {
      runs.push({ text: String(sorted[i]), count: 1 });
      i++;
    }
  }
  let list = '';
  let left = sorted.length;
  for (const [n, run] of runs.entries()) {
    const next = list ? `${list},${run.text}` : run.text;
    const after = left - run.count;
    // Keep room for the count of what would still be left out.
    if (next.length + (n < runs.length - 1 ? `,+${after}`.length : 0) > maxChars) break;
    list = next;
    left = after;
  }
  if (left === 0) return list;
  return list ? `${list},+${left}` : `+${left}`;
}

/** Whether a list written by `formatDeliveryIds` names `id`. */
export function deliveryIdsInclude(list: string, id: number): boolean {
  return list.split(',').some((token) => {
    const run = RUN.exec(token.trim());
    if (!run) return false;
    const first = Number(run[1]);
    const last = run[2] === undefined ? first : Number(run[2]);
    const step = Number(run[3] ?? 1);
    return id >= first && id <= last && (id - first) % step === 0;
  });
}
