/**
 * Text normalization shared by topic aliases and article text, so both sides meet in one form:
 * NFKC (full-width letters, ligatures, compatibility digits), case folding, `ё`→`е`, and every
 * run of separators (spaces, hyphens, dashes, punctuation) collapsed to one space. A boundary
 * between letters and digits also becomes a space, so `KN-23`, `KN23` and `KN 23` all read
 * `kn 23`. The result keeps a map back to the input, so a hit can quote the original words.
 */

export interface NormalizedText {
  /** Lowercase words separated by single spaces, no leading or trailing space. */
  text: string;
  /** `offsets[i]` is the input offset of normalized character `i`; `offsets[text.length]` is the input length. */
  offsets: Int32Array;
}

const enum Kind {
  Separator,
  Letter,
  Digit,
}

// Per-character results for anything outside ASCII; an article repeats few distinct characters.
function foldChar(ch: string, cache: Map<string, string>): string {
  let folded = cache.get(ch);
  if (folded === undefined) {
    folded = ch.normalize('NFKC').toLowerCase().replace(/ё/g, 'е');
    cache.set(ch, folded);
  }
  return folded;
}

function kindOf(ch: string): Kind {
  const code = ch.charCodeAt(0);
  if (code < 128) {
    if (code >= 48 && code <= 57) return Kind.Digit;
    if (code >= 97 && code <= 122) return Kind.Letter;
    return Kind.Separator;
  }
  if (/\p{Nd}/u.test(ch)) return Kind.Digit;
  // Combining marks stay attached to their letter (Korean and Indic text, decomposed accents).
  if (/[\p{L}\p{M}]/u.test(ch)) return Kind.Letter;
  return Kind.Separator;
}

/**
 * Normalizes `input` for matching. Pass one `cache` across calls to reuse per-character work;
 * it only ever grows by the number of distinct non-ASCII characters seen.
 */
export function normalizeForMatch(input: string, cache: Map<string, string> = new Map()): NormalizedText {
  const out: string[] = [];
  const offsets: number[] = [];
  let previous = Kind.Separator;
  let pendingSpace = false;

  for (let i = 0; i < input.length; ) {
    const code = input.charCodeAt(i);
    let width = 1;
    let folded: string;
    if (code < 128) {
      folded = code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : input[i]!;
    } else {
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < input.length) width = 2;
      folded = foldChar(input.slice(i, i + width), cache);
    }
    for (const ch of folded) {
      const kind = kindOf(ch);
      if (kind === Kind.Separator) {
        pendingSpace = out.length > 0;
      } else {
        const digitBoundary = previous !== Kind.Separator && kind !== previous;
        if ((pendingSpace || digitBoundary) && out.length > 0) {
          out.push(' ');
          offsets.push(i);
        }
        pendingSpace = false;
        out.push(ch);
        offsets.push(i);
      }
      previous = kind;
    }
    i += width;
  }
  offsets.push(input.length);
  const result = new Int32Array(offsets.length);
  result.set(offsets);
  return { text: out.join(''), offsets: result };
}

/** The normalized form alone, for aliases and query terms. */
export function normalize(input: string): string {
  return normalizeForMatch(input).text;
}
