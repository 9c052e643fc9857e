import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { createLogger } from '../../src/log.ts';
import { captureIO } from '../fakes/cli-io.ts';

/** A stream that says it is a terminal, as process.stderr does in a shell. */
function terminal() {
  const chunks: string[] = [];
  const stream = Object.assign(new Writable({ write(chunk, _e, done) { chunks.push(String(chunk)); done(); } }), { isTTY: true });
  return { stream, text: () => chunks.join('') };
}

describe('logs a person reads', () => {
  it('on a terminal, one line per entry: no second dump of fields the message already says', async () => {
    const tty = terminal();
    const log = createLogger({ LOG_LEVEL: 'info' }, tty.stream);
    const report = { feeds: 16, failedFeeds: 16, notModified: 0, newArticles: 0, matched: 0, queued: 0, delivery: { sent: 0, failed: 0 } };
    log.info(report, 'cycle: 16 feeds (16 failed, 0 unchanged), 0 new articles, 0 matches, 0 sent');
    log.warn({ feed: 'https://a.example/rss', failures: 3 }, 'feed failed: a.example refused the connection.');
    await new Promise((resolve) => setImmediate(resolve));
    const lines = tty.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/cycle: 16 feeds \(16 failed, 0 unchanged\), 0 new articles, 0 matches, 0 sent\S*$/);
    // Fields the message does not carry still show, on the same line.
    expect(lines[1]).toContain('feed failed: a.example refused the connection. · feed=https://a.example/rss failures=3');
  });

  it('LOG_LEVEL=verbose is refused with the list of levels', async () => {
    const io = captureIO({ LOG_LEVEL: 'verbose' });
    expect(await main(['topics', 'list'], io)).toBe(2);
    expect(io.err()).toContain('LOG_LEVEL=verbose is not a log level; use one of trace, debug, info, warn, error, fatal, silent (default info)');
  });
});
