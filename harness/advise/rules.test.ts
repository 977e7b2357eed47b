// Each rule on manifests with its defect and on the same manifests without it. The variants are the
// hardened example (on which no rule fires) or the seed, with one edit each.
import { mkdtemp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../scenarios/expectations.ts';
import { advise, RULES, type Finding } from './index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BASES = { hardened: path.join(ROOT, 'examples/hardened'), seed: path.join(ROOT, 'manifests'), 'memory-limit': path.join(ROOT, 'examples/memory-limit') };
const STS = 'redis-cluster/statefulset.yaml';
const CM = 'redis-cluster/configmap.yaml';
const SVC = 'redis-cluster/service.yaml';

/** A copy of a base set with each file's edit applied (an edit must change something) and new files added. */
async function variant(base: keyof typeof BASES, edits: Record<string, (text: string) => string> = {}, added: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'advise-'));
  for (const entry of await readdir(BASES[base], { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const rel = path.relative(BASES[base], path.join(entry.parentPath, entry.name));
    const before = await readFile(path.join(entry.parentPath, entry.name), 'utf8');
    const after = edits[rel]?.(before) ?? before;
    if (edits[rel] && after === before) throw new Error(`the edit of ${rel} changed nothing`);
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), after);
  }
  for (const [rel, text] of Object.entries(added)) await writeFile(path.join(dir, rel), text);
  return dir;
}

const replace = (from: string | RegExp, to: string) => (text: string) => text.replace(from, to);
/** Adds lines to redis.conf, which ends both ConfigMaps. */
const conf = (...lines: string[]) => (text: string) => `${text.trimEnd()}\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
const replaceConf = (from: string, to: string) => replace(new RegExp(`^    ${from}$`, 'm'), `    ${to}`);

const fired = new Set<string>();
const quiet = new Set<string>();

/** The findings of one rule; every finding of every rule names a real scenario and a line that exists. */
async function findings(dir: string, rule: string): Promise<Finding[]> {
  const all = await advise(dir);
  for (const f of all) {
    expect(Object.keys(SCENARIOS)).toContain(f.scenario);
    const lines = (await readFile(path.resolve(f.file), 'utf8')).split('\n');
    expect(f.line).toBeGreaterThanOrEqual(1);
    expect(f.line).toBeLessThanOrEqual(lines.length);
  }
  const mine = all.filter((f) => f.rule === rule);
  (mine.length ? fired : quiet).add(rule);
  return mine;
}

/** The text of the line a finding points at. */
const lineOf = async (f: Finding) => (await readFile(path.resolve(f.file), 'utf8')).split('\n')[f.line - 1]!.trim();

async function firesOnce(dir: string, rule: string, scenario: string, line: RegExp, message: RegExp): Promise<Finding> {
  const found = await findings(dir, rule);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ rule, severity: 'risk', scenario });
  expect(found[0]!.message).toMatch(message);
  expect(await lineOf(found[0]!)).toMatch(line);
  return found[0]!;
}

const NO_ANNOUNCE_NO_REWRITE = {
  [STS]: (t: string) => replace('["/conf/start.sh", "redis-server", "/conf/redis.conf"]', '["redis-server", "/conf/redis.conf"]')(t).replace(/^ *args: \[.*\n/m, ''),
};

describe('node identity', () => {
  it('node-identity: no rewrite of nodes.conf and no cluster-announce-*', async () => {
    await firesOnce(await variant('hardened', NO_ANNOUNCE_NO_REWRITE), 'node-identity', 'full-restart', /^command: \["redis-server"/, /the container runs redis-server directly.*no cluster-announce-ip\/-hostname/);
    // A start script that does not touch nodes.conf counts as no rewrite.
    const other = await variant('hardened', { [STS]: (t) => NO_ANNOUNCE_NO_REWRITE[STS](t).replace('["redis-server", "/conf/redis.conf"]', '["/conf/alive.sh", "redis-server", "/conf/redis.conf"]') });
    expect((await findings(other, 'node-identity'))[0]!.message).toMatch(/alive\.sh does not touch nodes\.conf/);
    expect(await findings(BASES.hardened, 'node-identity')).toEqual([]);
    // Announcing a stable name is the team's stated answer; whether it suffices is for full-restart to show.
    expect(await findings(await variant('hardened', { [STS]: replace('["/conf/start.sh", "redis-server"', '["redis-server"') }), 'node-identity')).toEqual([]);
    // The seed rewrites nodes.conf (only its myself line: myself-only-rewrite's finding, not this one).
    expect(await findings(BASES.seed, 'node-identity')).toEqual([]);
  });

  it('myself-only-rewrite: the seed\'s update-node.sh, not the hardened start.sh', async () => {
    const f = await firesOnce(BASES.seed, 'myself-only-rewrite', 'full-restart', /^sed -i -e "\/myself\//, /update-node\.sh rewrites only the myself line of \/data\/nodes\.conf/);
    expect(f).toMatchObject({ file: path.relative(process.cwd(), path.join(BASES.seed, CM)), line: 16 });
    expect(await findings(BASES.hardened, 'myself-only-rewrite')).toEqual([]);
  });
});

describe('persistence', () => {
  it('nodes-conf-volume: nodes.conf in the container\'s filesystem or an emptyDir', async () => {
    await firesOnce(await variant('hardened', { [CM]: replaceConf('cluster-config-file /data/nodes.conf', 'cluster-config-file /tmp/nodes.conf') }),
      'nodes-conf-volume', 'delete-pod-0', /^cluster-config-file \/tmp\/nodes\.conf$/, /\/tmp\/nodes\.conf \(nodes\.conf\) is in the container's own filesystem/);
    const scratch = await variant('hardened', {
      [CM]: replaceConf('cluster-config-file /data/nodes.conf', 'cluster-config-file /scratch/nodes.conf'),
      [STS]: (t) => t.replace('      - name: conf\n        configMap:', '      - name: scratch\n        emptyDir: {}\n      - name: conf\n        configMap:')
        .replace('        - name: data\n          mountPath: /data', '        - name: scratch\n          mountPath: /scratch\n        - name: data\n          mountPath: /data'),
    });
    expect((await findings(scratch, 'nodes-conf-volume'))[0]!.message).toMatch(/is on emptyDir volume "scratch" at \/scratch/);
    expect(await findings(BASES.hardened, 'nodes-conf-volume')).toEqual([]);
    // Relative to dir, which is the official image's /data when unset: on the claim.
    expect(await findings(await variant('hardened', { [CM]: replaceConf('cluster-config-file /data/nodes.conf', 'cluster-config-file nodes.conf') }), 'nodes-conf-volume')).toEqual([]);
  });

  it('aof-volume: dir off the claim', async () => {
    await firesOnce(await variant('hardened', { [CM]: conf('dir /tmp') }), 'aof-volume', 'delete-pod-0', /^dir \/tmp$/, /the AOF \(dir \/tmp\) is in the container's own filesystem/);
    expect(await findings(BASES.hardened, 'aof-volume')).toEqual([]);
    expect(await findings(await variant('hardened', { [CM]: conf('dir /data/redis') }), 'aof-volume')).toEqual([]);
  });

  it('persistence: no AOF and no snapshots, or snapshots only', async () => {
    await firesOnce(await variant('hardened', { [CM]: (t) => conf('save ""')(replaceConf('appendonly yes', 'appendonly no')(t)) }),
      'persistence', 'crash-master', /^appendonly no$/, /^no persistence at all/);
    await firesOnce(await variant('hardened', { [CM]: replaceConf('appendonly yes', 'appendonly no') }),
      'persistence', 'crash-master', /^appendonly no$/, /only RDB snapshots \(save 3600 1 300 100 60 10000, Redis' default\)/);
    expect(await findings(BASES.hardened, 'persistence')).toEqual([]);
  });

  it('volume-headroom: a claim smaller than an AOF rewrite of what maxmemory or the memory limit allows', async () => {
    await firesOnce(await variant('hardened', { [CM]: conf('maxmemory 512mb') }), 'volume-headroom', 'disk-full-master', /^storage: 1Gi$/,
      /requests\.storage 1Gi for up to 512Mi of data \(maxmemory 512mb\): .* about 1\.5Gi at the peak/);
    await firesOnce(await variant('memory-limit', { [STS]: replace('storage: 1Gi', 'storage: 128Mi') }), 'volume-headroom', 'disk-full-master', /^storage: 128Mi$/,
      /for up to 64Mi of data \(limits\.memory 64Mi\)/);
    expect(await findings(await variant('hardened', { [CM]: conf('maxmemory 256mb') }), 'volume-headroom')).toEqual([]);
    expect(await findings(BASES['memory-limit'], 'volume-headroom')).toEqual([]);
    // No bound on the data: its size cannot be told from the manifests.
    expect(await findings(await variant('hardened', { [STS]: replace('storage: 1Gi', 'storage: 1Mi') }), 'volume-headroom')).toEqual([]);
  });
});

describe('probes', () => {
  it('readiness-probe: none, or one that ignores cluster_state', async () => {
    await firesOnce(BASES.seed, 'readiness-probe', 'rolling-restart', /^- name: redis$/, /container "redis" has no readiness probe/);
    await firesOnce(await variant('hardened', { [STS]: replace('exec:\n            command: ["/conf/ready.sh"]', 'tcpSocket:\n            port: 6379') }),
      'readiness-probe', 'rolling-restart', /^readinessProbe:$/, /the readiness probe \(tcpSocket 6379\) ignores cluster_state/);
    expect(await findings(BASES.hardened, 'readiness-probe')).toEqual([]);
  });

  it('ordered-ready: OrderedReady with a probe that waits for the cluster', async () => {
    await firesOnce(await variant('hardened', { [STS]: replace('  podManagementPolicy: Parallel\n', '') }), 'ordered-ready', 'full-restart', /^spec:$/, /pod 0 cannot be Ready before its peers are back/);
    expect(await findings(BASES.hardened, 'ordered-ready')).toEqual([]);
    expect(await findings(BASES.seed, 'ordered-ready')).toEqual([]);
  });

  it('liveness-probe: PING without LOADING, cluster_state, a replica\'s link', async () => {
    const alive = (command: string) => variant('hardened', { [STS]: replace('command: ["/conf/alive.sh"]', `command: ${command}`) });
    await firesOnce(await alive('["redis-cli", "ping"]'), 'liveness-probe', 'crash-master', /^command: \["redis-cli", "ping"\]$/, /PINGs Redis and takes -LOADING for a failure: .* after 19 s \(initialDelaySeconds 10 \+ periodSeconds 3 × failureThreshold 3\)/);
    await firesOnce(await alive('["sh", "-c", "redis-cli cluster info | grep -q cluster_state:ok"]'), 'liveness-probe', 'full-restart', /cluster_state:ok/, /fails while cluster_state is not ok/);
    await firesOnce(await variant('hardened', { [CM]: replace("echo \"$repl\" | grep -q '^master_link_status:up' && exit 0", "echo \"$repl\" | grep -q '^master_link_status:up' || exit 1") }),
      'liveness-probe', 'rolling-restart', /master_link_status:up' \|\| exit 1/, /fails while a replica's link is down or syncing/);
    expect(await findings(BASES.hardened, 'liveness-probe')).toEqual([]);
    // Bitnami's liveness lets LOADING through; a tcpSocket probe is answered while Redis loads.
    expect(await findings(await alive('["sh", "-c", "r=$(redis-cli ping); [ \\"$r\\" = PONG ] || [ \\"${r%% *}\\" = LOADING ]"]'), 'liveness-probe')).toEqual([]);
    expect(await findings(await variant('hardened', { [STS]: replace('exec:\n            command: ["/conf/alive.sh"]', 'tcpSocket:\n            port: 6379') }), 'liveness-probe')).toEqual([]);
  });

  it('liveness-timeout: an exec liveness probe of 3 s or less, a note', async () => {
    const found = await findings(await variant('hardened', { [STS]: replace('timeoutSeconds: 10\n          failureThreshold: 3', 'timeoutSeconds: 3\n          failureThreshold: 3') }), 'liveness-timeout');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'liveness-timeout', severity: 'note', scenario: 'full-restart' });
    expect(found[0]!.message).toMatch(/^the liveness probe \(.*alive\.sh.*\) runs a command with timeoutSeconds 3: .* after failureThreshold 3 such in a row the kubelet kills a healthy node$/);
    expect(await lineOf(found[0]!)).toBe('timeoutSeconds: 3');
    // Not written: the default, 1 s; the finding points at the probe.
    const unset = await findings(await variant('hardened', { [STS]: replace('          timeoutSeconds: 10\n', '') }), 'liveness-timeout');
    expect(unset.map((f) => f.message)).toEqual([expect.stringMatching(/timeoutSeconds 1:/)]);
    expect(await lineOf(unset[0]!)).toBe('livenessProbe:');
    expect(await findings(BASES.hardened, 'liveness-timeout')).toEqual([]);
    // A socket is answered by Redis itself: no command to outlast.
    expect(await findings(await variant('hardened', { [STS]: (t) => replace('timeoutSeconds: 10', 'timeoutSeconds: 1')(replace('exec:\n            command: ["/conf/alive.sh"]', 'tcpSocket:\n            port: 6379')(t)) }), 'liveness-timeout')).toEqual([]);
  });
});

describe('network', () => {
  const withoutBus = { [SVC]: replace('  - port: 16379\n    targetPort: 16379\n    name: gossip\n  selector:\n    app: redis-cluster\n---', '  selector:\n    app: redis-cluster\n---') };

  it('bus-port-service: a note while nodes announce their pod IP, a risk when they announce another address', async () => {
    const note = await findings(await variant('hardened', withoutBus), 'bus-port-service');
    expect(note).toHaveLength(1);
    expect(note[0]).toMatchObject({ severity: 'note', scenario: 'partition-master' });
    expect(note[0]!.message).toMatch(/Service "redis-cluster" has the client port 6379 but not the cluster bus port 16379: harmless while nodes reach each other by pod IP/);
    expect(await lineOf(note[0]!)).toBe('ports:');
    await firesOnce(await variant('hardened', { ...withoutBus, [STS]: replace('"--cluster-announce-ip", "$(POD_IP)"', '"--cluster-announce-ip", "10.96.0.20"') }),
      'bus-port-service', 'partition-master', /^ports:$/, /announce an address other than their pod IP \(cluster-announce-ip 10\.96\.0\.20\)/);
    expect(await findings(BASES.hardened, 'bus-port-service')).toEqual([]);
  });

  const policy = (ports: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: redis
spec:
  podSelector:
    matchLabels:
      app: redis-cluster
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: redis-cluster
    ports:
${ports}
`;

  it('network-policy: a policy in the folder that lets the client port through but not the bus', async () => {
    const dir = await variant('hardened', {}, { 'redis-cluster/netpol.yaml': policy('    - port: 6379') });
    await firesOnce(dir, 'network-policy', 'partition-master', /^ingress:$/, /NetworkPolicy "redis" selects the Redis pods for ingress, and no policy allows port 16379 \(the cluster bus\) in from the other Redis pods/);
    expect(await findings(await variant('hardened', {}, { 'redis-cluster/netpol.yaml': policy('    - port: 6379\n    - port: gossip') }), 'network-policy')).toEqual([]);
    expect(await findings(await variant('hardened', {}, { 'redis-cluster/netpol.yaml': policy('    - port: 6379\n      endPort: 16379') }), 'network-policy')).toEqual([]);
    // A policy for other pods leaves the Redis pods alone.
    expect(await findings(await variant('hardened', {}, { 'redis-cluster/netpol.yaml': policy('    - port: 6379').replace('      app: redis-cluster\n  policyTypes', '      app: myapp\n  policyTypes') }), 'network-policy')).toEqual([]);
    expect(await findings(BASES.hardened, 'network-policy')).toEqual([]);
  });

  it('network-policy: a deny-all policy cuts the bus and the client port; a malformed one is no ground for a finding', async () => {
    const denyAll = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n';
    const found = await findings(await variant('hardened', {}, { 'deny.yaml': denyAll }), 'network-policy');
    expect(found.map((f) => f.message.match(/port (\d+) \(([^)]+)\)/)!.slice(1))).toEqual([['16379', 'the cluster bus'], ['6379', 'the client port, which replication uses']]);
    const odd = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: odd}\nspec:\n  podSelector: {matchExpressions: [{key: app, operator: Near}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bare}\n';
    expect(await findings(await variant('hardened', {}, { 'odd.yaml': odd }), 'network-policy')).toEqual([]);
  });
});

describe('placement', () => {
  it('pod-disruption-budget: none, one that lets a shard go at once, one that lets nothing go', async () => {
    await firesOnce(BASES.seed, 'pod-disruption-budget', 'node-drain', /^kind: StatefulSet$/, /no PodDisruptionBudget selects the pods of StatefulSet "redis-cluster"/);
    const pdb = 'redis-cluster/pdb.yaml';
    await firesOnce(await variant('hardened', { [pdb]: replace('maxUnavailable: 1', 'maxUnavailable: 50%') }), 'pod-disruption-budget', 'node-drain', /^maxUnavailable: 50%$/, /lets 3 of the 6 pods go at once, a budget for the cluster rather than per shard/);
    await firesOnce(await variant('hardened', { [pdb]: replace('maxUnavailable: 1', 'minAvailable: 6') }), 'pod-disruption-budget', 'node-drain', /^minAvailable: 6$/, /allows no eviction of the 6 pods: a node drain never completes/);
    expect(await findings(BASES.hardened, 'pod-disruption-budget')).toEqual([]);
    expect(await findings(await variant('hardened', { [pdb]: replace('maxUnavailable: 1', 'minAvailable: 5') }), 'pod-disruption-budget')).toEqual([]);
  });

  it('anti-affinity: none, or a nodeSelector that pins every pod to one node', async () => {
    const noAffinity = (t: string) => t.replace(/ {6}affinity:\n[\s\S]*?(?= {6}containers:)/, '');
    await firesOnce(await variant('hardened', { [STS]: noAffinity }), 'anti-affinity', 'node-crash', /^spec:$/, /no pod anti-affinity or topology spread keeps the Redis pods of StatefulSet "redis-cluster" on different nodes/);
    await firesOnce(await variant('hardened', { [STS]: replace('      containers:\n', '      nodeSelector:\n        kubernetes.io/hostname: node-1\n      containers:\n') }),
      'anti-affinity', 'node-crash', /^kubernetes\.io\/hostname: node-1$/, /puts every Redis pod on one node/);
    expect(await findings(BASES.hardened, 'anti-affinity')).toEqual([]);
    const spread = (t: string) => noAffinity(t).replace('      containers:\n', '      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: kubernetes.io/hostname\n        whenUnsatisfiable: ScheduleAnyway\n        labelSelector:\n          matchLabels:\n            app: redis-cluster\n      containers:\n');
    expect(await findings(await variant('hardened', { [STS]: spread }), 'anti-affinity')).toEqual([]);
  });
});

describe('memory', () => {
  it('eviction-policy: maxmemory with allkeys-*', async () => {
    await firesOnce(await variant('hardened', { [CM]: conf('maxmemory 100mb', 'maxmemory-policy allkeys-lru') }), 'eviction-policy', 'memory-limit', /^maxmemory-policy allkeys-lru$/, /evicts any key, the data's own included/);
    expect(await findings(await variant('hardened', { [CM]: conf('maxmemory 100mb', 'maxmemory-policy volatile-lru') }), 'eviction-policy')).toEqual([]);
    expect(await findings(await variant('hardened', { [CM]: conf('maxmemory-policy allkeys-lru') }), 'eviction-policy')).toEqual([]);
    expect(await findings(BASES.hardened, 'eviction-policy')).toEqual([]);
  });

  it('fork-memory: a memory limit with no maxmemory, or maxmemory over half of it', async () => {
    await firesOnce(BASES['memory-limit'], 'fork-memory', 'memory-limit', /^memory: 64Mi$/, /limits\.memory 64Mi and no maxmemory/);
    await firesOnce(await variant('memory-limit', { [CM]: conf('maxmemory 48mb') }), 'fork-memory', 'memory-limit', /^memory: 64Mi$/, /maxmemory 48mb is over half of limits\.memory 64Mi/);
    expect(await findings(await variant('memory-limit', { [CM]: conf('maxmemory 32mb') }), 'fork-memory')).toEqual([]);
    expect(await findings(BASES.hardened, 'fork-memory')).toEqual([]);
  });
});

afterAll(() => {
  // Every rule was seen firing on a defect and staying quiet without it.
  const ids = RULES.map((r) => r.id);
  expect([...fired].sort()).toEqual([...ids].sort());
  expect([...quiet].sort()).toEqual([...ids].sort());
});
