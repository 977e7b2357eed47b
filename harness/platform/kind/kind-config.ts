/**
 * The kind cluster for a run: one control plane and `workers` workers. No host port is mapped: the
 * harness reaches the app and Redis by port-forward, and a fixed host port would stop two clusters
 * from running at once (the gate runs both sides together).
 */
export function kindConfig(workers: number): string {
  return ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'nodes:', '- role: control-plane', ...Array.from({ length: workers }, () => '- role: worker'), ''].join('\n');
}
