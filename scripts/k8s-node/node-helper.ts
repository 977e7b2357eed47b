// The k8s-node's two stand-ins for what a real cluster runs as add-ons, fed from the API:
//  - cluster DNS (CoreDNS is not in Debian): a hosts file for dnsmasq's --hostsdir, rewritten when
//    the Services or Endpoints change. It answers what CoreDNS's kubernetes plugin answers for A
//    records: <svc>.<ns>.svc.cluster.local (the ClusterIP, or a headless Service's endpoint IPs)
//    and <hostname>.<svc>.<ns>.svc.cluster.local for endpoints that name a hostname (StatefulSet
//    pods under a headless Service). It polls every 500 ms where CoreDNS watches; TTL 5 s, as CoreDNS.
//  - a default StorageClass "standard" whose volumes are folders of the node, provisioned for each
//    pending claim once the scheduler has picked its pod's node, and deleted once released, as
//    kind's local-path provisioner does (WaitForFirstConsumer, kind's own class's binding mode).
// Usage: node --import tsx node-helper.ts KUBECONFIG HOSTS_DIR VOLUMES_DIR NODE_NAME
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, StorageV1Api, type V1PersistentVolume } from '@kubernetes/client-node';

const args = process.argv.slice(2);
if (args.length !== 4 || args.some((a) => !a)) {
  console.error('usage: node-helper.ts KUBECONFIG HOSTS_DIR VOLUMES_DIR NODE_NAME');
  process.exit(2);
}
const [kubeconfig, hostsDir, volumesDir, nodeName] = args as [string, string, string, string];
const PROVISIONER = 'redis-chaos.dev/k8s-node';
const CLASS = 'standard';
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const storage = kc.makeApiClient(StorageV1Api);
const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

let lastHosts = '';
async function syncDns(): Promise<void> {
  const [services, endpoints] = await Promise.all([core.listServiceForAllNamespaces(), core.listEndpointsForAllNamespaces()]);
  const byName = new Map(endpoints.items.map((e) => [`${e.metadata?.namespace}/${e.metadata?.name}`, e]));
  const lines: string[] = [];
  for (const svc of services.items) {
    const ns = svc.metadata?.namespace;
    const name = svc.metadata?.name;
    if (!ns || !name) continue;
    const fqdn = `${name}.${ns}.svc.cluster.local`;
    if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') {
      lines.push(`${svc.spec.clusterIP} ${fqdn}`);
      continue;
    }
    const ep = byName.get(`${ns}/${name}`);
    for (const subset of ep?.subsets ?? []) {
      const addresses = [...(subset.addresses ?? []), ...(svc.spec?.publishNotReadyAddresses ? subset.notReadyAddresses ?? [] : [])];
      for (const a of addresses) {
        lines.push(`${a.ip} ${fqdn}`);
        if (a.hostname) lines.push(`${a.ip} ${a.hostname}.${fqdn}`);
      }
    }
  }
  const text = `${lines.sort().join('\n')}\n`;
  if (text === lastHosts) return;
  logDnsChange(lastHosts, text);
  // dnsmasq re-reads a --hostsdir file on inotify's close-write or move-in: write aside, then rename.
  const aside = path.join(path.dirname(hostsDir), 'cluster.hosts.tmp');
  writeFileSync(aside, text);
  renameSync(aside, path.join(hostsDir, 'cluster.hosts'));
  lastHosts = text;
}

/**
 * Each change to the records, in one line: a pod that waits for its peers' names (examples/hardened's
 * start.sh) waits on these, and a test that fails so prints this log's last lines (test/k8s/run.ts).
 */
function logDnsChange(before: string, after: string): void {
  const set = (text: string) => new Set(text.split('\n').filter(Boolean).map((l) => l.replace('.svc.cluster.local', '')));
  const [was, now] = [set(before), set(after)];
  const added = [...now].filter((l) => !was.has(l));
  const removed = [...was].filter((l) => !now.has(l));
  const list = (ls: string[]) => (ls.length > 8 ? `${ls.slice(0, 8).join(', ')} and ${ls.length - 8} more` : ls.join(', '));
  log(`dns: ${now.size} record${now.size === 1 ? '' : 's'}${added.length ? `; added ${list(added)}` : ''}${removed.length ? `; removed ${list(removed)}` : ''}`);
}

async function ensureStorageClass(): Promise<void> {
  await storage.createStorageClass({
    body: {
      metadata: { name: CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      // Not Immediate: a StatefulSet creates a pod beside its claim, the scheduler then finds the
      // claim unbound, fails the pod twice and backs off 2 s; 2.5 s of each pod's start, one pod
      // after another. Here the scheduler waits for the volume instead (it polls each second).
      provisioner: PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
    },
  }).catch((e: { code?: number }) => { if (e.code !== 409) throw e; });
}

async function syncVolumes(): Promise<void> {
  const [claims, volumes] = await Promise.all([core.listPersistentVolumeClaimForAllNamespaces(), core.listPersistentVolume()]);
  const ours = (pv: V1PersistentVolume) => pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] === PROVISIONER;
  const provisioned = new Set(volumes.items.filter(ours).map((pv) => pv.spec?.claimRef?.uid));
  for (const pvc of claims.items) {
    const uid = pvc.metadata?.uid;
    if (pvc.status?.phase !== 'Pending' || pvc.spec?.volumeName || pvc.spec?.storageClassName !== CLASS || !uid || provisioned.has(uid)) continue;
    // The scheduler names the node once it has placed a consumer; before that, no volume.
    if (!pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node']) continue;
    const ns = pvc.metadata!.namespace!;
    const name = pvc.metadata!.name!;
    const dir = path.join(volumesDir, `${ns}_${name}_${uid}`);
    mkdirSync(dir, { recursive: true });
    await core.createPersistentVolume({
      body: {
        metadata: { name: `pvc-${uid}`, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
        spec: {
          capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
          accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: CLASS,
          hostPath: { path: dir, type: 'Directory' },
          claimRef: { namespace: ns, name, uid },
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodeName] }] }] } },
        },
      },
    }).catch((e: { code?: number }) => { if (e.code !== 409) throw e; });
    log(`provisioned pvc-${uid} for ${ns}/${name} at ${dir}`);
  }
  for (const pv of volumes.items.filter(ours)) {
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') continue;
    const dir = pv.spec?.hostPath?.path;
    if (dir && path.dirname(dir) === path.resolve(volumesDir)) rmSync(dir, { recursive: true, force: true });
    await core.deletePersistentVolume({ name: pv.metadata!.name! }).catch((e: { code?: number }) => { if (e.code !== 404) throw e; });
    log(`deleted ${pv.metadata?.name} (released)`);
  }
}

let stopping = false;
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => { stopping = true; });
let classReady = false;
while (!stopping) {
  try {
    if (!classReady) {
      await ensureStorageClass();
      classReady = true;
    }
    await syncDns();
    await syncVolumes();
    await sleep(500);
  } catch (error) {
    log(`sync failed: ${error instanceof Error ? error.message : String(error)}`);
    await sleep(2000);
  }
}
