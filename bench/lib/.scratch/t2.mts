import { fork } from 'node:child_process';
import { startFeedServer } from '/work/main/bench/lib/feed-server-client.ts';
const s = await startFeedServer();
const c = fork('/work/main/bench/lib/ours-run.ts', [JSON.stringify({ origin: s.origin, urls: s.urls.slice(0, 300), perHostConnections: 8, totalConnections: 16, growthCycles: 0 })], { execArgv: [...process.execArgv, '--cpu-prof', '--cpu-prof-dir=/tmp/bt/prof'] });
c.on('message', (m: any) => { console.log(m.cold.seconds, m.cold.peakMb); });
c.on('exit', () => s.close());
