import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { ALICE, type Harness, harness, textOf } from './harness.ts';

describe('command handler', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('names the nearest topic for a typo and changes nothing', async () => {
    const reply = await h.run('subscribe dprk-rusia-arms');
    expect(reply).toEqual({ visibility: 'private', ok: false, parts: [{ type: 'text', text: 'unknown topic "dprk-rusia-arms" — did you mean dprk-russia-arms?' }] });
    expect(await h.store.findChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' })).toBeUndefined();
    expect(await h.say('subscribe weather')).toBe('unknown topic "weather"; known topics: dprk-russia-arms, iran-drones.');
  });

  it('points to `topics` instead of naming them when there are many', async () => {
    for (let i = 0; i < 10; i++) await h.run(`topic add extra-${i} "Rason AND ship${i}"`, ALICE, true);
    expect(await h.say('test weather')).toBe('unknown topic "weather"; `topics` lists them.');
  });

  it.each([
    ['subscibe dprk-russia-arms', 'unknown command "subscibe" — did you mean subscribe?'],
    ['lsit', 'unknown command "lsit" — did you mean list?'],
    ['feed ad https://example.org/rss', 'unknown command "feed ad" — did you mean feed add?'],
    ['feed', '`feed` needs more; it is one of: feed add, feed list, feed remove.'],
    ['dance', 'unknown command "dance"; `help` lists the commands.'],
  ])('answers an unknown command %j with the nearest names', async (text, expected) => {
    const reply = await h.run(text, ALICE, true);
    expect(reply.ok).toBe(false);
    expect(textOf(reply)).toBe(expected);
  });

  it('answers a bad argument with the sentence and the usage', async () => {
    expect(await h.say('subscribe dprk-russia-arms min:2')).toBe('min: is a score from 0 to 1, such as min:0.7; got "min:2".\nUsage: subscribe <topic> [min:0.7] [--since 24h]');
  });

  it('answers --help and help <command> with the usage, and help alone with every command', async () => {
    const usage = await h.say('digest schedule --help');
    expect(usage).toMatch(/^Usage: digest schedule <daily HH:MM\|weekly DAY HH:MM\|off> \[tz\]\nPost a digest/);
    expect(await h.say('help digest schedule')).toBe(usage);
    const help = await h.run('help');
    expect(help.ok).toBe(true);
    const table = help.parts.find((p) => p.type === 'table');
    expect(table && table.type === 'table' && table.rows.map((r) => r[0]!.split(' ')[0])).toEqual(
      ['subscribe', 'unsubscribe', 'list', 'topics', 'digest', 'test', 'help', 'feed', 'feed', 'feed', 'topic', 'topic', 'digest', 'story'],
    );
    expect((await h.run('')).parts).toEqual(help.parts);
    expect(await h.say('help subscrbe')).toBe('no command "subscrbe" — did you mean subscribe?');
  });

  it('runs admin commands for admins only, before reading their arguments', async () => {
    const refused = await h.run('feed add https://example.org/rss.xml', ALICE, false);
    expect(refused.ok).toBe(false);
    expect(textOf(refused)).toBe('`feed add` is for admins of this bot; ask one, or see `help` for what everyone can do.');
    expect(h.added).toEqual([]);
    expect(textOf(await h.run('topic add x', ALICE, false))).toContain('is for admins');
    expect((await h.run('feed add https://example.org/rss.xml', ALICE, true)).ok).toBe(true);
    expect(h.added).toEqual([{ url: 'https://example.org/rss.xml', by: 'slack:T1:U1' }]);
  });

  it('turns an AppError into its sentence, and any other failure into a reply that hides the detail', async () => {
    const failing = await harness({
      feeds: {
        add: async (url) => {
          if (url.includes('private')) throw new AppError('refused', 'http://10.0.0.1/feed resolves to a private address; feeds must be public.');
          throw new Error('socket hang up at 0x7f');
        },
      },
    });
    expect(await failing.say('feed add http://private.example/feed', ALICE, true)).toBe('http://10.0.0.1/feed resolves to a private address; feeds must be public.');
    const reply = await failing.run('feed add https://example.org/rss', ALICE, true);
    expect(reply.ok).toBe(false);
    expect(textOf(reply)).toBe('`feed add` failed on our side and changed nothing we know of; try again, and tell the operator if it keeps failing.');
    expect(failing.logs.find((l) => l.level === 50)).toMatchObject({ command: 'feed add', msg: 'command failed: socket hang up at 0x7f' });
    await failing.close();
  });

  it('refuses a command longer than a chat message can be', async () => {
    expect(await h.say(`subscribe ${'x'.repeat(5000)}`)).toBe('that command is 5010 characters; commands are at most 4000.');
  });
});
