/**
 * One thread of the read pool (read-pool.ts): receives fetched bytes, answers with the feed read from
 * them (or, for a `page` job, an article page's main text), or with the error as plain data (class
 * instances do not cross threads).
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { HtmlPageError } from './parse.ts';
import { type FeedContent, readFeedBytes, readPageText } from './read.ts';

export interface ReadJob {
  id: number;
  /** `feed` (the default): a feed document; `page`: an article page for full text. */
  kind?: 'page';
  bytes: Uint8Array;
  contentType?: string;
  url: string;
}

export interface SerializedError {
  message: string;
  code?: string;
  retryable?: boolean;
  /** Set when the document was a web page: the feeds it announces. */
  feeds?: HtmlPageError['feeds'];
}

export type ReadAnswer = { id: number; content: FeedContent } | { id: number; text: string | null } | { id: number; error: SerializedError };

function serialize(err: unknown): SerializedError {
  if (err instanceof HtmlPageError) return { message: err.message, code: err.code, feeds: err.feeds };
  if (err instanceof AppError) return { message: err.message, code: err.code, retryable: err.retryable };
  return { message: err instanceof Error ? err.message : String(err) };
}

parentPort!.on('message', async (job: ReadJob) => {
  let answer: ReadAnswer;
  try {
    answer = job.kind === 'page'
      ? { id: job.id, text: (await readPageText(job.bytes, job.contentType, job.url)) ?? null }
      : { id: job.id, content: await readFeedBytes(job.bytes, job.contentType, job.url) };
  } catch (err) {
    answer = { id: job.id, error: serialize(err) };
  }
  parentPort!.postMessage(answer);
});
