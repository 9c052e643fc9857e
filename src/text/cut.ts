/**
 * Cutting untrusted fields to what can be used, before the expensive steps read them (issue 17):
 * HTML to text, sentence splitting, language detection, fingerprints and matching all cost memory
 * in proportion to their input, and a feed may put 9 MiB in one description. Both cuts are linear
 * and look back only a bounded distance for a good place to cut.
 */

/** How far back from the limit a cut looks for a tag's start, an entity's start or a word break. */
const LOOK_BACK = 256;

/** Never ends between the halves of a surrogate pair. */
function cutAt(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/**
 * The first `max` characters of markup, without a tag or character reference left half-open at
 * the end (`<p cla`, `&am`), which a parser would otherwise turn into text. Markup at most `max`
 * long comes back whole.
 */
export function cutMarkup(html: string, max: number): string {
  if (html.length <= max) return html;
  let end = max;
  const from = Math.max(0, end - LOOK_BACK);
  const lt = html.lastIndexOf('<', end - 1);
  if (lt >= from && html.indexOf('>', lt) >= end) end = lt;
  const amp = html.lastIndexOf('&', end - 1);
  if (amp >= Math.max(0, end - 12) && html.indexOf(';', amp) >= end) end = amp;
  // A fresh copy: a slice would keep the whole document alive for as long as the cut lives.
  return flat(cutAt(html, end));
}

/**
 * Text of at most `max` characters, cut after a paragraph, else a sentence, else a word, when one
 * ends in the last part of the limit; `ellipsis` marks a cut in text that is shown as it is.
 */
export function cutText(text: string, max: number, options: { ellipsis?: boolean } = {}): string {
  if (text.length <= max) return text;
  const room = options.ellipsis ? max - 1 : max;
  const from = Math.max(1, room - Math.max(LOOK_BACK, Math.floor(room / 10)));
  let end = text.lastIndexOf('\n\n', room);
  if (end < from) {
    const sentence = Math.max(text.lastIndexOf('. ', room - 1), text.lastIndexOf('.\n', room - 1));
    end = sentence >= from ? sentence + 1 : text.lastIndexOf(' ', room);
  }
  if (end < from) end = room;
  const cut = cutAt(text, end).trimEnd();
  return flat(options.ellipsis ? `${cut}…` : cut);
}

/** A string that owns its characters (V8 keeps a slice's parent alive; this copy lets it go). */
function flat(text: string): string {
  return text.length < 64 ? text : Buffer.from(text, 'utf8').toString('utf8');
}
