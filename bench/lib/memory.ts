/**
 * Peak resident memory of a process. Linux keeps the high-water mark itself (VmHWM in
 * /proc/PID/status), which catches peaks a timer would miss while the event loop is blocked in a
 * parse; writing "5" to /proc/self/clear_refs resets it, so one process can measure phase by
 * phase. Where /proc is missing, a sampler of process.memoryUsage().rss stands in.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const MB = 1024 * 1024;

/** VmHWM of a process, in bytes; undefined when it cannot be read (no /proc, process gone). */
export function highWaterMark(pid: number | 'self' = 'self'): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Measures the peak RSS of this process over one phase. */
export class PeakMemory {
  private sampled = 0;
  private timer?: NodeJS.Timeout;
  private exact = false;

  start(): this {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      this.exact = highWaterMark() !== undefined;
    } catch {
      this.exact = false;
    }
    this.sampled = process.memoryUsage().rss;
    // The sampler costs the measured process CPU time: only where the kernel keeps no high-water mark.
    if (this.exact) return this;
    this.timer = setInterval(() => {
      this.sampled = Math.max(this.sampled, process.memoryUsage().rss);
    }, 20);
    this.timer.unref();
    return this;
  }

  /** Peak in MB since start(). */
  stop(): number {
    clearInterval(this.timer);
    const sampled = Math.max(this.sampled, process.memoryUsage().rss);
    const hwm = this.exact ? highWaterMark() : undefined;
    return Math.max(sampled, hwm ?? 0) / MB;
  }
}

/** Polls another process's VmHWM until it exits (newsboat); the last reading is its peak. */
export function watchPeak(pid: number, intervalMs = 50): () => number | undefined {
  let peak: number | undefined;
  const read = () => {
    const hwm = highWaterMark(pid);
    if (hwm !== undefined) peak = Math.max(peak ?? 0, hwm);
  };
  read();
  const timer = setInterval(read, intervalMs);
  return () => {
    clearInterval(timer);
    return peak === undefined ? undefined : peak / MB;
  };
}
