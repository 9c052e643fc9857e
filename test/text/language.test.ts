import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/text/language.ts';

describe('detectLanguage', () => {
  it.each([
    ['북한, 동해상으로 탄도미사일 발사…올해 처음', 'ko'],
    ['Женская сборная КНДР прилетела в Москву на матч с Россией', 'ru'],
    ['Північна Корея передала Росії снаряди, заявив розвідник', 'uk'],
    ['Nordkoreanische Soldaten in Russland: Identität wird gefälscht, teilt das Kommando mit', 'de'],
    ['La Russie a frappé Kharkiv avec des missiles non fabriqués en Russie', 'fr'],
    ['North Korea fires ballistic missile into east waters', 'en'],
    ['朝鲜向俄罗斯提供炮弹', 'zh'],
    ['ロシアと北朝鮮の首脳会談', 'ja'],
    ['12345 !!!', 'und'],
    ['', 'und'],
  ])('%s → %s', (text, expected) => {
    expect(detectLanguage(text)).toBe(expected);
  });
});
