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

enum Kind {
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
  // Output code units and their input offsets; NFKC can expand a character (ﬁ → fi), so grow on demand.
  let codes = new Uint16Array(input.length + 16);
  let offsets = new Int32Array(input.length + 17);
  let n = 0;
  let previous = Kind.Separator;
  let pendingSpace = false;

  const emit = (code: number, kind: Kind, at: number): void => {
    if (kind === Kind.Separator) {
      pendingSpace = n > 0;
      previous = kind;
      return;
    }
    if (n + 2 >= codes.length) {
      const biggerCodes = new Uint16Array(codes.length * 2);
      biggerCodes.set(codes);
      codes = biggerCodes;
      const biggerOffsets = new Int32Array(offsets.length * 2);
      biggerOffsets.set(offsets);
      offsets = biggerOffsets;
    }
    if (n > 0 && (pendingSpace || (previous !== Kind.Separator && kind !== previous))) {
      codes[n] = 32;
      offsets[n++] = at;
    }
    pendingSpace = false;
    codes[n] = code;
    offsets[n++] = at;
    previous = kind;
  };

  for (let i = 0; i < input.length; ) {
    const code = input.charCodeAt(i);
    if (code < 128) {
      // The ASCII fast path, inlined: most news text is mostly ASCII letters and spaces.
      const lower = code >= 65 && code <= 90 ? code + 32 : code;
      const kind = lower >= 97 && lower <= 122 ? Kind.Letter : code >= 48 && code <= 57 ? Kind.Digit : Kind.Separator;
      if (kind === Kind.Separator) {
        pendingSpace = n > 0;
        previous = kind;
      } else if (n + 2 < codes.length) {
        if (n > 0 && (pendingSpace || (previous !== Kind.Separator && kind !== previous))) {
          codes[n] = 32;
          offsets[n++] = i;
        }
        pendingSpace = false;
        codes[n] = lower;
        offsets[n++] = i;
        previous = kind;
      } else {
        emit(lower, kind, i);
      }
      i++;
      continue;
    }
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < input.length ? 2 : 1;
    const folded = foldChar(input.slice(i, i + width), cache);
    for (const ch of folded) {
      const kind = kindOf(ch);
      for (let u = 0; u < ch.length; u++) emit(ch.charCodeAt(u), kind, i);
    }
    i += width;
  }
  offsets[n] = input.length;
  return { text: decodeUnits(codes, n), offsets: offsets.subarray(0, n + 1) };
}

function decodeUnits(codes: Uint16Array, length: number): string {
  let text = '';
  for (let from = 0; from < length; from += 8192) {
    text += String.fromCharCode.apply(null, codes.subarray(from, Math.min(length, from + 8192)) as unknown as number[]);
  }
  return text;
}

/** The normalized form alone, for aliases and query terms. */
export function normalize(input: string): string {
  return normalizeForMatch(input).text;
}
