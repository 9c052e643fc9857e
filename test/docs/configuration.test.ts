/**
 * docs/configuration.md cannot drift from the schemas: every key of the config schema (src/config.ts) and every
 * variable of the environment schema (src/env.ts) must have its row — key, type, default, meaning — in the page.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { configSchema } from '../../src/config.ts';
import { envSchema } from '../../src/env.ts';

const PAGE = readFileSync(path.resolve(import.meta.dirname, '../../docs/configuration.md'), 'utf8');

/** Wrappers that hold one schema: what a key is, under its default, optionality or transform. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
  if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type)) return unwrap(def.innerType!);
  if (def.type === 'pipe') return unwrap(def.in!);
  return schema;
}

/** Every key path of an object schema: `storage.driver`, `feeds`, `feeds[].url` … */
function keyPaths(schema: z.core.$ZodType, prefix = ''): string[] {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
  if (def.type === 'object') {
    return Object.entries(def.shape!).flatMap(([key, child]) => {
      const here = prefix ? `${prefix}.${key}` : key;
      const childDef = unwrap(child)._zod.def as { type: string; element?: z.core.$ZodType };
      // A nested object is documented by its keys; a list by itself and, when it holds objects, by theirs.
      if (childDef.type === 'object') return keyPaths(child, here);
      if (childDef.type === 'array' && (unwrap(childDef.element!)._zod.def as { type: string }).type === 'object') {
        return [here, ...keyPaths(childDef.element!, `${here}[]`)];
      }
      return [here];
    });
  }
  return [];
}

/** The table rows of the page: first cell (the key, in backquotes) → the other cells. */
function rows(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of PAGE.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const key = /^`([^`]+)`$/.exec(cells[0]!)?.[1];
    if (key) out.set(key, cells.slice(1));
  }
  return out;
}

describe('docs/configuration.md', () => {
  const documented = rows();

  it('finds the schema keys it checks', () => {
    const keys = keyPaths(configSchema);
    expect(keys).toEqual(expect.arrayContaining(['storage.driver', 'poll.parse_threads', 'feeds', 'feeds[].url', 'routes[].min_score', 'digests[].timezone', 'http.port', 'slack.admins']));
    expect(keys).not.toContain('storage');
  });

  it('has a row with type, default and meaning for every config key', () => {
    const missing = keyPaths(configSchema).filter((key) => {
      const cells = documented.get(key);
      return !cells || cells.length < 3 || cells.slice(0, 3).some((c) => c === '');
    });
    expect(missing).toEqual([]);
  });

  it('has a row with type, default and meaning for every environment variable', () => {
    const variables = Object.keys(envSchema.shape);
    expect(variables).toContain('SLACK_BOT_TOKEN');
    const missing = variables.filter((name) => {
      const cells = documented.get(name);
      return !cells || cells.length < 3 || cells.slice(0, 3).some((c) => c === '');
    });
    expect(missing).toEqual([]);
  });

  it('documents no key the schema does not have', () => {
    const known = new Set([...keyPaths(configSchema), ...Object.keys(envSchema.shape)]);
    const reference = PAGE.slice(0, PAGE.indexOf('## Destinations'));
    const stale = [...rows().keys()].filter((key) => reference.includes(`| \`${key}\` |`) && !known.has(key));
    expect(stale).toEqual([]);
  });
});
