#!/usr/bin/env node
// Runs the compiled sources in dist/ (`npm run build`; `npm install` and `npm start` run it too).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('watchfloor: dist/ is missing; run `npm run build` (or `npm install`) in the Watchfloor folder first.\n');
  process.exit(2);
}
process.setSourceMapsEnabled(true);
const { tuneGarbageCollection } = await import(new URL('../dist/gc.js', import.meta.url).href);
tuneGarbageCollection();
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
