import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fakes/test-config.ts';

describe('the platform registry', () => {
  it('loads no platform SDK until a platform is used', () => {
    // A fresh process (vitest's own may have loaded them): build the sinks for an environment with webhooks
    // available but nothing posted, and list which SDK modules Node has loaded.
    const script = `
      import { createRequire } from 'node:module';
      const { createSinks } = await import(${JSON.stringify(path.join(ROOT, 'src/chat/registry.ts'))});
      const { readEnv } = await import(${JSON.stringify(path.join(ROOT, 'src/env.ts'))});
      const { silentLogger } = await import(${JSON.stringify(path.join(ROOT, 'src/log.ts'))});
      const sinks = await createSinks({ env: readEnv({}), config: { console: { format: 'json' } }, log: silentLogger(), stdout: process.stdout });
      const sdks = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => /node_modules[\\\\/](@slack|discord\\.js|@discordjs)[\\\\/]/.test(f)).length;
      const before = sdks();
      await import('@slack/web-api'); // the control: a loaded SDK is seen
      // The outbox paces by a lazy sink's interval before anything was posted (Slack: one post a second a channel).
      const slack = await createSinks({ env: readEnv({ SLACK_BOT_TOKEN: 'xoxb-test' }), config: { console: { format: 'json' } }, log: silentLogger(), stdout: process.stdout });
      const intervals = Object.fromEntries([...slack].map(([name, sink]) => [name, sink.minIntervalMs ?? 0]));
      await import('@slack/web-api'); // the control: a loaded SDK is seen
      process.stdout.write(JSON.stringify({ sinks: [...sinks.keys()], loaded: before, intervals, control: sdks() > 0 }));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out)).toEqual({
      sinks: ['console', 'slack-webhook', 'discord-webhook'], loaded: 0, control: true,
      intervals: { console: 0, slack: 1000, 'slack-webhook': 1000, 'discord-webhook': 0 },
    });
  });
});
