import { fork } from 'node:child_process';
import { startFeedServer } from '/work/main/bench/lib/feed-server-client.ts';
const s = await startFeedServer();
for (const lim of [0, 16]) {
  await new Promise<void>((res) => {
    const c = fork('/work/main/bench/lib/ours-run.ts', [JSON.stringify({ origin: s.origin, urls: s.urls, perHostConnections: 8, totalConnections: 16, growthCycles: 0, pollsInFlight: lim })]);
    c.on('message', (m: any) => { console.log(lim, m.cold.seconds, m.cold.peakMb, m.warm.seconds, m.warm.notModified); });
    c.on('exit', () => res());
  });
}
s.close();
