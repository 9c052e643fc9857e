import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/text/sentences.ts';

const texts = (input: string, language?: string) => splitSentences(input, language).map((s) => s.text);

describe('splitSentences', () => {
  it.each([
    ['Mr. Kim met Gen. Shoigu in Pyongyang. They discussed arms.', ['Mr. Kim met Gen. Shoigu in Pyongyang.', 'They discussed arms.']],
    ['The U.S. Treasury sanctioned two ships. Russia objected.', ['The U.S. Treasury sanctioned two ships.', 'Russia objected.']],
    ['В. В. Путин прибыл в Пхеньян. Визит продлится два дня.', ['В. В. Путин прибыл в Пхеньян.', 'Визит продлится два дня.']],
    ['В 2024 г. Россия и КНДР подписали договор. Он вступил в силу.', ['В 2024 г. Россия и КНДР подписали договор.', 'Он вступил в силу.']],
    ['북한이 러시아에 포탄을 보냈다. 국정원이 밝혔다.', ['북한이 러시아에 포탄을 보냈다.', '국정원이 밝혔다.']],
    ['朝鲜向俄罗斯提供炮弹。俄罗斯提供技术！是吗？', ['朝鲜向俄罗斯提供炮弹。', '俄罗斯提供技术！', '是吗？']],
    ['He said: "It is over." Then he left!', ['He said: "It is over."', 'Then he left!']],
    ['Shells cost $3.5 billion. Really? Yes...', ['Shells cost $3.5 billion.', 'Really?', 'Yes...']],
    ['Title without stop\n\nSecond paragraph here.', ['Title without stop', 'Second paragraph here.']],
    ['It was e.g. a test. and lowercase continues.', ['It was e.g. a test. and lowercase continues.']],
    ['', []],
    ['   ', []],
  ])('%s', (input, expected) => {
    expect(texts(input)).toEqual(expected);
  });

  it('gives offsets into the input', () => {
    const input = '  First one.  Second one!\n\nThird';
    for (const s of splitSentences(input)) expect(input.slice(s.start, s.end)).toBe(s.text);
    expect(splitSentences(input).map((s) => s.start)).toEqual([2, 14, 27]);
  });
});
