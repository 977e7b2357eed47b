// The Kubernetes test project's node: brought up once for every file (or reused when one was
// started by hand with `npm run k8s-node -- up`, and then left up), and brought down at the end,
// on failure too, and on Ctrl-C. A down that leaves anything behind fails the run.
import type { TestProject } from 'vitest/node';
import { down, downAsync, leftovers, status, up, type NodeInfo } from './node.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    k8sNode: NodeInfo;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  const reused = status();
  const node = reused ?? up(process.pid);
  console.log(`k8s node ${node.id} (${node.node}, ${node.nodeIp})${reused ? ', started by hand: left up afterwards' : ''}; kubeconfig ${node.kubeconfig}`);
  project.provide('k8sNode', node);
  let done = false;
  const checkNothingLeft = () => {
    const left = leftovers(node.id);
    if (left.length) throw new Error(`k8s-node down left behind: ${left.join(', ')}`);
  };
  for (const s of ['SIGINT', 'SIGTERM'] as const) {
    process.once(s, () => {
      try {
        if (!done && !reused) {
          done = true;
          down(node.id);
          checkNothingLeft();
        }
      } finally {
        process.exit(s === 'SIGINT' ? 130 : 143);
      }
    });
  }
  return async () => {
    if (done || reused) return;
    done = true;
    await downAsync(node.id);
    checkNothingLeft();
  };
}
