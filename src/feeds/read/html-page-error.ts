/**
 * The error of a document that is a web page, not a feed, with the feeds it announces. Its own module, light on
 * purpose: the main thread tells it apart (autodiscovery, the read pool) without loading the HTML parser.
 */
import { AppError } from '../../errors.ts';
import type { DiscoveredFeed } from './discover.ts';

/** The input was a web page, not a feed; `feeds` are the alternates it announces (maybe none). */
export class HtmlPageError extends AppError {
  readonly feeds: DiscoveredFeed[];
  constructor(message: string, feeds: DiscoveredFeed[]) {
    super('html_page', message);
    this.feeds = feeds;
  }
}
