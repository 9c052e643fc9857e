/**
 * docs/grafana-dashboard.json charts what /metrics serves: every metric of ours has a panel, and every metric a
 * panel queries exists in a real app's registry (ours and Node's process metrics), so a rename breaks this test
 * rather than the operator's dashboard.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { createMetrics } from '../../src/ops/metrics.ts';

const dashboard = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../docs/grafana-dashboard.json'), 'utf8'));

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string }>;
  gridPos: { x: number; y: number; w: number; h: number };
}

const panels = dashboard.panels as Panel[];
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/** Metric names in PromQL: identifiers followed by `{`, `[`, `)` or the end, minus functions and keywords. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\b(?=\s*(\{|\[|\)|$))/g)].map((m) => m[1]!).filter((n) => n.includes('_') && !['by', 'le'].includes(n));
}

describe('docs/grafana-dashboard.json', () => {
  const metrics = createMetrics({ store: { ping: async () => undefined, feedCounts: async () => ({}), deliveryCounts: async () => ({}), recentAlerts: async () => [] }, log: silentLogger() });
  metrics.collectProcessMetrics();
  const served = metrics.registry.getMetricsAsArray().map((m) => m.name);

  it('is a dashboard Grafana imports: a Prometheus data source input, panels with queries on it, a grid without overlaps', () => {
    expect(dashboard).toMatchObject({ title: 'Watchfloor', uid: 'watchfloor', schemaVersion: expect.any(Number) });
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const charts = panels.filter((p) => p.type !== 'row');
    expect(charts.length).toBeGreaterThanOrEqual(10);
    for (const p of charts) {
      expect(p.datasource?.uid, p.title).toBe(`\${DS_PROMETHEUS}`);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    const cells = new Set<string>();
    for (const p of panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('charts every watchfloor_ metric /metrics serves', () => {
    const ours = served.filter((n) => n.startsWith('watchfloor_'));
    expect(ours).toHaveLength(10);
    const queried = new Set(exprs.flatMap(metricNames).map((n) => n.replace(HISTOGRAM_SUFFIX, '')));
    expect(ours.filter((n) => !queried.has(n))).toEqual([]);
  });

  it('queries only metrics that exist', () => {
    const names = new Set(served);
    const unknown = exprs.flatMap(metricNames).filter((n) => !names.has(n) && !names.has(n.replace(HISTOGRAM_SUFFIX, '')));
    expect(unknown).toEqual([]);
    expect(exprs.flatMap(metricNames)).toContain('process_resident_memory_bytes');
  });
});
