import type { Args } from './types.ts';

/** Longer command text is refused before it is read: no command needs more (Slack caps it at 4,000 too). */
export const MAX_COMMAND_CHARS = 4000;

/** Curly quotes (macOS and phones type them) count as straight ones. */
const CURLY_QUOTES = /[\u201c\u201d\u201e\u201f\u2033]/g;

export interface Tokens {
  words: string[];
  /** Where each word starts in `text`. */
  starts: number[];
  /** The text as read: curly quotes straightened, ends trimmed. */
  text: string;
}

/**
 * Splits command text into words at whitespace; a double-quoted run is one word without its quotes
 * (`\"` inside it is a quote). One pass, linear in the length. An unclosed quote runs to the end.
 */
export function tokenize(input: string): Tokens {
  const text = input.replace(CURLY_QUOTES, '"').trim();
  const words: string[] = [];
  const starts: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    starts.push(i);
    let word = '';
    let quoted = false;
    while (i < text.length && (quoted || !/\s/.test(text[i]!))) {
      const c = text[i]!;
      if (c === '"') quoted = !quoted;
      else if (c === '\\' && quoted && text[i + 1] === '"') {
        word += '"';
        i++;
      } else word += c;
      i++;
    }
    words.push(word);
  }
  return { words, starts, text };
}

/** The arguments after the first `skip` words (the command's name). */
export function argsAfter(tokens: Tokens, skip: number): Args {
  return {
    words: tokens.words.slice(skip),
    rest: (from) => {
      const start = tokens.starts[skip + from];
      return start === undefined ? '' : tokens.text.slice(start);
    },
  };
}
