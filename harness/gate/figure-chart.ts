import type { FigureOutcome } from './compare.ts';

const W = 180;
const H = 26;

/**
 * A figure's runs at a glance: each baseline run a grey dot (top row), each candidate run a dot
 * coloured by the figure's outcome (bottom row), the limit a red line; a run that never produced
 * the figure sits past the right edge as a hollow dot. Inline SVG: gate.html stays self-contained.
 */
export function figureChart(f: FigureOutcome): string {
  const nums = (xs: (number | null)[]) => xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  const all = [...nums(f.baseline), ...nums(f.candidate), ...(typeof f.limit === 'number' ? [f.limit] : [])];
  if (all.length === 0) return '';
  const max = Math.max(...all, 1) * 1.05;
  const x = (v: number) => 6 + (v / max) * (W - 24);
  const dot = (v: number | null, y: number, fill: string, side: string) => (v === null
    ? `<circle cx="${W - 8}" cy="${y}" r="3.5" fill="none" stroke="${fill}" stroke-width="1.5"><title>${side}: never</title></circle>`
    : `<circle cx="${x(v).toFixed(1)}" cy="${y}" r="3.5" fill="${fill}" fill-opacity="0.8"><title>${side}: ${Math.round(v)}</title></circle>`);
  const candidateFill = f.outcome === 'regressed' ? '#e63946' : f.outcome === 'improved' ? '#2a9d8f' : '#1d3557';
  const limit = typeof f.limit === 'number' ? `<line class="limit" x1="${x(f.limit).toFixed(1)}" x2="${x(f.limit).toFixed(1)}" y1="1" y2="${H - 1}" stroke="#e63946" stroke-width="1.5"><title>limit ${Math.round(f.limit)}</title></line>` : '';
  return `<svg class="figure-chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${f.figure}: baseline and candidate runs against the limit">`
    + `<line x1="6" x2="${W - 18}" y1="${H / 2}" y2="${H / 2}" stroke="#ddd"/>${limit}`
    + f.baseline.map((v) => dot(v, 8, '#8d99ae', 'baseline')).join('')
    + f.candidate.map((v) => dot(v, H - 8, candidateFill, 'candidate')).join('')
    + '</svg>';
}
