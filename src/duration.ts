const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Parses `90s`, `15m`, `24h`, `7d`, `2w` (or a bare number of seconds) into seconds; undefined when malformed. */
export function parseDurationS(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  // trim() first: a pattern with `\s*` at both ends backtracks quadratically over a run of spaces.
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw]?)$/i.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()];
}

/** `86400` → `24h`, for messages and headers. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${Math.round(seconds)}s`;
}
