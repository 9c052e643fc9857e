import { describe, expect, it } from 'vitest';
import { commandText, watchCommand } from '../../src/cli/watch-command.ts';
import { consoleCaller } from '../../src/cli/operator.ts';
import { tokenize } from '../../src/commands/tokenize.ts';

describe('watchfloor watch: the shell\'s words as one command text', () => {
  it.each([
    [['subscribe', 'dprk-russia-arms', '--since', '24h'], ['subscribe', 'dprk-russia-arms', '--since', '24h']],
    // The shell took the quotes off a query: it stays one word, its own quotes kept.
    [['topic', 'add', 'x', '"North Korea" AND ship*'], ['topic', 'add', 'x', '"North Korea" AND ship*']],
    [['topic', 'add', 'x', 'Rason'], ['topic', 'add', 'x', 'Rason']],
    [['digest', ''], ['digest', '']],
    // One argument is the text as typed, quotes and all.
    [['topic add x "North Korea" AND ship*'], ['topic', 'add', 'x', 'North Korea', 'AND', 'ship*']],
  ])('%j reads as the words %j', (argv, words) => {
    expect(tokenize(commandText(argv)).words).toEqual(words);
  });

  it('takes --help right after watch and --config anywhere; the rest, flags included, is the command\'s', () => {
    const read = watchCommand.readArgs!;
    expect(read(['--help'])).toEqual({ values: { help: true }, positionals: [] });
    expect(read(['subscribe', '--help'])).toEqual({ values: {}, positionals: ['subscribe', '--help'] });
    expect(read(['subscribe', 'x', '--since', '24h', '--config', 'c.yaml'])).toEqual({ values: { config: 'c.yaml' }, positionals: ['subscribe', 'x', '--since', '24h'] });
    expect(read(['-c', 'c.yaml', 'digest', '--private'])).toEqual({ values: { config: 'c.yaml' }, positionals: ['digest', '--private'] });
    expect(read(['--config=c.yaml', 'list'])).toEqual({ values: { config: 'c.yaml' }, positionals: ['list'] });
    expect(read(['topic', 'add', 'x', '--', '--config', '-h'])).toEqual({ values: {}, positionals: ['topic', 'add', 'x', '--config', '-h'] });
    expect(() => read(['list', '--config'])).toThrow(/argument missing/);
  });

  it('calls from the console channel the config\'s `to: console` routes post to', () => {
    expect(consoleCaller({})).toMatchObject({ platform: 'console', workspace: 'local', channel: 'stdout', channelName: 'console' });
    expect(consoleCaller({}).user).toMatch(/\S/);
  });
});
