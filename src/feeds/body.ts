import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { AppError } from '../errors.ts';

/**
 * Reading a response body (issue 3): Content-Encoding gzip, deflate and brotli are decoded as a
 * stream, and the size cap counts *decoded* bytes. The moment the cap is passed every stream in the
 * chain is destroyed — the socket included — so a gzip bomb costs at most the cap plus one chunk.
 */

export const MiB = 1024 * 1024;
/**
 * Decoder output chunks: four times zlib's 16 KiB default. Each chunk is a trip through the stream
 * machinery, which costs more than inflating it; a typical feed now decodes in one or two.
 */
const CHUNK_BYTES = 64 * 1024;

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
      throw new AppError('unsupported_encoding', `the server sent the body in "${coding}" encoding, which Watchfloor cannot decode.`);
  }
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
 * Reads `body` to the end, decoding `contentEncoding`, and returns the decoded bytes. Throws
 * `too_large` past `maxBytes` decoded bytes and `bad_encoding` for a corrupt compressed stream;
 * errors of `body` itself (aborts, resets) are rethrown as they are for the caller to map.
 */
export async function readBody(
  body: Readable,
  opts: { contentEncoding?: string; maxBytes: number; url: string },
): Promise<Buffer> {
  let decoders: Transform[];
  try {
    decoders = parseContentEncoding(opts.contentEncoding).reverse().map(decoderFor);
  } catch (err) {
    // undici's body emits an abort error when destroyed; nobody else is listening any more.
    body.on('error', () => {});
    body.destroy();
    throw err;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // pipeline() reports the AbortError of the streams it tore down rather than the sink's own
  // error, so the cap error is kept aside and preferred.
  let overCap: AppError | undefined;
  const collect = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > opts.maxBytes) throw (overCap = tooLargeError(opts.url, opts.maxBytes));
      chunks.push(chunk);
    }
  };
  try {
    await (pipeline as (...streams: unknown[]) => Promise<void>)(body, ...decoders, collect);
  } catch (err) {
    if (overCap) throw overCap;
    if (err instanceof AppError) throw err;
    if (isZlibError(err)) {
      throw new AppError('bad_encoding', `the body of ${opts.url} claims ${opts.contentEncoding} compression but does not decompress (${(err as Error).message}).`, {
        retryable: true,
        cause: err,
      });
    }
    throw err;
  }
  return Buffer.concat(chunks, total);
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  // zlib reports Z_DATA_ERROR and friends; brotli reports ERR__ERROR_FORMAT_* or ERR_BROTLI_*.
  return typeof code === 'string' && /^(Z_|ERR__|ERR_BROTLI)/.test(code);
}
