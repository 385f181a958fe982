// Inline SVG charts built with DOM calls (no innerHTML, CSP-safe). Sized by viewBox, so they scale with the panel.
import { h, s } from './dom.js';

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/** Stacked bars per minute: completed (blue) under failed (red). `points` = [{ minute, completed, failed }]. */
export function throughputChart(points) {
  const W = 640,
    H = 200,
    L = 38,
    R = 8,
    T = 10,
    B = 26;
  const max = niceMax(Math.max(0, ...points.map((p) => Number(p.completed ?? 0) + Number(p.failed ?? 0))));
  const n = Math.max(points.length, 1);
  const bw = (W - L - R) / n;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const svg = s(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': `Jobs per minute over the last ${points.length} minutes; highest ${max}`,
    },
    s('title', {}, 'Throughput: jobs completed and failed per minute'),
  );
  for (const f of [0, 0.5, 1]) {
    const v = max * f;
    svg.append(
      s('line', { class: f === 0 ? 'axis' : 'grid-line', x1: L, x2: W - R, y1: y(v), y2: y(v) }),
      s('text', { class: 'label', x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmtCount(v)),
    );
  }
  points.forEach((p, i) => {
    const c = Number(p.completed ?? 0),
      f = Number(p.failed ?? 0);
    const x = L + i * bw + bw * 0.15,
      w = Math.max(bw * 0.7, 1);
    if (c > 0)
      svg.append(
        s(
          'rect',
          { class: 'bar-ok', x, width: w, y: y(c), height: y(0) - y(c) },
          s('title', {}, `${label(p.minute)}: ${c} completed`),
        ),
      );
    if (f > 0)
      svg.append(
        s(
          'rect',
          { class: 'bar-bad', x, width: w, y: y(c + f), height: y(c) - y(c + f) },
          s('title', {}, `${label(p.minute)}: ${f} failed`),
        ),
      );
  });
  const ticks = points.length > 1 ? [0, Math.floor((points.length - 1) / 2), points.length - 1] : [0];
  for (const i of ticks)
    if (points[i])
      svg.append(
        s(
          'text',
          { class: 'label', x: L + i * bw + bw / 2, y: H - 8, 'text-anchor': 'middle' },
          label(points[i].minute),
        ),
      );
  return svg;
}

/** Two lines (p50, p99) over the samples the page has taken since it opened. `samples` = [{ at, p50, p99 }]. */
export function latencyChart(samples) {
  const W = 640,
    H = 200,
    L = 52,
    R = 8,
    T = 10,
    B = 26;
  const vals = samples
    .flatMap((p) => [p.p50, p.p99])
    .filter((v) => v !== null && v !== undefined)
    .map(Number);
  const max = niceMax(Math.max(0, ...vals));
  const n = samples.length;
  const x = (i) => (n <= 1 ? (L + W - R) / 2 : L + (i * (W - L - R)) / (n - 1));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const svg = s(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': 'Order-to-Sage latency, median and 99th percentile, since this page opened',
    },
    s('title', {}, 'Order-to-Sage latency (p50 and p99)'),
  );
  for (const f of [0, 0.5, 1]) {
    const v = max * f;
    svg.append(
      s('line', { class: f === 0 ? 'axis' : 'grid-line', x1: L, x2: W - R, y1: y(v), y2: y(v) }),
      s('text', { class: 'label', x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmtMs(v)),
    );
  }
  for (const [key, cls] of [
    ['p50', 'line-p50'],
    ['p99', 'line-p99'],
  ]) {
    const pts = samples
      .map((p, i) =>
        p[key] === null || p[key] === undefined ? null : `${x(i).toFixed(1)},${y(Number(p[key])).toFixed(1)}`,
      )
      .filter(Boolean);
    if (pts.length > 1) svg.append(s('polyline', { class: cls, points: pts.join(' ') }));
    if (pts.length >= 1) {
      const [cx, cy] = pts[pts.length - 1].split(',');
      svg.append(s('circle', { cx, cy, r: 3.5, class: cls }));
    }
  }
  if (n > 0) {
    svg.append(s('text', { class: 'label', x: L, y: H - 8 }, label(samples[0].at)));
    if (n > 1)
      svg.append(s('text', { class: 'label', x: W - R, y: H - 8, 'text-anchor': 'end' }, label(samples[n - 1].at)));
  }
  return svg;
}

/** A horizontal meter; `fraction` in 0..1. */
export function meter(fraction, labelText) {
  const f = Math.max(0, Math.min(1, Number(fraction) || 0));
  return h(
    'div',
    {
      class: `meter${f > 0 && f < 0.2 ? ' meter-low' : ''}`,
      role: 'meter',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': String(Math.round(f * 100)),
      'aria-label': labelText,
    },
    h('span', { style: { width: `${(f * 100).toFixed(1)}%` } }),
  );
}

function label(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso ?? '') : d.toISOString().slice(11, 16);
}
function fmtCount(v) {
  return v >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(Math.round(v * 10) / 10);
}
function fmtMs(v) {
  return v >= 60_000 ? `${(v / 60_000).toFixed(1)}m` : v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`;
}
