/**
 * Bidirectional control characters (issue 17): the embeddings and overrides U+202A–U+202E, the
 * isolates U+2066–U+2069 and the marks U+200E, U+200F and U+061C. In untrusted text they reorder
 * what a person reads (`report \u202Eexe.pdf` displays as `report fdp.exe`) and can carry an override
 * past the end of a field into the words around it.
 *
 * Decision: they are removed, not isolated, from every field that reaches a person. Arabic, Hebrew
 * and Persian display correctly without them: the Unicode bidi algorithm orders each script by its
 * letters' own direction, and the marks only nudge where neutral characters (punctuation, digits at
 * a boundary) fall. Wrapping each field in isolates instead (FSI…PDI) would add characters that many
 * terminals and chat clients show as boxes or not at all, and that JSON readers would receive.
 *
 * Applied once at ingest (`clean.ts` removes them with the other invisible characters) and, for
 * text that did not pass there (feed titles and articles stored before, topic titles, command input
 * echoed back), where a neutral message is rendered (`displayText` at each format's entry).
 */

const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const HAS_BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The text without bidirectional control characters (the same string when it has none). */
export function withoutBidiControls(text: string): string {
  return HAS_BIDI_CONTROL.test(text) ? text.replace(BIDI_CONTROLS, '') : text;
}

/**
 * A neutral message (an alert, a digest, a command's reply: plain data) with every string in it,
 * at any depth, free of bidirectional controls. Dates and other objects that are not plain data are
 * kept as they are; a value with nothing to remove comes back unchanged (the same object).
 */
export function displayText<T>(value: T): T {
  return clean(value, 0) as T;
}

/** Neutral messages are a few levels deep; the bound keeps a cyclic or hostile value from the stack. */
const MAX_DEPTH = 16;

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return withoutBidiControls(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = clean(value[i], depth + 1);
      if (item !== value[i]) (out ??= value.slice())[i] = item;
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const cleaned = clean(item, depth + 1);
    if (cleaned !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = cleaned;
  }
  return out ?? value;
}
