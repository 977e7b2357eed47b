import { randomBytes } from 'node:crypto';

/**
 * A run id is sortable by time and safe as a DNS-1123 label fragment, because on Kubernetes it
 * becomes part of the namespace (`redis-chaos-<runId>`) and of the kind cluster name.
 */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase();
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** The environment variable that marks every process a run starts; the sweeper looks for it. */
export const RUN_MARKER_ENV = 'REDIS_CHAOS_RUN';
