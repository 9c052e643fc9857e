import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MiB, parseContentEncoding, readBody } from '../../../src/feeds/http/body.ts';

const text = Buffer.from('<?xml version="1.0"?><rss><channel><title>Пример</title></channel></rss>\n'.repeat(200));

/** Emits `buf` in small pieces, so decoders see data split at awkward places (even one byte). */
function chunked(buf: Buffer, size = 7): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('parseContentEncoding', () => {
  it.each([
    [undefined, []],
    ['gzip', ['gzip']],
    ['GZIP , br', ['gzip', 'br']],
    ['identity', []],
    ['x-gzip', ['x-gzip']],
  ])('%s → %j', (header, expected) => {
    expect(parseContentEncoding(header)).toEqual(expected);
  });
});

describe('readBody decoding', () => {
  it.each([
    ['(none)', undefined, text],
    ['gzip', 'gzip', zlib.gzipSync(text)],
    ['x-gzip', 'x-gzip', zlib.gzipSync(text)],
    ['deflate (zlib)', 'deflate', zlib.deflateSync(text)],
    ['deflate (raw, as some servers send)', 'deflate', zlib.deflateRawSync(text)],
    ['br', 'br', zlib.brotliCompressSync(text)],
    ['gzip then br', 'gzip, br', zlib.brotliCompressSync(zlib.gzipSync(text))],
  ])('%s', async (_name, encoding, wire) => {
    for (const size of [1, 7, 65536]) {
      const out = await readBody(chunked(wire, size), { contentEncoding: encoding, maxBytes: MiB, url: 'http://x/' });
      expect(out.equals(text)).toBe(true);
    }
  });

  it('keeps what arrived of a truncated gzip stream', async () => {
    const wire = zlib.gzipSync(text);
    const out = await readBody(chunked(wire.subarray(0, wire.length - 8)), { contentEncoding: 'gzip', maxBytes: MiB, url: 'http://x/' });
    expect(out.equals(text)).toBe(true);
  });

  it.each([
    ['gzip', Buffer.from('this is not gzip at all')],
    ['br', Buffer.from('this is not brotli at all, nope')],
    ['deflate', Buffer.from([0xff, 0xff, 0xff, 0xff])],
  ])('reports a corrupt %s body as bad_encoding', async (encoding, wire) => {
    await expect(readBody(chunked(wire), { contentEncoding: encoding, maxBytes: MiB, url: 'http://x/' })).rejects.toMatchObject({ code: 'bad_encoding' });
  });

  it('refuses an encoding it cannot decode', async () => {
    await expect(readBody(chunked(text), { contentEncoding: 'compress', maxBytes: MiB, url: 'http://x/' })).rejects.toMatchObject({
      code: 'unsupported_encoding',
    });
  });
});

describe('readBody size cap', () => {
  it('accepts a body of exactly the cap', async () => {
    const out = await readBody(chunked(Buffer.alloc(1000, 1), 100), { maxBytes: 1000, url: 'http://x/' });
    expect(out.length).toBe(1000);
  });

  it('stops one byte past the cap', async () => {
    await expect(readBody(chunked(Buffer.alloc(1001, 1), 100), { maxBytes: 1000, url: 'http://x/feed' })).rejects.toMatchObject({
      code: 'too_large',
      message: expect.stringContaining('http://x/feed is larger than'),
    });
  });

  it.each([
    ['gzip', (b: Buffer) => zlib.gzipSync(b, { level: 9 })],
    ['deflate', (b: Buffer) => zlib.deflateSync(b, { level: 9 })],
    ['br', (b: Buffer) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })],
  ])('counts decoded bytes: a small %s bomb is stopped at the cap and the source destroyed', async (encoding, compress) => {
    const wire = compress(Buffer.alloc(16 * MiB)); // ~16 KiB (gzip) on the wire, 16 MiB decoded
    expect(wire.length).toBeLessThan(MiB);
    const source = chunked(wire, 4096);
    await expect(readBody(source, { contentEncoding: encoding, maxBytes: MiB, url: 'http://x/' })).rejects.toMatchObject({ code: 'too_large' });
    expect(source.destroyed).toBe(true);
  });

  it.each([
    ['gzip', (b: Buffer) => zlib.gzipSync(b)],
    ['br', (b: Buffer) => zlib.brotliCompressSync(b)],
  ])('streams a %s body still arriving past 256 KiB, and stops it at the cap', async (encoding, compress) => {
    const noise = randomBytes(600 * 1024); // incompressible: ~600 KiB on the wire
    const whole = await readBody(chunked(compress(noise), 16384), { contentEncoding: encoding, maxBytes: MiB, url: 'http://x/' });
    expect(whole.equals(noise)).toBe(true);
    const source = chunked(compress(Buffer.concat([noise, noise])), 16384);
    await expect(readBody(source, { contentEncoding: encoding, maxBytes: MiB, url: 'http://x/' })).rejects.toMatchObject({ code: 'too_large' });
    expect(source.destroyed).toBe(true);
  });
});
