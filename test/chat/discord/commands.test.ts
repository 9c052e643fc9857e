import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployCommands, quoteArg, topicChoices, watchCommand, watchRequest, type OptionNode } from '../../../src/chat/discord/commands.ts';
import { tokenize } from '../../../src/commands/tokenize.ts';
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
  it.each<[string, OptionNode[], string, boolean]>([
    ['subscribe with min', sub('subscribe', [str('topic', 'dprk-russia-arms'), { name: 'min', type: 10, value: 0.7 }]), 'subscribe dprk-russia-arms min:0.7', false],
    ['subscribe, options in any order', sub('subscribe', [{ name: 'min', type: 10, value: 0.5 }, str('topic', 'x')]), 'subscribe x min:0.5', false],
    ['unsubscribe', sub('unsubscribe', [str('topic', 'dprk-russia-arms')]), 'unsubscribe dprk-russia-arms', false],
    ['list', sub('list'), 'list', false],
    ['topics', sub('topics'), 'topics', false],
    ['digest, channel default', sub('digest'), 'digest', false],
    ['digest topic and period', sub('digest', [str('topic', 'dprk-russia-arms'), str('period', '7d')]), 'digest dprk-russia-arms 7d', false],
    ['digest private', sub('digest', [{ name: 'private', type: 5, value: true }]), 'digest --private', true],
    ['digest private:false', sub('digest', [{ name: 'private', type: 5, value: false }]), 'digest', false],
    ['test is private', sub('test', [str('topic', 'dprk-russia-arms'), str('period', '7d')]), 'test dprk-russia-arms 7d', true],
    ['help is private', sub('help'), 'help', true],
    ['a typed topic with a space is quoted', sub('subscribe', [str('topic', 'north korea')]), 'subscribe "north korea"', false],
    ['feed add', group('feed', 'add', [str('url', 'https://www.yna.co.kr/rss/nk.xml')]), 'feed add https://www.yna.co.kr/rss/nk.xml', false],
    ['feed list', group('feed', 'list'), 'feed list', false],
    ['feed remove', group('feed', 'remove', [str('feed', '12')]), 'feed remove 12', false],
    ['topic add quotes the query', group('topic', 'add', [str('slug', 'sanctions-shipping'), str('query', '(Rason OR Vostochny) AND (ship* OR vessel*) -tourism')]),
      'topic add sanctions-shipping "(Rason OR Vostochny) AND (ship* OR vessel*) -tourism"', false],
    ['inner quotes are escaped', group('topic', 'add', [str('slug', 'nk'), str('query', '"North Korea" OR DPRK')]), 'topic add nk "\\"North Korea\\" OR DPRK"', false],
    ['topic remove', group('topic', 'remove', [str('slug', 'nk')]), 'topic remove nk', false],
    ['schedule keeps its words', sub('schedule', [str('when', 'weekly mon 08:00'), str('timezone', 'Europe/Berlin')]), 'digest schedule weekly mon 08:00 Europe/Berlin', false],
    ['schedule off', sub('schedule', [str('when', 'off')]), 'digest schedule off', false],
  ])('%s', (_, options, text, isPrivate) => {
    expect(watchRequest(options)).toMatchObject({ text, private: isPrivate });
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
    expect(names).toEqual(['1:subscribe', '1:unsubscribe', '1:list', '1:topics', '1:digest', '1:test', '1:help', '1:schedule', '2:feed', '2:topic']);
    const subscribe = watch.options.find((o: any) => o.name === 'subscribe');
    expect(subscribe.options).toEqual([
      expect.objectContaining({ name: 'topic', type: 3, required: true, autocomplete: true }),
      expect.objectContaining({ name: 'min', type: 10, min_value: 0, max_value: 1 }),
    ]);
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
