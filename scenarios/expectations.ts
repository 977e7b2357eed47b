// What each scenario does and promises, as data: the README's scenario table is generated from it
// (`npm run docs:scenarios`, checked by test/unit/scenario-table.test.ts), each scenario passes its
// entry to chaos.start(), and every promise names the checks that enforce it, each of which must be
// able to fail with the scenario's expectations. A clause nothing can fail goes under `reported`.
import type { ScenarioSpec } from '../harness/index.ts';

// `append` judges the list-append workload (--workload append|both) and passes when it is off.
const NO_LOSS = { says: 'no acknowledged write lost', checks: ['counter', 'append'] } as const;
// Every scenario runs these; the README says under its table what "whole" means.
const HEALTHY = { says: 'the cluster ends whole', checks: ['slot-coverage', 'config-consistent', 'peer-addresses', 'topology-restored'] } as const;
// What a user of the app sees, beside Redis's own view: a client stuck on old addresses fails it.
const SERVING = { says: 'the app serves every shard again within 10 s of the recovery', checks: ['serving-again'] } as const;

const specs = [
  {
    name: 'delete-pod-0',
    what: '`kubectl delete pod redis-cluster-0` under load',
    promises: [
      { says: 'the pod comes back under a new IP as the same node, or its replica takes over', checks: ['replica-promotion'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    expect: { promotion: 'either' },
  },
  {
    name: 'delete-pod-1',
    what: 'the same for `redis-cluster-1`',
    promises: [
      { says: 'the same node back, or its replica promoted', checks: ['replica-promotion'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    expect: { promotion: 'either' },
  },
  {
    name: 'delete-pods-0-and-1',
    what: "the walkthrough's exact sequence: pods 0 and 1 deleted at once, two of three masters gone together",
    promises: [
      { says: 'each shard served again, by the same node or its replica', checks: ['replica-promotion'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    reported: ['how long each shard went without an ok write (`availability`)'],
    expect: { promotion: 'either' },
  },
  {
    name: 'kill-master',
    what: "the counter's master is SIGKILLed and kept down until its replica is promoted, then restarted",
    promises: [
      { says: 'promotion within `2 × cluster-node-timeout + 5 s`; the old master rejoins as a replica of its successor', checks: ['replica-promotion'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    expect: { promotion: 'promoted' },
  },
  {
    name: 'crash-master',
    what: 'SIGKILL, and the restart policy brings it straight back, as the kubelet does',
    promises: [
      { says: 'either outcome: the same node back, or its replica promoted', checks: ['replica-promotion'] },
      HEALTHY, SERVING,
      { says: "no acknowledged write lost, but for what the master acknowledged in the 2.5 s before the SIGKILL took effect when its AOF is `appendfsync everysec` (Redis postpones writing its AOF buffer while a background fsync runs, up to 2 s, and replies meanwhile: Redis's documented AOF loss, counted and excused; under `always`, none)", checks: ['counter', 'append', 'minority-writes'] },
    ],
    expect: { promotion: 'either' },
  },
  {
    name: 'pause-master',
    what: "the counter's master SIGSTOPped for 2 × node timeout (and until a replica has won the election), then SIGCONT",
    promises: [
      { says: 'a replica is promoted within the deadline; the old master steps down to replica on waking', checks: ['replica-promotion'] },
      HEALTHY, SERVING,
      { says: "no acknowledged write lost, but for what the old master answers on waking, before it learns it was replaced: the writes queued on it during the pause (Redis Cluster's documented loss, counted and excused within 2 s of the wake)", checks: ['counter', 'append', 'minority-writes'] },
    ],
    expect: { promotion: 'promoted' },
  },
  {
    name: 'kill-master-and-first-replica',
    what: "on a shape with two or more replicas per master (`--replicas-per-master 2`): the counter's master and its first replica SIGKILLed together, held down until a remaining replica is promoted, then restarted",
    promises: [
      { says: 'a remaining replica promoted within `2 × cluster-node-timeout + 5 s`; the old master and the killed replica re-attach to it', checks: ['replica-promotion'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    expect: { promotion: 'promoted' },
  },
  {
    name: 'master-and-replica',
    what: "both nodes of the counter's shard killed, held down 2 × node timeout (its slots uncovered meanwhile), restarted",
    promises: [
      { says: 'the other shards keep serving, no gap over the node timeout (`cluster-require-full-coverage no`)', checks: ['other-shards-available'] },
      { says: "the shard's data comes back from its AOF: no acknowledged write lost", checks: ['counter', 'append'] },
      HEALTHY, SERVING,
    ],
    expect: { promotion: 'either', otherShards: 'serve' },
  },
  {
    name: 'rolling-restart',
    what: '`kubectl rollout restart statefulset` semantics: pods replaced one at a time from the highest ordinal, each waiting for Ready (Running, as the seed has no readiness probe)',
    promises: [
      { says: 'every shard keeps or regains a master', checks: ['replica-promotion'] },
      { says: 'every shard keeps its data', checks: ['counter', 'append'] },
      HEALTHY, SERVING,
    ],
    expect: { promotion: 'either' },
  },
  {
    name: 'full-restart',
    what: 'every pod deleted, all terminated before any is re-created in order, each on a fresh IP (a node-pool upgrade)',
    promises: [HEALTHY, SERVING, { says: 'every acknowledged write is still there', checks: ['counter', 'append'] }],
    expect: { promotion: 'either' },
  },
  {
    name: 'failover-loop',
    what: "Redis's `03-failover-loop.tcl` under load: 5 seeded rounds (`HARNESS_FAILOVER_ROUNDS`) of kill a random master, wait for its replica's promotion, restart it, wait for health",
    promises: [
      { says: 'every round promotes a replica of the killed master within its deadline, with a new epoch', checks: ['replica-promotion'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    expect: { promotion: 'promoted' },
  },
  {
    name: 'full-restart-ip-shuffle',
    what: "the full restart, each pod back on the next ordinal's previous IP (the local platform assigns them; Kubernetes refuses this fault, exit 2, as the CNI assigns IPs)",
    promises: [HEALTHY, SERVING, { says: 'every acknowledged write is still there', checks: ['counter', 'append'] }],
    expect: { promotion: 'either' },
  },
  {
    name: 'partition-master',
    what: "the counter's master cut off from every other Redis node (client and bus ports, both ways) but not from the app, for 2 × node timeout (and until the majority has promoted), then healed",
    promises: [
      { says: 'the majority promotes its replica within the deadline; after the heal the old master rejoins as a replica', checks: ['replica-promotion'] },
      { says: "the isolated master's last acknowledged write comes within 1.5 × node-timeout + 2 s of the cut (Redis pings a peer at most half a node-timeout after its last pong, and flags it node-timeout later); the writes lost in that window are Redis Cluster's documented loss, counted and excused; any other loss fails", checks: ['minority-writes', 'counter', 'append'] },
      HEALTHY, SERVING,
    ],
    expect: { promotion: 'promoted' },
  },
  {
    name: 'partition-replica',
    what: 'a replica cut off the same way for 2 × node timeout, then healed',
    promises: [
      { says: 'no failover: no watched slot changes master at any moment', checks: ['replica-promotion'] },
      { says: 'the replica resyncs (its link up at the end)', checks: ['topology-restored'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    expect: { promotion: 'none' },
  },
  {
    name: 'slow-network',
    what: "200 ± 50 ms on everything the counter's master sends to the other Redis nodes, for 3 × node timeout",
    promises: [
      { says: 'no failover (no false failure detection)', checks: ['replica-promotion'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    reported: ['the latency before and during the fault (`availability`)'],
    expect: { promotion: 'none' },
  },
  {
    name: 'node-crash',
    what: "the node holding the counter's master crashes under load: every pod on it stops at once, held down 2 × node timeout (and until a replica is promoted), then the node returns and its pods start on it again",
    promises: [
      { says: 'no shard has its master and replicas on one node (else `failure-domains` names the shard and the node)', checks: ['failure-domains'] },
      { says: 'each master on the node is replaced by its replica within the deadline', checks: ['replica-promotion'] },
      { says: 'the shards whose masters were elsewhere keep serving', checks: ['other-shards-available'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    expect: { promotion: 'promoted', failureDomains: 'required', otherShards: 'serve' },
  },
  {
    name: 'node-drain',
    what: 'every node drained in turn, as a node-pool upgrade does (cordon, evictions that honour the PodDisruptionBudgets, retried every 5 s while refused, uncordon), waiting for the cluster\'s health between nodes',
    promises: [
      { says: 'the drain completes', checks: ['drain'] },
      { says: 'no shard has its master and replicas on one node', checks: ['failure-domains'] },
      { says: 'no shard without an ok write for longer than a failover\'s deadline', checks: ['availability'] },
      { says: 'every shard keeps or regains a master', checks: ['replica-promotion'] },
      HEALTHY, SERVING, NO_LOSS,
    ],
    expect: { promotion: 'either', failureDomains: 'required', maxUnavailableMs: 'failover' },
  },
  {
    name: 'zone-outage',
    what: "every node of the counter's master's zone (3 nodes in 3 zones by default) cut off from the rest for 2 × node timeout, then healed",
    promises: [
      { says: 'no shard has its master and replicas in one zone', checks: ['failure-domains'] },
      { says: 'each master in the zone replaced by its replica outside it, within the deadline', checks: ['replica-promotion'] },
      { says: 'the shards whose masters were outside the zone keep serving', checks: ['other-shards-available'] },
      { says: "the minority's documented loss window counted and excused; any other loss fails", checks: ['minority-writes', 'counter', 'append'] },
      HEALTHY, SERVING,
    ],
    expect: { promotion: 'promoted', failureDomains: 'required', otherShards: 'serve' },
  },
  {
    name: 'disk-full-master',
    what: "the counter's master's volume (its PVC, an ext4 of the size it requests) filled to zero free bytes under load for 2 × node timeout, then freed; needs namespaces mode and loop devices",
    promises: [
      { says: 'the shard refuses writes (`MISCONF`) but loses none, and takes writes again within 5 s of the free', checks: ['disk-full', 'counter', 'append'] },
      { says: 'the shard ends with a master: the same one, or a promoted replica', checks: ['replica-promotion'] },
      HEALTHY, SERVING,
    ],
    reported: ['whether a failover happened: Redis does not fail over for a full disk ([redis#12012](https://github.com/redis/redis/issues/12012))'],
    expect: { promotion: 'either' },
  },
  {
    name: 'memory-limit',
    what: "the counter's master filled to half its container's `limits.memory`, then forked under writes (`BGREWRITEAOF` while the data is rewritten; a replica's full sync after its pod is deleted); run it with `--manifests examples/memory-limit` (elsewhere it runs without a limit)",
    promises: [
      { says: 'no OOM kill, or each one survived with no acknowledged write lost', checks: ['oom-kills', 'counter', 'append'] },
      HEALTHY, SERVING,
    ],
    reported: ['every OOM kill, with its pod and time (`oom-kills`)'],
    expect: {},
  },
  {
    name: 'random-schedule',
    what: 'a fault schedule: `--schedule FILE` (what `npm run explore` writes), or one drawn from `--seed` (kill, crash, pause, delete; up to three, overlapping)',
    promises: [
      { says: 'every shard faulted on its master served again, by the same node or by a replica promoted within the deadline (not counting time its replicas were down themselves, or back but not yet through their first sync)', checks: ['replica-promotion'] },
      { says: "no acknowledged write lost, but for Redis's documented loss windows, counted and excused: a partition's minority window, what a master paused past its failover answers on waking, a crashed master's last AOF seconds under `appendfsync everysec`, and what a master acknowledged while its replica was stalled (paused, held down, cut off) when that replica then took over", checks: ['counter', 'append', 'minority-writes'] },
      HEALTHY, SERVING,
    ],
    expect: { promotion: 'either' },
  },
] as const satisfies readonly ScenarioSpec[];

export type ScenarioName = (typeof specs)[number]['name'];

/** Every scenario's spec, in the README's order. */
export const SCENARIO_SPECS: readonly ScenarioSpec[] = specs;

/** Every scenario's spec, by name. */
export const SCENARIOS = Object.fromEntries(specs.map((s) => [s.name, s])) as unknown as Record<ScenarioName, ScenarioSpec>;
