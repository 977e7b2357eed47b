/** The labels on a run's namespace: made by redis-chaos, and by which run. */
export const LABELS = (runId: string) => ({ 'app.kubernetes.io/managed-by': 'redis-chaos', 'redis-chaos/run': runId });

/** A label selector (`k=v,k=v`) matching every one of `labels`, as the list calls take it. */
export const selector = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
