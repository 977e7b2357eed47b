import type { HarnessOptions } from './options.ts';

/**
 * WAIT's own timeout in the app, under --wait-replicas. Below the app's 800 ms request budget
 * (REQUEST_TIMEOUT_MS), which is below the harness clients' 1 s: a WAIT that times out is then still
 * answered as a write with fewer acks than asked (info, with the count), not cut off as a timeout,
 * and 300 ms remain for the write itself and its routing. Long enough for a replica's ack on a
 * loaded 2-core machine, where a healthy one takes well under 10 ms.
 */
export const WAIT_TIMEOUT_MS = 500;

/** What the run's flags set in the app's Deployment, over the manifests' own env. */
export function appEnvOf(options: Pick<HarnessOptions, 'waitReplicas'>): Record<string, string> {
  return options.waitReplicas ? { WAIT_REPLICAS: String(options.waitReplicas), WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS) } : {};
}
