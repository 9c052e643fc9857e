import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/text/language.ts';
import { ROOT } from '../fakes/test-config.ts';

describe('detectLanguage', () => {
  it.each([
    ['북한, 동해상으로 탄도미사일 발사…올해 처음', 'ko'],
    ['Женская сборная КНДР прилетела в Москву на матч с Россией', 'ru'],
    ['Північна Корея передала Росії снаряди, заявив розвідник', 'uk'],
    ['Nordkoreanische Soldaten in Russland: Identität wird gefälscht, teilt das Kommando mit', 'de'],
    ['La Russie a frappé Kharkiv avec des missiles non fabriqués en Russie', 'fr'],
    ['North Korea fires ballistic missile into east waters', 'en'],
    ['Kim Jong Un meets Putin in Vladivostok', 'en'], // "Un" is a name here, not French
    ['朝鲜向俄罗斯提供炮弹', 'zh'],
    ['ロシアと北朝鮮の首脳会談', 'ja'],
    ['12345 !!!', 'und'],
    ['', 'und'],
  ])('%s → %s', (text, expected) => {
    expect(detectLanguage(text)).toBe(expected);
  });
});

describe('the language model (tinyld, ~50 MB)', () => {
  it('is loaded only when the script and the function words leave the language open', () => {
    // A fresh process: vitest's own may have loaded it already.
    const script = `
      import { createRequire } from 'node:module';
      const { detectLanguage } = await import(${JSON.stringify(path.join(ROOT, 'src/text/language.ts'))});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => /node_modules[\\\\/]tinyld[\\\\/]/.test(f));
      const decided = [detectLanguage('North Korea fires ballistic missile into east waters'), detectLanguage('북한, 동해상으로 탄도미사일 발사'), detectLanguage('Северная Корея отправила в Россию ракеты')];
      const before = loaded();
      const open = detectLanguage('Shoigu Pyongyang visit');
      process.stdout.write(JSON.stringify({ decided, before, open: typeof open, after: loaded() }));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out)).toEqual({ decided: ['en', 'ko', 'ru'], before: false, open: 'string', after: true });
  });
});
