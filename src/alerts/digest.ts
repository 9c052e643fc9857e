/**
 * The digest model: the top stories of a time window, ranked and grouped by topic, independent of
 * any chat platform (chat/* formats it; this module renders only the terminal text).
 */
import { displayText } from '../text/bidi.ts';

export interface DigestStory {
  storyId: number;
  /** Slug of the topic the story matched. */
  topic: string;
  topicTitle: string;
  title: string;
  url?: string;
  /** Outlet of the story's first article. */
  source: string;
  /** Distinct outlets that carried the story, the source included ("+4 outlets" when 5). */
  outlets: number;
  /** Best match score of the story for this topic, 0..1. */
  score: number;
  firstSeenAt: Date;
  /** One-sentence summary. */
  gist: string;
}

export interface DigestTopic {
  slug: string;
  title: string;
  stories: DigestStory[];
  /** Stories of this topic left out by `perTopic`; renderers say "and N more". */
  more: number;
}

export interface Digest {
  since: Date;
  until: Date;
  /** What the digest covers, e.g. a topic title or a channel name. */
  title?: string;
  topics: DigestTopic[];
  /** Stories shown (in this part, for a paginated digest). */
  storyCount: number;
  empty: boolean;
  /** Set on the parts `paginateDigest` returns: 1-based index and the number of parts. */
  part?: { index: number; count: number };
}

export interface BuildDigestOptions {
  /** Most stories shown per topic; the rest are counted in `more`. Default 10. */
  perTopic?: number;
  /** Reference time for freshness. Default: the end of the window. */
  now?: Date;
  title?: string;
}

const DEFAULT_PER_TOPIC = 10;
const HOUR_MS = 3_600_000;
// Freshness halves over the length of the window (at least 3 h) and moves at most 30% of the
// rank: between equal scores the newer story leads, but a strong story from the morning still
// beats a weaker one from the last hour.
const MIN_HALF_LIFE_H = 3;
const FRESHNESS_SHARE = 0.3;

/** Ranks the window's stories by score and freshness and groups them by topic. */
export function buildDigest(
  stories: DigestStory[],
  window: { since: Date; until: Date },
  options: BuildDigestOptions = {},
): Digest {
  const perTopic = options.perTopic ?? DEFAULT_PER_TOPIC;
  const now = (options.now ?? window.until).getTime();
  const halfLifeH = Math.max(MIN_HALF_LIFE_H, (window.until.getTime() - window.since.getTime()) / HOUR_MS);
  const rank = (story: DigestStory): number => {
    const ageH = Math.max(0, (now - story.firstSeenAt.getTime()) / HOUR_MS);
    return story.score * (1 - FRESHNESS_SHARE + FRESHNESS_SHARE * 0.5 ** (ageH / halfLifeH));
  };
  const order = (a: DigestStory, b: DigestStory): number =>
    rank(b) - rank(a) ||
    b.outlets - a.outlets ||
    b.firstSeenAt.getTime() - a.firstSeenAt.getTime() ||
    a.storyId - b.storyId;

  // A story matching several topics is listed once, under the topic it matched best.
  const best = new Map<number, DigestStory>();
  for (const story of stories) {
    const seen = best.get(story.storyId);
    if (!seen || story.score > seen.score || (story.score === seen.score && story.topic < seen.topic)) {
      best.set(story.storyId, story);
    }
  }

  const byTopic = new Map<string, DigestStory[]>();
  for (const story of [...best.values()].sort(order)) {
    const list = byTopic.get(story.topic) ?? [];
    list.push(story);
    byTopic.set(story.topic, list);
  }
  // Topics follow their best story, so the most important news opens the digest.
  const topics: DigestTopic[] = [...byTopic.values()].map((list) => ({
    slug: list[0]!.topic,
    title: list[0]!.topicTitle,
    stories: list.slice(0, perTopic),
    more: Math.max(0, list.length - perTopic),
  }));
  const storyCount = topics.reduce((sum, topic) => sum + topic.stories.length, 0);
  // Titles stored before ingest removed bidirectional controls, and topic titles, never passed there (text/bidi.ts).
  return displayText({
    since: window.since,
    until: window.until,
    ...(options.title ? { title: options.title } : {}),
    topics,
    storyCount,
    empty: storyCount === 0,
  });
}

/** "+4 outlets" for a story carried by five, "" for one outlet. */
export function formatOutlets(outlets: number): string {
  const others = outlets - 1;
  if (others <= 0) return '';
  return `+${others} ${others === 1 ? 'outlet' : 'outlets'}`;
}

/** One terminal line: headline, outlet and count, link, gist. */
export function renderDigestLine(story: DigestStory): string {
  const outlets = formatOutlets(story.outlets);
  const origin = outlets ? `${story.source} ${outlets}` : story.source;
  const link = story.url ? ` ${story.url}` : '';
  const gist = story.gist ? ` — ${story.gist}` : '';
  return `• ${story.title} (${origin})${link}${gist}`;
}

/** Plain text for the terminal; an empty window says so in one sentence. */
export function renderDigestText(digest: Digest, options: { timeZone?: string } = {}): string {
  const window = formatWindow(digest.since, digest.until, options.timeZone ?? 'UTC');
  const scope = digest.title ? ` for ${digest.title}` : '';
  if (digest.empty) return `No stories${scope} between ${window.from} and ${window.to}.\n`;
  const topicCount = digest.topics.length;
  const more = digest.topics.reduce((sum, topic) => sum + topic.more, 0);
  const counts =
    `${digest.storyCount} ${digest.storyCount === 1 ? 'story' : 'stories'} in ` +
    `${topicCount} ${topicCount === 1 ? 'topic' : 'topics'}` +
    (more > 0 ? `, ${more} more not shown` : '');
  const part = digest.part && digest.part.count > 1 ? ` (part ${digest.part.index}/${digest.part.count})` : '';
  const lines = [`Digest${scope}: ${window.from} – ${window.to} · ${counts}${part}`];
  for (const topic of digest.topics) {
    lines.push('', `${topic.title} (${topic.slug})`);
    for (const story of topic.stories) lines.push(`  ${renderDigestLine(story)}`);
    if (topic.more > 0) lines.push(`  … and ${topic.more} more`);
  }
  return `${lines.join('\n')}\n`;
}

export interface PaginationLimits {
  /** Most items per part; a story line and a topic heading are one item each (Slack: 50 blocks). */
  maxItemsPerPart: number;
  /** Most characters per part, counting each rendered line plus a newline. */
  maxCharsPerPart: number;
  renderLine: (story: DigestStory) => string;
}

/**
 * Splits a digest into parts that each fit the platform's message limits (Slack: 50 blocks and
 * 3,000 characters per section; Discord: 4,096 characters per description, 6,000 per message).
 * Every story lands in exactly one part, in order; a topic split across parts repeats its heading.
 * A single line longer than `maxCharsPerPart` gets a part of its own — the platform formatter
 * shortens it — rather than being dropped.
 */
export function paginateDigest(digest: Digest, limits: PaginationLimits): Digest[] {
  if (digest.empty) return [{ ...digest, part: { index: 1, count: 1 } }];
  const maxItems = Math.max(2, limits.maxItemsPerPart);
  const parts: DigestTopic[][] = [];
  let topics: DigestTopic[] = [];
  let items = 0;
  let chars = 0;
  const close = (): void => {
    if (topics.length > 0) parts.push(topics);
    topics = [];
    items = 0;
    chars = 0;
  };

  for (const topic of digest.topics) {
    const heading = topic.title.length + 1;
    let current: DigestTopic | undefined;
    topic.stories.forEach((story, i) => {
      const line = limits.renderLine(story).length + 1;
      const isLast = i === topic.stories.length - 1;
      const headingCost = current ? 0 : heading;
      const costItems = 1 + (current ? 0 : 1);
      const overflow = items + costItems > maxItems || chars + line + headingCost > limits.maxCharsPerPart;
      if (overflow && items > 0) {
        close();
        current = undefined;
      }
      if (!current) {
        current = { slug: topic.slug, title: topic.title, stories: [], more: 0 };
        topics.push(current);
        items += 1;
        chars += heading;
      }
      current.stories.push(story);
      items += 1;
      chars += line;
      if (isLast) current.more = topic.more;
    });
  }
  close();

  return parts.map((partTopics, index) => ({
    since: digest.since,
    until: digest.until,
    ...(digest.title ? { title: digest.title } : {}),
    topics: partTopics,
    storyCount: partTopics.reduce((sum, topic) => sum + topic.stories.length, 0),
    empty: false,
    part: { index: index + 1, count: parts.length },
  }));
}

function formatWindow(since: Date, until: Date, timeZone: string): { from: string; to: string } {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const render = (date: Date): string => {
    const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
  };
  return { from: render(since), to: render(until) };
}
