import { describe, expect, it } from 'vitest';
import { digest } from '../../src/commands/digest.ts';
import { digestSchedule } from '../../src/commands/digest-schedule.ts';
import { feedAdd } from '../../src/commands/feed-add.ts';
import { feedList } from '../../src/commands/feed-list.ts';
import { feedRemove } from '../../src/commands/feed-remove.ts';
import { list } from '../../src/commands/list.ts';
import { subscribe } from '../../src/commands/subscribe.ts';
import { testTopic } from '../../src/commands/test-topic.ts';
import { argsAfter, tokenize } from '../../src/commands/tokenize.ts';
import { topicAdd } from '../../src/commands/topic-add.ts';
import { topicRemove } from '../../src/commands/topic-remove.ts';
import type { Command } from '../../src/commands/types.ts';
import { unsubscribe } from '../../src/commands/unsubscribe.ts';

const parse = (command: Command, text: string) => command.parse(argsAfter(tokenize(text), 0));

// [command, argument text, options it parses to | the start of the sentence it refuses with]
const CASES: Array<[Command, string, object | string]> = [
  [subscribe, 'dprk-russia-arms', { topic: 'dprk-russia-arms', minScore: 0 }],
  [subscribe, 'dprk-russia-arms min:0.7', { topic: 'dprk-russia-arms', minScore: 0.7 }],
  [subscribe, 'dprk-russia-arms --since 24h min:0.5', { topic: 'dprk-russia-arms', minScore: 0.5, sinceS: 86_400 }],
  [subscribe, 'dprk-russia-arms --since 7d', { topic: 'dprk-russia-arms', minScore: 0, sinceS: 604_800 }],
  [subscribe, '', 'subscribe needs a topic'],
  [subscribe, 'DPRK', '"DPRK" is not a topic slug'],
  [subscribe, 'dprk-russia-arms min:1.5', 'min: is a score from 0 to 1'],
  [subscribe, 'dprk-russia-arms min:', 'min: is a score from 0 to 1'],
  [subscribe, 'dprk-russia-arms min:abc', 'min: is a score from 0 to 1'],
  [subscribe, 'dprk-russia-arms --since', '--since needs a window'],
  [subscribe, 'dprk-russia-arms --since 8d', '--since is a duration from 1h to 7d'],
  [subscribe, 'dprk-russia-arms --since 10m', '--since is a duration from 1h to 7d'],
  [subscribe, 'dprk-russia-arms --since soon', '--since is a duration from 1h to 7d'],
  [subscribe, 'dprk-russia-arms 0.7', 'unexpected "0.7"'],
  [unsubscribe, 'iran-drones', { topic: 'iran-drones' }],
  [unsubscribe, 'iran-drones extra', 'unexpected "extra"'],
  [unsubscribe, '', 'unsubscribe needs a topic'],
  [list, '', {}],
  [list, 'all', 'list takes no arguments'],
  [digest, '', { windowS: 86_400, private: false }],
  [digest, 'iran-drones 7d --private', { topic: 'iran-drones', windowS: 604_800, private: true }],
  [digest, '--private 48h', { windowS: 172_800, private: true }],
  [digest, '31d', 'a window is a duration from 1h to 30d'],
  [digest, 'iran-drones dprk-russia-arms', 'unexpected "dprk-russia-arms"'],
  [digest, '--public', 'unexpected "--public"'],
  [testTopic, 'iran-drones', { topic: 'iran-drones', windowS: 604_800 }],
  [testTopic, 'iran-drones 24h', { topic: 'iran-drones', windowS: 86_400 }],
  [testTopic, 'iran-drones yesterday', 'unexpected "yesterday"'],
  [testTopic, '', 'test needs a topic'],
  [feedAdd, 'https://example.org/rss.xml', { url: 'https://example.org/rss.xml' }],
  // Slack's `<url|label>` wrapping is taken off by the Slack adapter (test/chat/slack/app.test.ts): the layer reads plain text.
  [feedAdd, 'ftp://example.org/rss.xml', '"ftp://example.org/rss.xml" is not an http or https URL'],
  [feedAdd, 'javascript:alert(1)', '"javascript:alert(1)" is not an http or https URL'],
  [feedAdd, 'example.org/rss', '"example.org/rss" is not an http or https URL'],
  [feedAdd, '', 'feed add needs the URL'],
  [feedList, '', {}],
  [feedRemove, '3', { feed: '3' }],
  [feedRemove, 'https://example.org/rss.xml', { feed: 'https://example.org/rss.xml' }],
  [feedRemove, '', 'feed remove needs one feed'],
  [topicAdd, 'sanctions-shipping "(Rason OR Vostochny) AND (ship* OR vessel*) -tourism"', { slug: 'sanctions-shipping', query: '(Rason OR Vostochny) AND (ship* OR vessel*) -tourism' }],
  // Unquoted, the rest of the line is the query, its phrase quotes kept.
  [topicAdd, 'dprk-subs "North Korea" AND submarine*', { slug: 'dprk-subs', query: '"North Korea" AND submarine*' }],
  [topicAdd, 'dprk-subs "\\"North Korea\\" AND submarine*"', { slug: 'dprk-subs', query: '"North Korea" AND submarine*' }],
  [topicAdd, 'dprk-subs “North Korea submarines”', { slug: 'dprk-subs', query: 'North Korea submarines' }],
  [topicAdd, 'Bad_Slug "x"', '"Bad_Slug" is not a topic slug'],
  [topicAdd, 'dprk-subs', 'topic add dprk-subs needs a query'],
  [topicAdd, `long "${'x '.repeat(300)}"`, 'the query is 599 characters'],
  [topicRemove, 'dprk-subs', { slug: 'dprk-subs' }],
  [digestSchedule, 'daily 08:00 Europe/Berlin', { every: 'daily', day: null, time: '08:00', timezone: 'Europe/Berlin' }],
  [digestSchedule, 'daily 8:05', { every: 'daily', day: null, time: '08:05', timezone: 'UTC' }],
  [digestSchedule, 'weekly mon 09:30 Asia/Seoul', { every: 'weekly', day: 1, time: '09:30', timezone: 'Asia/Seoul' }],
  [digestSchedule, 'weekly Sunday 23:59', { every: 'weekly', day: 0, time: '23:59', timezone: 'UTC' }],
  [digestSchedule, 'daily 08:00 europe/berlin', { every: 'daily', day: null, time: '08:00', timezone: 'Europe/Berlin' }],
  [digestSchedule, 'off', { every: 'off' }],
  [digestSchedule, 'daily 24:00', 'the time is HH:MM on a 24-hour clock'],
  [digestSchedule, 'daily', 'the time is HH:MM on a 24-hour clock'],
  [digestSchedule, 'weekly 08:00', 'weekly needs a day'],
  [digestSchedule, 'weekly mo 08:00', 'weekly needs a day'],
  [digestSchedule, 'daily 08:00 Mars/Olympus', '"Mars/Olympus" is not a time zone'],
  [digestSchedule, 'hourly 08:00', 'digest schedule needs daily HH:MM, weekly DAY HH:MM or off'],
  [digestSchedule, 'off now', 'unexpected "now"'],
];

describe('command arguments', () => {
  it.each(CASES)('%s %s', (command, text, expected) => {
    const parsed = parse(command, text);
    if (typeof expected === 'string') {
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.error).toContain(expected);
    } else {
      expect(parsed).toEqual({ ok: true, options: expected });
    }
  });
});
