import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { AppError } from '../../errors.ts';

/**
 * Reading a response body (issue 3): Content-Encoding gzip, deflate and brotli are decoded, and the
 * size cap counts *decoded* bytes. A compressed body that is still arriving past `WHOLE_BYTES` is
 * decoded as a stream: the moment the cap is passed every stream in the chain is destroyed — the
 * socket included — so a gzip bomb costs at most the cap plus one chunk. A body that arrived whole
 * below it (nearly every feed) is decoded in one call that stops at the cap, a quarter of the CPU
 * of the stream machinery.
 */

export const MiB = 1024 * 1024;

/** Told the bytes of a body as they arrive; the reading waits while its promise does (poll/body-budget.ts). */
export type ByteCounter = (bytes: number) => Promise<void>;
/**
 * Decoder output chunks: four times zlib's 16 KiB default. Each chunk is a trip through the stream
 * machinery, which costs more than inflating it; a typical feed now decodes in one or two.
 */
const CHUNK_BYTES = 64 * 1024;
/** Compressed bodies up to this size are read whole, then decoded synchronously in one call. */
const WHOLE_BYTES = 256 * 1024;

/** Content codings in the order they were applied (RFC 9110 §8.4: listed in the order applied). */
export function parseContentEncoding(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/**
 * "deflate" should be a zlib stream (RFC 9110 §8.4.1.2) but some servers send raw DEFLATE; browsers
 * accept both, so we look at the first two bytes, as they do, and pick the matching decoder.
 */
class AutoInflate extends Transform {
  private inner?: zlib.Inflate | zlib.InflateRaw;
  private head = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    if (!this.inner) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < 2) return callback();
      chunk = this.head;
      this.start(isZlibHeader(chunk[0], chunk[1]));
    }
    this.inner!.write(chunk, () => callback());
  }

  override _flush(callback: TransformCallback): void {
    if (!this.inner) {
      if (this.head.length > 0) return callback(Object.assign(new Error('deflate stream ended after one byte'), { code: 'Z_BUF_ERROR' }));
      return callback();
    }
    this.inner.once('end', () => callback());
    this.inner.end();
  }

  override _read(size: number): void {
    this.inner?.resume();
    super._read(size);
  }

  override _destroy(err: Error | null, callback: (error: Error | null) => void): void {
    this.inner?.destroy();
    callback(err);
  }

  private start(zlibWrapped: boolean): void {
    const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: CHUNK_BYTES };
    const inner = zlibWrapped ? zlib.createInflate(opts) : zlib.createInflateRaw(opts);
    inner.on('data', (d: Buffer) => {
      if (!this.push(d)) inner.pause();
    });
    inner.on('error', (e) => this.destroy(e));
    this.inner = inner;
  }
}

function isZlibHeader(cmf: number, flg: number): boolean {
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}

function decoderFor(coding: string): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      // Z_SYNC_FLUSH: a stream cut short still yields what arrived, as browsers and feedparser allow.
      return zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: CHUNK_BYTES });
    case 'deflate':
      return new AutoInflate();
    case 'br':
      return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, chunkSize: CHUNK_BYTES });
    default:
      throw unsupportedEncoding(coding);
  }
}

const SUPPORTED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

function unsupportedEncoding(coding: string): AppError {
  return new AppError('unsupported_encoding', `the server sent the body in "${coding}" encoding, which Watchfloor cannot decode.`);
}

export function tooLargeError(url: string, maxBytes: number): AppError {
  return new AppError(
    'too_large',
    `${url} is larger than ${formatBytes(maxBytes)} (after decompression); stopped reading it. Raise the body size limit if this feed is really that big.`,
    { retryable: false },
  );
}

function formatBytes(n: number): string {
  return n % MiB === 0 ? `${n / MiB} MiB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${n} bytes`;
}

/**
 * Reads `body` to the end, decoding `contentEncoding`, and returns the decoded bytes, telling `count`
 * of them as they come (it may make the reading wait). Throws
 * `too_large` past `maxBytes` decoded bytes and `bad_encoding` for a corrupt compressed stream;
 * errors of `body` itself (aborts, resets) are rethrown as they are for the caller to map.
 */
export async function readBody(
  body: Readable,
  opts: { contentEncoding?: string; maxBytes: number; url: string; count?: ByteCounter },
): Promise<Buffer> {
  const codings = parseContentEncoding(opts.contentEncoding).reverse();
  const unknown = codings.find((c) => !SUPPORTED.has(c));
  if (unknown) {
    // undici's body emits an abort error when destroyed; nobody else is listening any more.
    body.on('error', () => {});
    body.destroy();
    throw unsupportedEncoding(unknown);
  }
  try {
    if (codings.length === 0) return await collect(body, opts);
    const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head = await readUpTo(source, WHOLE_BYTES);
    if (head.ended) {
      const whole = decodeWhole(Buffer.concat(head.chunks), codings, opts);
      await opts.count?.(whole.length);
      return whole;
    }
    const rest = Readable.from((async function* () {
      yield* head.chunks;
      for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
    })(), { objectMode: false });
    try {
      return await collect(rest, opts, codings.map(decoderFor));
    } finally {
      // Past the cap the socket goes too (after the end this is a no-op); its abort error is ours, not news.
      body.on('error', () => {});
      body.destroy();
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (isZlibError(err)) {
      throw new AppError('bad_encoding', `the body of ${opts.url} claims ${opts.contentEncoding} compression but does not decompress (${(err as Error).message}).`, {
        retryable: true,
        cause: err,
      });
    }
    throw err;
  }
}

/** Chunks of `source` until more than `limit` bytes have come or it ends. */
async function readUpTo(source: AsyncIterator<Buffer>, limit: number): Promise<{ chunks: Buffer[]; ended: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total <= limit) {
    const next = await source.next();
    if (next.done) return { chunks, ended: true };
    chunks.push(next.value);
    total += next.value.length;
  }
  return { chunks, ended: false };
}

/** Streams `source` through `decoders` into one buffer, stopping past `maxBytes` decoded bytes. */
async function collect(source: Readable, opts: { maxBytes: number; url: string; count?: ByteCounter }, decoders: Transform[] = []): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  // pipeline() reports the AbortError of the streams it tore down rather than the sink's own
  // error, so the cap error is kept aside and preferred.
  let overCap: AppError | undefined;
  const sink = async (decoded: AsyncIterable<Buffer>) => {
    for await (const chunk of decoded) {
      total += chunk.length;
      if (total > opts.maxBytes) throw (overCap = tooLargeError(opts.url, opts.maxBytes));
      // Waiting here pauses the stream, and TCP the sender, until the budget has room (body-budget.ts).
      if (opts.count) await opts.count(chunk.length);
      chunks.push(chunk);
    }
  };
  try {
    await (pipeline as (...streams: unknown[]) => Promise<void>)(source, ...decoders, sink);
  } catch (err) {
    throw overCap ?? err;
  }
  return Buffer.concat(chunks, total);
}

/** Decodes a complete body in one synchronous call per coding; zlib stops producing output at the cap. */
function decodeWhole(wire: Buffer, codings: string[], opts: { maxBytes: number; url: string }): Buffer {
  let bytes = wire;
  try {
    for (const coding of codings) bytes = decodeSync(coding, bytes, opts.maxBytes + 1);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLargeError(opts.url, opts.maxBytes);
    throw err;
  }
  if (bytes.length > opts.maxBytes) throw tooLargeError(opts.url, opts.maxBytes);
  return bytes;
}

function decodeSync(coding: string, input: Buffer, maxOutputLength: number): Buffer {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(input, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength });
    case 'deflate': {
      if (input.length === 1) throw Object.assign(new Error('deflate stream ended after one byte'), { code: 'Z_BUF_ERROR' });
      const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength };
      if (input.length === 0) return input;
      return isZlibHeader(input[0]!, input[1]!) ? zlib.inflateSync(input, opts) : zlib.inflateRawSync(input, opts);
    }
    case 'br':
      return zlib.brotliDecompressSync(input, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, maxOutputLength });
    default:
      throw unsupportedEncoding(coding);
  }
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  // zlib reports Z_DATA_ERROR and friends; brotli reports ERR__ERROR_FORMAT_* or ERR_BROTLI_*.
  return typeof code === 'string' && /^(Z_|ERR__|ERR_BROTLI)/.test(code);
}
