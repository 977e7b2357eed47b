import { coverage, formatRanges, SLOT_COUNT } from '../cluster/index.ts';
import { checker } from './types.ts';

/**
 * From the samples, a timeline of covered slots and the longest interval with any slot uncovered,
 * contested or failed; at the end, every slot served by exactly one master and cluster_state:ok
 * on every node. Only the end decides validity: a fault is expected to uncover slots for a while.
 */
export const slotCoverageChecker = checker(({ samples, final }) => {
  let longest = { fromMs: 0, toMs: 0, ms: 0 };
  let badSince: number | null = null;
  for (const s of samples) {
    const bad = s.covered < SLOT_COUNT || s.contested > 0 || !s.allOk;
    if (bad && badSince === null) badSince = s.tMs;
    if (!bad && badSince !== null) {
      if (s.tMs - badSince > longest.ms) longest = { fromMs: badSince, toMs: s.tMs, ms: s.tMs - badSince };
      badSince = null;
    }
  }
  const lastSample = samples.at(-1);
  if (badSince !== null && lastSample && lastSample.tMs - badSince > longest.ms) longest = { fromMs: badSince, toMs: lastSample.tMs, ms: lastSample.tMs - badSince };
  const timeline = samples.map((s) => [Math.round(s.tMs), s.covered] as const);
  const details: Record<string, unknown> = { longestUncoveredMs: Math.round(longest.ms), longestUncovered: longest, samples: samples.length, minCovered: Math.min(SLOT_COUNT, ...samples.map((s) => s.covered)), timeline };
  if (!final) return { valid: 'unknown', message: 'no final topology was taken', details };

  const cov = coverage(final);
  const problems: string[] = [];
  if (cov.uncovered.length) problems.push(`slots ${formatRanges(cov.uncovered)} are served by no reachable master`);
  for (const c of cov.contested) problems.push(`slots ${formatRanges([c.slots])} are claimed by ${c.nodes.length} masters (${c.nodes.map((n) => n.slice(0, 8)).join(', ')})`);
  for (const v of final.views) {
    if (!v.reachable) problems.push(`${v.pod} is unreachable`);
    else if (v.info?.cluster_state !== 'ok') problems.push(`${v.pod} reports cluster_state:${v.info?.cluster_state}`);
  }
  details.final = { covered: cov.covered, uncovered: formatRanges(cov.uncovered), contested: cov.contested };
  if (problems.length) return { valid: false, message: `at the end, ${problems.join('; ')}`, details };
  return { valid: true, message: `all ${SLOT_COUNT} slots covered by exactly one master at the end; longest gap in coverage ${Math.round(longest.ms)} ms`, details };
});
