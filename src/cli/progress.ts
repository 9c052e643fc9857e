import { Writable } from 'node:stream';
import type { PollProgress, PollResult } from '../feeds/poll/poll.ts';

const WIDTH = 30;
/** Carriage return and "erase the whole line": the bar is redrawn in place. */
const CLEAR = '\r\x1b[2K';

const bar = (label: string, done: number, total: number) => {
  const filled = Math.round((done / total) * WIDTH);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total}`;
};

/**
 * A one-line progress bar drawn on `stream` (stderr) while a person watches: only when `show` (stderr is a
 * terminal), so piped output and logs stay clean.
 */
export function progressBar(stream: NodeJS.WritableStream, label: string, total: number, show: boolean) {
  let done = 0;
  const draw = () => {
    if (!show || total === 0) return;
    stream.write(`\r${bar(label, done, total)}`);
  };
  draw();
  return {
    tick() {
      done++;
      draw();
    },
    finish() {
      if (show && total > 0) stream.write('\n');
    },
  };
}

export interface StatusLine {
  /** Where the logger writes: an entry first clears the bar, which is drawn again below it. */
  log: NodeJS.WritableStream & { isTTY?: boolean };
  /** A cycle's progress: the bar while feeds are polled, then one count line. */
  polling: PollProgress;
}

/**
 * stderr shared by the logs and the bar of a poll cycle (`once`, `run`). Without `show` (stderr is not a
 * terminal) nothing is drawn and log entries pass through untouched.
 */
export function statusLine(out: NodeJS.WritableStream & { isTTY?: boolean }, show: boolean): StatusLine {
  let drawn = '';
  const draw = (text: string) => {
    drawn = text;
    out.write(`${CLEAR}${text}`);
  };
  const log = Object.assign(new Writable({
    write(chunk, _encoding, done) {
      if (drawn) out.write(CLEAR);
      out.write(chunk);
      if (drawn) out.write(drawn);
      done();
    },
  }), { isTTY: out.isTTY });

  let total = 0;
  let results: PollResult[] = [];
  const polling: PollProgress = {
    start() {
      total = 0;
      results = [];
    },
    // Feeds are claimed in turns: the bar's total grows with each.
    claimed(count) {
      total += count;
      if (show && total > 0) draw(bar('polling', results.length, total));
    },
    polled(result) {
      results.push(result);
      if (show) draw(bar('polling', results.length, total));
    },
    ended() {
      if (!show || total === 0) return;
      draw(pollCount(results));
      out.write('\n');
      drawn = '';
    },
  };
  return { log, polling };
}

/** `polled 16 feeds: 12 ok (3 unchanged), 4 failed` — the line a finished bar leaves behind. */
export function pollCount(results: PollResult[]): string {
  const failed = results.filter((r) => r.status === 'failed').length;
  const unchanged = results.filter((r) => r.status === 'ok' && r.notModified).length;
  return `polled ${results.length} feed${results.length === 1 ? '' : 's'}: ${results.length - failed} ok (${unchanged} unchanged), ${failed} failed`;
}
