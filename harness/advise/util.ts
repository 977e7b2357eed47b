import type { LabelSelector } from '../manifests/index.ts';
import type { Finding, Location, Rule, Severity } from './types.ts';

/** A finding at a location; the rule's id is its own. */
export const finding = (rule: Rule['id'], severity: Severity, scenario: Finding['scenario'], at: Location, message: string): Finding => ({ rule, severity, message, scenario, file: at.file, line: at.line });

/** Kubernetes' label selector semantics. An empty selector selects every pod (policy/v1, NetworkPolicy). */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  return Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v)
    && selector.matchExpressions.every((e) => {
      const has = Object.hasOwn(labels, e.key);
      switch (e.operator) {
        case 'In': return has && e.values.includes(labels[e.key]!);
        case 'NotIn': return !has || !e.values.includes(labels[e.key]!);
        case 'Exists': return has;
        case 'DoesNotExist': return !has;
      }
    });
}

/** A selector from an unvalidated document (a NetworkPolicy's): anything malformed selects nothing, so that no rule fires on a guess. */
export function rawSelector(raw: unknown): LabelSelector | null {
  if (raw === undefined || raw === null) return { matchLabels: {}, matchExpressions: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return null;
  const { matchLabels = {}, matchExpressions = [] } = raw as { matchLabels?: unknown; matchExpressions?: unknown };
  if (typeof matchLabels !== 'object' || matchLabels === null || !Array.isArray(matchExpressions)) return null;
  const expressions: LabelSelector['matchExpressions'] = [];
  for (const e of matchExpressions as { key?: unknown; operator?: unknown; values?: unknown }[]) {
    if (typeof e?.key !== 'string' || !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(String(e.operator))) return null;
    expressions.push({ key: e.key, operator: e.operator as LabelSelector['matchExpressions'][number]['operator'], values: Array.isArray(e.values) ? e.values.map(String) : [] });
  }
  return { matchLabels: Object.fromEntries(Object.entries(matchLabels).map(([k, v]) => [k, String(v)])), matchExpressions: expressions };
}

/** Redis' memory units (`memtoull`): `1k` is 1000 and `1kb` 1024; a bare number is bytes. null when unreadable. */
export function redisBytes(value: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(value.trim());
  if (!m) return null;
  const unit = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Number(m[1]) * unit;
}

/** Bytes as a person reads them: `64Mi`, `1.5Gi`, `95.4Mi`. */
export function approxBytes(bytes: number): string {
  for (const [suffix, shift] of [['Gi', 30], ['Mi', 20], ['Ki', 10]] as const) {
    if (bytes >= 2 ** shift) return `${Number((bytes / 2 ** shift).toFixed(1))}${suffix}`;
  }
  return `${bytes}B`;
}
