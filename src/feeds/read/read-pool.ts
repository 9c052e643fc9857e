/**
 * Decode → parse → normalize on worker threads. Reading feeds is most of a cold cycle's CPU (~2 ms
 * for a 75 KiB feed), and on one thread it would also stall fetching, storing and the chat
 * adapters; with a pool the main thread only moves bytes and rows. Article pages for full text
 * (Readability, up to a second for a large page) go the same way.
 *
 * One worker starts with the pool and more only when every one is busy and a job waits, up to
 * `threads`; each takes one job at a time. A worker is replaced when it dies (a document that exhausts
 * its heap or keeps it busy past the timeout fails that feed alone), and is ended after reading a
 * document larger than `recycleAboveBytes`, whose heap it would otherwise keep (issue 17), or after
 * `idleMs` without work: between the poll cycles of a quiet bot no thread holds its ~15–35 MB (issue 14).
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.ts';
import { HtmlPageError } from './html-page-error.ts';
import type { FeedContent, FeedReader, PageReader } from './read.ts';
import type { ReadAnswer, ReadJob, SerializedError } from './read-worker.ts';

export interface ReadPoolOptions {
  threads: number;
  /** A document still being read after this long ends its worker, and its feed fails. */
  timeoutMs?: number;
  /** Heap cap of each worker: a hostile document fails instead of growing the process without bound. */
  maxHeapMb?: number;
  /** A worker that has read a document larger than this is ended, and replaced when a job needs it. */
  recycleAboveBytes?: number;
  /** A worker without work for this long is ended, and replaced when a job needs it. */
  idleMs?: number;
}

interface Pending {
  job: ReadJob;
  /** The answer's `content` (a feed job) or `text` (a page job). */
  resolve: (answer: FeedContent | string | undefined) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  busy?: Pending;
  /** Bytes of the job in hand (its buffer may have moved to the worker). */
  busyBytes?: number;
  timer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Far above what a feed of the default 10 MiB body cap needs (~150 MB): V8 ends a worker cleanly
 * only when its heap grows into the cap step by step, while one allocation that alone overshoots
 * it aborts the whole process.
 */
const DEFAULT_MAX_HEAP_MB = 512;
/**
 * Memory over speed: with V8's default nursery each worker holds ~20 MB more garbage; with this one
 * it spends ~0.8 s instead of ~0.25 s collecting in a 1,000-feed cold cycle (docs/benchmarks.md).
 */
const YOUNG_GENERATION_MB = 8;
/**
 * A worker that has read a huge document keeps its grown heap, and each worker that ever read one
 * adds its own: bench:memory, eight feeds of 1, 2 or 9 MiB on four threads, peaked 248–319 MB
 * without recycling and 225–278 MB with it. Respawning costs ~0.35 s of CPU (the worker loads its
 * modules again), so documents below this size, nearly every feed (~75 KiB), keep their thread.
 */
const DEFAULT_RECYCLE_ABOVE_BYTES = 1024 * 1024;
/**
 * Longer than the gaps inside a cycle (a thread waiting for the next body), shorter than the minute between
 * poll ticks: a quiet bot holds no parser thread between cycles, a busy one never waits for a respawn.
 */
const DEFAULT_IDLE_MS = 30_000;

export class ReadPool {
  private readonly threads = new Set<Thread>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ReadPoolOptions) {
    if (!(options.threads >= 1)) throw new RangeError('a read pool needs at least one thread');
    // One started now, so the first feed does not wait for a thread to load its modules. The others
    // start when reads wait for them: a cycle whose bodies arrive one at a time (huge ones, held back
    // by the body budget) never pays ~15 MB each for idle threads.
    this.spawn();
  }

  /** The workers running now (tests). */
  get threadIds(): number[] {
    return [...this.threads].map((t) => t.worker.threadId);
  }

  readonly read: FeedReader = (bytes, contentType, url) => this.submit({ id: this.nextId++, bytes, contentType, url }) as Promise<FeedContent>;

  /** Full text off the main thread: Readability on a large page takes up to a second, and the timeout bounds a hostile one. */
  readonly readPage: PageReader = (bytes, contentType, url) =>
    this.submit({ id: this.nextId++, kind: 'page', bytes, contentType, url }) as Promise<string | undefined>;

  private submit(job: ReadJob): Promise<FeedContent | string | undefined> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new AppError('closed', 'the feed reader is shut down'));
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; reads still queued or running fail. */
  async close(): Promise<void> {
    this.closed = true;
    const shutDown = new AppError('closed', 'the feed reader was shut down');
    for (const pending of this.queue.splice(0)) pending.reject(shutDown);
    await Promise.all([...this.threads].map((t) => this.retire(t, shutDown)));
  }

  private dispatch(): void {
    while (this.queue.length) {
      const thread = [...this.threads].find((t) => !t.busy) ?? (this.threads.size < this.options.threads ? this.spawn() : undefined);
      if (!thread) return;
      this.start(thread, this.queue.shift()!);
    }
  }

  private start(thread: Thread, pending: Pending): void {
    clearTimeout(thread.idleTimer);
    thread.busy = pending;
    thread.worker.ref();
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    thread.timer = setTimeout(() => {
      void this.retire(thread, new AppError('parse', `the document was still being parsed after ${timeoutMs / 1000} s and was abandoned`));
      this.dispatch();
    }, timeoutMs);
    // A body that owns its whole buffer moves to the worker instead of being copied.
    const { bytes } = pending.job;
    thread.busyBytes = bytes.byteLength;
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    thread.worker.postMessage(pending.job, own ? [bytes.buffer as ArrayBuffer] : []);
  }

  private spawn(): Thread {
    const thread: Thread = { worker: startWorker(this.options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB) };
    thread.worker.on('message', (answer: ReadAnswer) => {
      const pending = thread.busy;
      if (!pending || pending.job.id !== answer.id) return;
      clearTimeout(thread.timer);
      thread.busy = undefined;
      thread.worker.unref();
      if ('error' in answer) pending.reject(revive(answer.error));
      else pending.resolve('content' in answer ? answer.content : answer.text ?? undefined);
      // Ending the thread frees the heap the document grew; a replacement starts only when a job waits.
      if (thread.busyBytes! > (this.options.recycleAboveBytes ?? DEFAULT_RECYCLE_ABOVE_BYTES)) void this.retire(thread);
      this.dispatch();
      if (!thread.busy && this.threads.has(thread)) this.endWhenIdle(thread);
    });
    const died = (reason: string) => {
      if (!this.threads.has(thread)) return;
      void this.retire(thread, new AppError('parse', `the feed parser failed on this document (${reason})`));
      this.dispatch();
    };
    thread.worker.on('error', (err) => died(err.message));
    thread.worker.on('exit', (code) => died(`its thread exited with code ${code}`));
    // Idle threads do not keep the process alive; a thread at work does.
    thread.worker.unref();
    this.threads.add(thread);
    this.endWhenIdle(thread);
    return thread;
  }

  private endWhenIdle(thread: Thread): void {
    clearTimeout(thread.idleTimer);
    thread.idleTimer = setTimeout(() => {
      if (!thread.busy) void this.retire(thread);
    }, this.options.idleMs ?? DEFAULT_IDLE_MS);
    thread.idleTimer.unref();
  }

  private async retire(thread: Thread, reason?: Error): Promise<void> {
    this.threads.delete(thread);
    clearTimeout(thread.timer);
    clearTimeout(thread.idleTimer);
    if (reason) thread.busy?.reject(reason);
    thread.busy = undefined;
    await thread.worker.terminate();
  }
}

function startWorker(maxHeapMb: number): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } };
  const self = import.meta.url;
  if (self.endsWith('.js')) return new Worker(new URL('./read-worker.js', self), options);
  // Running from the TypeScript sources (tsx, vitest): the worker loads them through tsx too.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./read-worker.ts', self).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(self)}))`, { ...options, eval: true });
}

function revive(error: SerializedError): Error {
  if (error.feeds) return new HtmlPageError(error.message, error.feeds);
  if (error.code) return new AppError(error.code, error.message, { retryable: error.retryable });
  return new Error(error.message);
}
