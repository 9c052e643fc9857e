/** The sentences a document that is not a feed fails with, and the error that carries a web page's feeds. */
import { AppError } from '../../errors.ts';
import { discoverFeeds } from './discover.ts';
import type { ParseOptions } from './feed-types.ts';
import { HtmlPageError } from './html-page-error.ts';

export function htmlPage(source: string, options: ParseOptions): HtmlPageError {
  const feeds = discoverFeeds(source, options.url ?? 'http://invalid/');
  const where = options.url ? `${options.url} is a web page` : 'this is a web page';
  const message = feeds.length === 0
    ? `not a feed: ${where} and announces no feed`
    : `not a feed: ${where}; it announces ${feeds.length === 1 ? 'the feed' : 'these feeds'} ${feeds.map((f) => f.url).join(', ')}`;
  return new HtmlPageError(message, feeds);
}

export function notAFeed(source: string, options: ParseOptions, message: string): AppError {
  return /<html[\s>]/i.test(source.slice(0, 4096)) ? htmlPage(source, options) : new AppError('parse', message);
}

/** sax reports syntax errors with a position ("…\nLine: 3\nColumn: 7"); anything else is not repairable by re-tokenizing. */
export function isXmlSyntaxError(err: unknown): boolean {
  return err instanceof Error && /\nLine: \d+\nColumn: \d+/.test(err.message);
}

/** sax's "Unexpected close tag\nLine: 3\nColumn: 7\nChar: >" → "not a feed: line 4, column 7: unexpected close tag". */
export function xmlErrorSentence(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^([^\n]+)\nLine: (\d+)\nColumn: (\d+)/.exec(message);
  if (m) {
    const what = m[1].charAt(0).toLowerCase() + m[1].slice(1).replace(/\.$/, '');
    return `not a feed: line ${Number(m[2]) + 1}, column ${m[3]}: ${what}`;
  }
  return `not a feed: ${message.split('\n')[0].replace(/\.$/, '')}`;
}
