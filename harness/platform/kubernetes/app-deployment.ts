import type { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PortForward, V1Deployment } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import { requireApp, type SystemUnderTest } from '../../manifests/index.ts';
import type { Teardown } from '../../util/lifecycle.ts';
import type { AppEndpoint } from '../types.ts';
import { applyDocuments } from './apply.ts';
import { documentsFor } from './documents.ts';
import { selector } from './labels.ts';
import { isReady } from './pod-status.ts';
import { forwardPort } from './streams.ts';
import { diagnosePods, watchUntil } from './waits.ts';

export interface AppDeploymentDeps {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  objects: KubernetesObjectApi;
  pf: PortForward;
  namespace: string;
  system: SystemUnderTest;
  /** The run's teardown: the app's port-forward is closed with the run. */
  teardown: Teardown;
  /** A pod's log, as the platform's logs() reads it. */
  logs(name: string, options: { tailLines?: number }): Promise<string>;
}

/** The manifests' app Deployment in the run's namespace, reached through a port-forward to a ready pod. */
export class KubernetesApp {
  private appUrl: string | null = null;

  constructor(private readonly deps: AppDeploymentDeps) {}

  async deploy({ signal, timeoutMs = 180_000 }: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AppEndpoint> {
    if (this.appUrl) return { url: this.appUrl };
    const { core, apps, namespace, system } = this.deps;
    const app = requireApp(system);
    await applyDocuments(this.deps.objects, documentsFor(system, 'app'), namespace);
    const d = app.deployment;
    await watchUntil<V1Deployment>(this.deps.kc, `Deployment ${d.name} rolled out`,
      async () => {
        const dep = await apps.readNamespacedDeployment({ name: d.name, namespace });
        return { items: [dep], resourceVersion: dep.metadata?.resourceVersion };
      },
      `/apis/apps/v1/namespaces/${namespace}/deployments`, { fieldSelector: `metadata.name=${d.name}` },
      ([dep]) => !!dep && dep.status?.availableReplicas === d.replicas && dep.status?.updatedReplicas === d.replicas,
      { timeoutMs, ...(signal ? { signal } : {}) },
    ).catch(async (error: unknown) => {
      throw new HarnessError(`${error instanceof Error ? error.message : String(error)}: ${await diagnosePods(core, namespace, selector(d.template.labels))}`);
    });
    // Through the API server, like `kubectl port-forward svc/hit-counter-lb`: a ready pod per connection.
    const forward = await forwardPort(this.deps.pf, namespace, () => this.readyPod(selector(d.template.labels)), app.port);
    this.deps.teardown.defer('app port-forward', () => forward.close());
    this.appUrl = `http://127.0.0.1:${forward.port}`;
    return { url: this.appUrl };
  }

  async logs({ tailLines }: { tailLines?: number } = {}): Promise<string> {
    const app = this.deps.system.app;
    if (!app) return '';
    return this.deps.logs(await this.readyPod(selector(app.deployment.template.labels)), { ...(tailLines ? { tailLines } : {}) });
  }

  private async readyPod(labelSelector: string): Promise<string> {
    const pods = (await this.deps.core.listNamespacedPod({ namespace: this.deps.namespace, labelSelector })).items.filter(isReady);
    const name = pods[Math.floor(Math.random() * pods.length)]?.metadata?.name;
    if (!name) throw new HarnessError(`no ready pod matches ${labelSelector}`);
    return name;
  }
}
