import { describe, expect, it } from 'vitest';
import { numbered, numberedAll, SQL } from '../../src/store/sql.ts';

describe('shared statements', () => {
  it('numbers placeholders for PostgreSQL in order, leaving quoted question marks alone', () => {
    expect(numbered('SELECT 1 FROM t WHERE a = ? AND (CAST(? AS text) IS NULL OR b = ?)')).toBe('SELECT 1 FROM t WHERE a = $1 AND (CAST($2 AS text) IS NULL OR b = $3)');
    expect(numbered(`SELECT '?' AS q, "odd?" FROM t WHERE a = ?`)).toBe(`SELECT '?' AS q, "odd?" FROM t WHERE a = $1`);
  });

  it('numbers every shared statement, and none keeps a `?`', () => {
    const all = numberedAll();
    expect(Object.keys(all)).toEqual(Object.keys(SQL));
    for (const [name, text] of Object.entries(all)) {
      expect(text, name).not.toMatch(/\?/);
      expect((text.match(/\$\d+/g) ?? []).length, name).toBe((SQL[name as keyof typeof SQL].match(/\?/g) ?? []).length);
    }
  });
});
