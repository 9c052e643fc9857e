import { describe, expect, it } from 'vitest';
import { commands, main } from '../src/cli.ts';
import { captureIO } from './fakes/cli-io.ts';

describe('watchfloor CLI', () => {
  it('prints an overview listing every command', async () => {
    const io = captureIO();
    expect(await main(['--help'], io)).toBe(0);
    for (const c of commands) expect(io.out()).toContain(c.name);
  });

  it.each(commands.map((c) => [c.name]))('`%s --help` prints its usage and exits 0', async (name) => {
    const io = captureIO();
    expect(await main([...name.split(' '), '--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: watchfloor /);
  });

  it('answers an unknown command, a missing subcommand and a bad flag with usage and exit 2', async () => {
    let io = captureIO();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
    io = captureIO();
    expect(await main(['feeds'], io)).toBe(2);
    expect(io.err()).toContain('needs a subcommand: list, add, remove, import, export');
    io = captureIO();
    expect(await main(['once', '--colour'], io)).toBe(2);
    expect(io.err()).toContain("Unknown option '--colour'");
    expect(io.err()).toContain('Usage: watchfloor once');
  });
});
