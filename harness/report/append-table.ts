import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { detailsOf, type CheckResult } from '../checkers/index.ts';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const at = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(3)} s`);

/**
 * The append check's lost and rolled-back values, each with its times, so that a loss can be lined
 * up with the faults above it. From the scenario's checks.json (summary.json keeps no details);
 * nothing when the check found none, or the scenario has no checks.json.
 */
export async function appendFindings(dir: string): Promise<string> {
  const text = await readFile(path.join(dir, 'checks.json'), 'utf8').catch(() => null);
  if (!text) return '';
  const details = detailsOf(JSON.parse(text) as CheckResult[], 'append');
  const lost = [...(details.lost ?? []), ...(details.minorityWindow?.lost ?? [])];
  const rows = [
    ...lost.map((l) => `<tr><td>${l.window ? `lost in ${esc(l.window)}'s minority window` : 'lost'}</td><td><code>${esc(l.key)}</code></td><td>${l.value}</td><td>${l.process}</td><td>${at(l.ackMs)}</td><td>${l.seenMs === null ? 'never read' : `read at ${at(l.seenMs)}`}</td></tr>`),
    ...(details.rollbacks ?? []).map((r) => `<tr><td>rolled back</td><td><code>${esc(r.key)}</code></td><td>${r.value}</td><td>—</td><td>—</td><td>read at ${at(r.seenMs)}, gone from ${esc(r.missingFrom)}</td></tr>`),
  ];
  if (!rows.length) return '';
  const total = (details.counts?.lost ?? 0) + (details.counts?.rollbacks ?? 0) + (details.minorityWindow?.lostAcknowledged ?? 0);
  const more = total > rows.length ? `<p class="meta">the first ${rows.length} of ${total}; checks.json has the counts</p>` : '';
  return `<table class="append-findings"><thead><tr><th>append</th><th>list</th><th>value</th><th>process</th><th>acknowledged</th><th>seen</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}
