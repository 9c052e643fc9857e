/**
 * A depth limit for htmlparser2. It keeps the open elements in an array it shifts and unshifts, and
 * looks every close tag up in it, so a document nested tens of thousands deep costs time quadratic
 * in its depth (2.4 MB of nested `<span>` in one feed item: 58 s). No real page or feed nests more
 * than a few dozen deep. Callers count the depth in their own `onopentag`/`onclosetag` (a wrapper
 * around the callbacks cost HTML-to-text ~8 %), call tooDeep() past the limit, and catch with
 * isTooDeep around `write`/`end`.
 */
import { Parser } from 'htmlparser2';

/** Where feed HTML and OPML stop being read as markup; pages for full text have their own, lower limit. */
export const MAX_MARKUP_DEPTH = 512;

const TOO_DEEP = new Error('markup nested too deep');

export function tooDeep(): never {
  throw TOO_DEEP;
}

export function isTooDeep(err: unknown): boolean {
  return err === TOO_DEEP;
}

/**
 * Whether a page nests elements deeper than `limits.depth`, or holds more than `limits.elements`, as
 * htmlparser2 (and linkedom, built on it) reads it; stops as soon as it does.
 */
export function markupExceeds(html: string, limits: { depth: number; elements: number }): boolean {
  let depth = 0;
  let elements = 0;
  const parser = new Parser(
    {
      onopentag() {
        if (++depth > limits.depth || ++elements > limits.elements) tooDeep();
      },
      onclosetag() {
        depth--;
      },
    },
    { decodeEntities: false },
  );
  try {
    parser.write(html);
    parser.end();
  } catch (err) {
    if (isTooDeep(err)) return true;
    throw err;
  }
  return false;
}
