import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployCommands, quoteArg, SUBCOMMANDS, topicChoices, watchCommand, watchRequest, type OptionNode } from '../../../src/chat/discord/commands.ts';
import { commands } from '../../../src/commands/index.ts';
import { argsAfter, tokenize } from '../../../src/commands/tokenize.ts';
import { AppError } from '../../../src/errors.ts';
import { type FakeDiscordApi, startFakeDiscordApi } from '../../fakes/discord-api.ts';

let api: FakeDiscordApi;
beforeAll(async () => {
  api = await startFakeDiscordApi();
});
afterAll(async () => {
  await api?.close();
});

const sub = (name: string, options: OptionNode[] = []): OptionNode[] => [{ name, type: 1, options }];
const group = (name: string, subName: string, options: OptionNode[] = []): OptionNode[] => [{ name, type: 2, options: [{ name: subName, type: 1, options }] }];
const str = (name: string, value: string): OptionNode => ({ name, type: 3, value });

describe('/watch options → command text', () => {
  it.each<[string, OptionNode[], string]>([
    ['subscribe with min', sub('subscribe', [str('topic', 'dprk-russia-arms'), { name: 'min', type: 10, value: 0.7 }]), 'subscribe dprk-russia-arms min:0.7'],
    ['subscribe, options in any order', sub('subscribe', [{ name: 'min', type: 10, value: 0.5 }, str('topic', 'x')]), 'subscribe x min:0.5'],
    ['subscribe with a backfill', sub('subscribe', [str('since', '7d'), str('topic', 'dprk-russia-arms')]), 'subscribe dprk-russia-arms --since 7d'],
    ['unsubscribe', sub('unsubscribe', [str('topic', 'dprk-russia-arms')]), 'unsubscribe dprk-russia-arms'],
    ['list', sub('list'), 'list'],
    ['topics', sub('topics'), 'topics'],
    ['digest, channel default', sub('digest'), 'digest'],
    ['digest topic and period', sub('digest', [str('topic', 'dprk-russia-arms'), str('period', '7d')]), 'digest dprk-russia-arms 7d'],
    ['digest private', sub('digest', [{ name: 'private', type: 5, value: true }]), 'digest --private'],
    ['digest private:false', sub('digest', [{ name: 'private', type: 5, value: false }]), 'digest'],
    ['test', sub('test', [str('topic', 'dprk-russia-arms'), str('period', '30d')]), 'test dprk-russia-arms 30d'],
    ['help', sub('help'), 'help'],
    ['help about a two-word command', sub('help', [str('command', 'digest schedule')]), 'help "digest schedule"'],
    ['a typed topic with a space is quoted', sub('subscribe', [str('topic', 'north korea')]), 'subscribe "north korea"'],
    ['feed add', group('feed', 'add', [str('url', 'https://www.yna.co.kr/rss/nk.xml')]), 'feed add https://www.yna.co.kr/rss/nk.xml'],
    ['feed list', group('feed', 'list'), 'feed list'],
    ['feed remove', group('feed', 'remove', [str('feed', '12')]), 'feed remove 12'],
    ['topic add quotes the query', group('topic', 'add', [str('slug', 'sanctions-shipping'), str('query', '(Rason OR Vostochny) AND (ship* OR vessel*) -tourism')]),
      'topic add sanctions-shipping "(Rason OR Vostochny) AND (ship* OR vessel*) -tourism"'],
    ['inner quotes are escaped', group('topic', 'add', [str('slug', 'nk'), str('query', '"North Korea" OR DPRK')]), 'topic add nk "\\"North Korea\\" OR DPRK"'],
    ['topic remove', group('topic', 'remove', [str('slug', 'nk')]), 'topic remove nk'],
    ['schedule keeps its words', sub('schedule', [str('when', 'weekly mon 08:00'), str('timezone', 'Europe/Berlin')]), 'digest schedule weekly mon 08:00 Europe/Berlin'],
    ['schedule off', sub('schedule', [str('when', 'off')]), 'digest schedule off'],
  ])('%s', (_, options, text) => {
    expect(watchRequest(options)?.text).toBe(text);
  });

  it('knows no subcommand it does not define', () => {
    expect(watchRequest(sub('nuke'))).toBeUndefined();
    expect(watchRequest(group('feed', 'nuke'))).toBeUndefined();
    expect(watchRequest([])).toBeUndefined();
  });

  it('quotes only what needs it', () => {
    expect(quoteArg('dprk-russia-arms')).toBe('dprk-russia-arms');
    expect(quoteArg('a b')).toBe('"a b"');
    expect(quoteArg('back\\slash')).toBe('back\\slash');
    expect(quoteArg("it's")).toBe("it's");
    expect(quoteArg('say "hi" now')).toBe('"say \\"hi\\" now"');
  });

  it.each(['plain', 'two words', '"North Korea" OR DPRK', '(Rason OR Vostochny) AND (ship* OR vessel*) -tourism', "it's", 'back\\slash'])(
    'the command layer reads %s back as one word',
    (value) => {
      expect(tokenize(`topic add x ${quoteArg(value)}`).words).toEqual(['topic', 'add', 'x', value]);
    },
  );

  it('offers at most 25 topics, prefix matches first', () => {
    const names = Array.from({ length: 40 }, (_, i) => `topic-${i}`);
    expect(topicChoices(names, '')).toHaveLength(25);
    expect(topicChoices(['russia-energy', 'dprk-russia-arms', 'iran'], 'RUS').map((c) => c.value)).toEqual(['russia-energy', 'dprk-russia-arms']);
  });
});

/** The command layer's own reading of a translated text: what `command.parse` makes of it. */
function parsed(text: string) {
  const tokens = tokenize(text);
  const [first, second] = tokens.words;
  const command = commands.find((c) => c.name === `${first} ${second}`) ?? commands.find((c) => c.name === first)!;
  return command.parse(argsAfter(tokens, command.name.split(' ').length));
}

const specOf = (text: string) => SUBCOMMANDS.find((s) => s.text === text)!;
/** The option tree Discord sends for a subcommand with these values. */
function optionsFor(text: string, values: Record<string, string | number | boolean>): OptionNode[] {
  const spec = specOf(text);
  const type = (name: string) => ({ string: 3, number: 10, boolean: 5 })[spec.options.find((o) => o.name === name)!.type];
  const leaves = Object.entries(values).map(([name, value]) => ({ name, type: type(name), value }));
  return spec.group ? group(spec.group, spec.name, leaves) : sub(spec.name, leaves);
}

describe('/watch and the command layer agree', () => {
  it('has one subcommand per command of the command layer, and no other', () => {
    expect(SUBCOMMANDS.map((s) => s.text).sort()).toEqual(commands.map((c) => c.name).sort());
  });

  it.each(commands.map((c) => [c.name, c.usage] as const))('%s: every argument of `%s` has a Discord option', (name, usage) => {
    // `<topic>`, `[min:0.7]`, `[--since 24h]`, `"<one-line query>"`: one bracketed group per argument.
    const args = usage.slice(name.length).match(/<[^>]*>|\[[^\]]*\]/g) ?? [];
    expect(specOf(name).options).toHaveLength(args.length);
  });

  // Every option set: the text parses, and to the values given.
  it.each<[string, Record<string, string | number | boolean>, unknown]>([
    ['subscribe', { topic: 'dprk-russia-arms', min: 0.7, since: '24h' }, { topic: 'dprk-russia-arms', minScore: 0.7, sinceS: 86_400 }],
    ['unsubscribe', { topic: 'dprk-russia-arms' }, { topic: 'dprk-russia-arms' }],
    ['list', {}, {}],
    ['topics', {}, {}],
    ['digest', { topic: 'dprk-russia-arms', period: '7d', private: true }, { topic: 'dprk-russia-arms', windowS: 7 * 86_400, private: true }],
    ['test', { topic: 'dprk-russia-arms', period: '24h' }, { topic: 'dprk-russia-arms', windowS: 86_400 }],
    ['help', { command: 'feed remove' }, { topic: 'feed remove' }],
    ['feed add', { url: 'https://www.yna.co.kr/rss/nk.xml' }, { url: 'https://www.yna.co.kr/rss/nk.xml' }],
    ['feed list', {}, {}],
    ['feed remove', { feed: 'https://www.yna.co.kr/rss/nk.xml' }, { feed: 'https://www.yna.co.kr/rss/nk.xml' }],
    ['topic add', { slug: 'nk', query: '"North Korea" OR DPRK -tourism' }, { slug: 'nk', query: '"North Korea" OR DPRK -tourism' }],
    ['topic remove', { slug: 'nk' }, { slug: 'nk' }],
    ['digest schedule', { when: 'weekly mon 08:00', timezone: 'Europe/Berlin' }, { every: 'weekly', day: 1, time: '08:00', timezone: 'Europe/Berlin' }],
    ['story split', { article: 42 }, { articleId: 42 }],
  ])('%s round-trips', (text, values, options) => {
    const request = watchRequest(optionsFor(text, values))!;
    expect(parsed(request.text)).toEqual({ ok: true, options });
  });

  it('covers each command in the round trip above with every one of its options', () => {
    // A new Discord option without a round-trip row would pass unchecked.
    const covered: Record<string, string[]> = {
      subscribe: ['topic', 'min', 'since'], unsubscribe: ['topic'], list: [], topics: [], digest: ['topic', 'period', 'private'], test: ['topic', 'period'],
      help: ['command'], 'feed add': ['url'], 'feed list': [], 'feed remove': ['feed'], 'topic add': ['slug', 'query'], 'topic remove': ['slug'],
      'digest schedule': ['when', 'timezone'], 'story split': ['article'],
    };
    for (const spec of SUBCOMMANDS) expect(spec.options.map((o) => o.name), spec.text).toEqual(covered[spec.text]);
  });

  it('offers only choices the command layer accepts', () => {
    const withChoices = SUBCOMMANDS.flatMap((spec) => spec.options.filter((o) => o.choices).map((o) => ({ spec, o })));
    expect(withChoices.map(({ spec, o }) => `${spec.text} ${o.name}`)).toEqual(['subscribe since', 'digest period', 'test period', 'help command']);
    for (const { spec, o } of withChoices) {
      for (const choice of o.choices!) {
        const values = { ...(spec.options.some((x) => x.name === 'topic' && x.required) ? { topic: 'dprk-russia-arms' } : {}), [o.name]: choice };
        expect(parsed(watchRequest(optionsFor(spec.text, values))!.text), `${spec.text} ${o.name}:${choice}`).toMatchObject({ ok: true });
      }
    }
  });

  it('leaves a --since the command layer refuses to the command layer, which says why', () => {
    // Discord enforces the choices; were one sent anyway, the refusal names the range.
    expect(parsed(watchRequest(optionsFor('subscribe', { topic: 'x', since: '30d' }))!.text)).toEqual({ ok: false, error: expect.stringContaining('from 1h to 7d') });
  });
});

describe('deployCommands', () => {
  it('registers /watch with subcommands, admin groups and topic autocomplete in a guild', async () => {
    const registered = await deployCommands({ token: api.token, applicationId: api.applicationId, apiUrl: api.api, guildId: '800000000000000001' });
    expect(registered.map((c) => c.name)).toEqual(['watch']);
    const put = api.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe(`/applications/${api.applicationId}/guilds/800000000000000001/commands`);
    expect(put.status).toBe(200);
    const [watch] = api.commands.get('800000000000000001')!;
    expect(watch.contexts).toEqual([0]);
    // No default_member_permissions: it would hide `subscribe` from members; admin is checked per interaction.
    expect(watch.default_member_permissions ?? null).toBeNull();
    const names = watch.options.map((o: any) => `${o.type}:${o.name}`);
    expect(names).toEqual(['1:subscribe', '1:unsubscribe', '1:list', '1:topics', '1:digest', '1:test', '1:help', '1:split', '1:schedule', '2:feed', '2:topic']);
    const subscribe = watch.options.find((o: any) => o.name === 'subscribe');
    expect(subscribe.options).toEqual([
      expect.objectContaining({ name: 'topic', type: 3, required: true, autocomplete: true }),
      expect.objectContaining({ name: 'min', type: 10, min_value: 0, max_value: 1 }),
      expect.objectContaining({ name: 'since', type: 3, choices: ['6h', '24h', '3d', '7d'].map((c) => ({ name: c, value: c })) }),
    ]);
    const help = watch.options.find((o: any) => o.name === 'help');
    expect(help.options[0].choices.map((c: any) => c.value)).toContain('digest schedule');
    const feed = watch.options.find((o: any) => o.name === 'feed');
    expect(feed.options.map((o: any) => o.name)).toEqual(['add', 'list', 'remove']);
    const topicRemove = watch.options.find((o: any) => o.name === 'topic').options.find((o: any) => o.name === 'remove');
    expect(topicRemove.options[0]).toMatchObject({ name: 'slug', autocomplete: true });
  });

  it('registers globally without a guild', async () => {
    await deployCommands({ token: api.token, applicationId: api.applicationId, apiUrl: api.api });
    expect(api.commands.get('global')!.map((c) => c.name)).toEqual(['watch']);
  });

  it('explains a wrong token and a wrong application id', async () => {
    await expect(deployCommands({ token: 'nope', applicationId: api.applicationId, apiUrl: api.api })).rejects.toMatchObject({ code: 'discord_token' });
    const err = await deployCommands({ token: api.token, applicationId: '1', apiUrl: api.api }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('discord_application');
    expect((err as AppError).message).toContain('DISCORD_APPLICATION_ID');
  });

  it('builds JSON the builders accept (names, lengths, required first)', () => {
    expect(() => watchCommand().toJSON()).not.toThrow();
  });
});
