/**
 * The floor of our stack (issue 3's first reference): a bare loop of `undici.request` and
 * rss-parser's `parseString`, `concurrency` requests at once, no storage, no guard, no
 * normalizing. Conditional headers are sent on the second cycle. It asks for gzip like our client
 * does and gunzips with node:zlib, so both read the same bytes off the wire.
 *
 * Input: argv[2] is JSON `{ urls: string[]; concurrency: number }`; output: one `ReferenceResult` message.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import Parser from 'rss-parser';
import { Agent, request } from 'undici';
import { PeakMemory } from './memory.ts';

export interface ReferenceCycle {
  seconds: number;
  ok: number;
  notModified: number;
  failed: number;
  items: number;
  peakMb: number;
  firstError?: string;
}

export interface ReferenceResult {
  cold: ReferenceCycle;
  warm: ReferenceCycle;
}

const gunzipAsync = promisify(gunzip);

async function main(): Promise<void> {
  const { urls, concurrency } = JSON.parse(process.argv[2]!) as { urls: string[]; concurrency: number };
  const parser = new Parser();
  const dispatcher = new Agent({ connections: concurrency });
  const validators = new Map<string, { etag?: string; lastModified?: string }>();

  const one = async (url: string, cycle: ReferenceCycle): Promise<void> => {
    const v = validators.get(url);
    const headers: Record<string, string> = { 'accept-encoding': 'gzip' };
    if (v?.etag) headers['if-none-match'] = v.etag;
    if (v?.lastModified) headers['if-modified-since'] = v.lastModified;
    const res = await request(url, { headers, dispatcher });
    if (res.statusCode === 304) {
      await res.body.dump();
      cycle.notModified++;
      return;
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`${url} answered ${res.statusCode}`);
    }
    let body = Buffer.from(await res.body.arrayBuffer());
    if (res.headers['content-encoding'] === 'gzip') body = await gunzipAsync(body);
    const feed = await parser.parseString(body.toString('utf8'));
    validators.set(url, { etag: res.headers.etag as string | undefined, lastModified: res.headers['last-modified'] as string | undefined });
    cycle.ok++;
    cycle.items += feed.items.length;
  };

  const cycle = async (): Promise<ReferenceCycle> => {
    const peak = new PeakMemory().start();
    const figures: ReferenceCycle = { seconds: 0, ok: 0, notModified: 0, failed: 0, items: 0, peakMb: 0 };
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < urls.length) {
        const url = urls[next++]!;
        try {
          await one(url, figures);
        } catch (err) {
          figures.failed++;
          figures.firstError ??= err instanceof Error ? err.message : String(err);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    figures.seconds = (performance.now() - started) / 1000;
    figures.peakMb = peak.stop();
    return figures;
  };

  const cold = await cycle();
  const warm = await cycle();
  await dispatcher.close();
  process.send!({ cold, warm } satisfies ReferenceResult);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
