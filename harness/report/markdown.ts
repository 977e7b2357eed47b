import { redisSettingsText, type RunSummary } from './summary.ts';

const ICON: Record<string, string> = { passed: '✅ passed', failed: '❌ failed', error: '⚠️ error', interrupted: '⏹️ interrupted' };
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ms = (v: number | null) => (v === null ? '—' : `${v} ms`);

/** The verdict table as Markdown, for a CI job summary or a pull-request comment. */
export function summaryMarkdown(summary: RunSummary): string {
  // The list workload's columns when it ran beside the counter (the default), so that both show.
  const appends = summary.scenarios.some((s) => s.metrics.appends);
  const appendCells = (s: RunSummary['scenarios'][number]) => (appends ? ` ${s.metrics.appends?.acknowledged ?? '—'} | ${s.metrics.appends ? s.metrics.appends.lostAcknowledged ?? '—' : '—'} |` : '');
  const lines = [
    `### redis-chaos: ${ICON[summary.status]} (exit ${summary.exitCode})`,
    '',
    `Platform **${summary.platform}**, ${summary.redisImage ?? '?'} (server ${summary.redisServerVersion ?? '?'}), ${redisSettingsText(summary)}${summary.isolation ? `, isolation ${summary.isolation}` : ''}, seed ${summary.seed}, run \`${summary.runId}\`.`,
    ...(summary.error ? ['', `**Harness error:** ${cell(summary.error)}`] : []),
    '',
    `| scenario | verdict | acked INCRs | lost acked |${appends ? ' acked appends | lost appends |' : ''} failover | max unavailable | per shard: longest gap | failing checks |`,
    `|---|---|---:|---:|${appends ? '---:|---:|' : ''}---:|---:|---|---|`,
    ...summary.scenarios.map((s) => `| ${s.name} | ${ICON[s.status]} | ${s.metrics.acknowledged} | ${s.metrics.lostAcknowledged ?? '—'} |${appendCells(s)} ${ms(s.metrics.failoverMs)} | ${ms(s.metrics.maxUnavailableMs)} | ${cell((s.shards ?? []).map((k) => `${k.masterAtStart ?? k.key}${(k.keys ?? 1) > 1 ? ` (${k.keys} keys)` : ''}: ${ms(k.maxUnavailableMs)}`).join(', ') || '—')} | ${cell(s.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.message}`).join('; ') || s.error || '')} |`),
    ...lossLines(summary),
  ];
  return `${lines.join('\n')}\n`;
}

/** Below the table, for each scenario where some keys lost writes and others did not: which, by name and slot. */
function lossLines(summary: RunSummary): string[] {
  const lines = summary.scenarios.flatMap((s) => {
    const lost = (s.keys ?? []).filter((k) => (k.lostAcknowledged ?? 0) > 0 || k.valid === false);
    if (lost.length === 0) return [];
    const shown = lost.slice(0, 10).map((k) => `\`${k.key}\` (slot ${k.slot}, ${k.masterAtStart ?? '?'}${k.lostAcknowledged ? `, ${k.lostAcknowledged} lost` : ''})`);
    return [`- **${s.name}**: ${lost.length} of ${s.keys!.length} keys failed: ${cell(shown.join(', '))}${lost.length > 10 ? ` and ${lost.length - 10} more` : ''}`];
  });
  return lines.length ? ['', ...lines] : [];
}
