import http from 'node:http';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { request, Agent } from 'undici';
import { HttpClient } from './src/feeds/fetch.ts';

const N = 1000;
const item = (f: number, i: number) => `<item><title>Feed ${f} item ${i} about something newsworthy</title><link>https://news.example/${f}/${i}</link><guid>https://news.example/${f}/${i}</guid><pubDate>Sat, 01 Mar 2025 10:00:00 GMT</pubDate><description>${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(8)}</description></item>`;
const bodies = Array.from({ length: N }, (_, f) => Buffer.from(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed ${f}</title>${Array.from({ length: 50 }, (_, i) => item(f, i)).join('')}</channel></rss>`));
const gz = bodies.map((b) => zlib.gzipSync(b));
const gzip = process.argv.includes('--gzip');
const server = http.createServer((req, res) => {
  const f = Number(req.url!.slice(6));
  const etag = `"f${f}"`;
  if (req.headers['if-none-match'] === etag) { res.writeHead(304, { etag }); return res.end(); }
  const body = gzip && /gzip/.test(req.headers['accept-encoding'] ?? '') ? gz[f] : bodies[f];
  res.writeHead(200, { etag, 'last-modified': 'Sat, 01 Mar 2025 10:00:00 GMT', 'content-type': 'application/rss+xml', ...(gzip ? { 'content-encoding': 'gzip' } : {}), 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1'); await once(server, 'listening');
const port = (server.address() as any).port;
console.log('avg body', Math.round(bodies[0].length / 1024), 'KiB', gzip ? `gz ${Math.round(gz[0].length/1024)} KiB` : '');
const urls = Array.from({ length: N }, (_, f) => `http://127.0.0.1:${port}/feed/${f}`);

async function ours(perHost: number, total: number) {
  const c = new HttpClient({ allowPrivateNetworks: true, perHostConnections: perHost, totalConnections: total });
  const etags: (string | undefined)[] = [];
  let t = performance.now();
  await Promise.all(urls.map(async (u, i) => { const o = await c.get(u); etags[i] = o.etag; }));
  const cold = performance.now() - t;
  t = performance.now();
  let n304 = 0;
  await Promise.all(urls.map(async (u, i) => { const o = await c.get(u, { validators: { etag: etags[i] } }); if (o.status === 'not_modified') n304++; }));
  const warm = performance.now() - t;
  await c.close();
  console.log(`ours perHost=${perHost} total=${total}: cold ${cold.toFixed(0)} ms, warm ${warm.toFixed(0)} ms (${n304} × 304)`);
}
async function bare(conc: number) {
  const agent = new Agent({ connections: conc });
  const run = async (val?: string[]) => { let i = 0; const t = performance.now(); await Promise.all(Array.from({ length: conc }, async () => { while (i < N) { const k = i++; const r = await request(urls[k], { dispatcher: agent, headers: val ? { 'if-none-match': val[k] } : {} }); await r.body.arrayBuffer(); } })); return performance.now() - t; };
  const cold = await run(); const warm = await run(urls.map((_, f) => `"f${f}"`));
  await agent.close();
  console.log(`bare undici conc=${conc}: cold ${cold.toFixed(0)} ms, warm ${warm.toFixed(0)} ms`);
}
await bare(8); await ours(8, 8);
console.log('--- measured after warm-up');
for (let k = 0; k < 2; k++) { await bare(8); for (const [p, t] of [[2, 16], [8, 8], [16, 16]]) await ours(p, t); }
console.log('rss MB', Math.round(process.memoryUsage().rss / 1e6));
server.close();
