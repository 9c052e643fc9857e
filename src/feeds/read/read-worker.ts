/**
 * One thread of the read pool (read-pool.ts): receives fetched bytes, answers with the feed read from
 * them (or, for a `page` job, an article page's main text), or with the error as plain data (class
 * instances do not cross threads).
 */
import { parentPort } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../errors.ts';
import { HtmlPageError } from './html-page-error.ts';
import type { FeedContent } from './read.ts';
import { readFeedBytes, readPageText } from './read-bytes.ts';

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
  code?: ErrorCode;
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

// Not async, and the answer's callbacks keep only the id: nothing holds the job's bytes once they are
// decoded (read.ts readFeedBytes), so a huge document's bytes are freed while it is parsed.
parentPort!.on('message', (job: ReadJob) => {
  const { id } = job;
  let reading: Promise<ReadAnswer>;
  try {
    reading = job.kind === 'page'
      ? readPageText(job.bytes, job.contentType, job.url).then((text) => ({ id, text: text ?? null }))
      : readFeedBytes(job.bytes, job.contentType, job.url).then((content) => ({ id, content }));
  } catch (err) {
    reading = Promise.reject(err);
  }
  reading.then(
    (answer) => parentPort!.postMessage(answer),
    (err: unknown) => parentPort!.postMessage({ id, error: serialize(err) } satisfies ReadAnswer),
  );
});
