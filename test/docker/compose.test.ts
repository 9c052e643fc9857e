/** compose.yaml, parsed as Compose reads it (YAML merge keys on): the two deployments it promises, and no secret in it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig, validateConfig } from '../../src/config.ts';
import { envSchema } from '../../src/env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Service {
  build?: string;
  image?: string;
  profiles?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}

const compose = parse(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { bot, worker, postgres } = compose.services as Record<string, Service>;

describe('compose.yaml', () => {
  it('has the bot alone with SQLite on a volume, in the sqlite profile', () => {
    expect(bot).toMatchObject({ build: '.', profiles: ['sqlite'] });
    expect(bot!.volumes).toContain('watchfloor-data:/data');
    expect(bot!.ports).toContain('8080:8080');
    expect(bot!.environment?.WATCHFLOOR_STORAGE_DRIVER).toBeUndefined();
    expect(compose.volumes).toHaveProperty('watchfloor-data');
  });

  it('has PostgreSQL and two worker replicas that use it, in the postgres profile', () => {
    expect(postgres!.profiles).toEqual(['postgres']);
    expect(postgres!.image).toMatch(/^postgres:1[5-9]/);
    expect(postgres!.healthcheck!.test.join(' ')).toContain('pg_isready');
    expect(worker).toMatchObject({ build: '.', profiles: ['postgres'], deploy: { replicas: 2 }, depends_on: { postgres: { condition: 'service_healthy' } } });
    expect(worker!.environment).toMatchObject({ WATCHFLOOR_STORAGE_DRIVER: 'postgres', LOG_FORMAT: 'json' });
    const url = new URL(worker!.environment!.WATCHFLOOR_DATABASE_URL!.replace(/\$\{POSTGRES_PASSWORD:-\}/, 'pw'));
    expect([url.protocol, url.hostname, url.port, url.pathname, url.username]).toEqual(['postgres:', 'postgres', '5432', '/watchfloor', postgres!.environment!.POSTGRES_USER]);
    expect(url.pathname.slice(1)).toBe(postgres!.environment!.POSTGRES_DB);
    // Two replicas, two host ports.
    expect(worker!.ports).toEqual(['8080-8081:8080']);
  });

  it('never holds a secret: every secret-looking value is interpolated from the environment', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/TOKEN|SECRET|PASSWORD|DATABASE_URL|WEBHOOK/.test(key)) {
          const literal = String(value).replace(/\$\{[A-Z_]+(:-[^}]*)?\}/g, '');
          expect(literal, `${name}.${key}`).not.toMatch(/:[^@/]+@|xox|xapp/);
          expect(String(value), `${name}.${key}`).toMatch(/\$\{POSTGRES_PASSWORD/);
        }
      }
    }
  });

  it('sets only variables the app reads, and stops within Docker’s grace', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const service of [bot, worker]) {
      expect(Object.keys(service!.environment ?? {}).filter((k) => !known.has(k))).toEqual([]);
      expect(service!.stop_grace_period).toBe('10s');
    }
    // Our default shutdown.grace plus the 2 s closing may take fits in it.
    expect(parseConfig({}, 'w.yaml', {}).shutdown.grace + 2).toBeLessThanOrEqual(10);
  });

  it('the workers’ WATCHFLOOR_STORAGE_DRIVER turns the bundled config into a PostgreSQL one; a wrong value is named', () => {
    const env = { WATCHFLOOR_STORAGE_DRIVER: 'postgres', WATCHFLOOR_DATABASE_URL: 'postgres://watchfloor:pw@postgres:5432/watchfloor' };
    expect(parseConfig({ storage: { path: './data/w.db' } }, '/app/config/watchfloor.yaml', env).storage.driver).toBe('postgres');
    expect(validateConfig({}, 'w.yaml', { WATCHFLOOR_STORAGE_DRIVER: 'postgres' }).problems).toEqual([
      'storage.driver: postgres needs the connection string in the WATCHFLOOR_DATABASE_URL environment variable (e.g. postgres://user@host:5432/db).',
    ]);
    expect(validateConfig({}, 'w.yaml', { WATCHFLOOR_STORAGE_DRIVER: 'mysql' }).problems).toEqual(['WATCHFLOOR_STORAGE_DRIVER: expected sqlite or postgres, got "mysql"']);
  });
});
