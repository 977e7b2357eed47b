// How a node finds its peers again after they all move: nodes.conf holds every peer at its pod IP.
import path from 'node:path/posix';
import { codeLines } from './subject.ts';
import type { Rule, Subject } from './types.ts';
import { finding } from './util.ts';

// A script "resolves its peers" when it asks for their current addresses: DNS (getent, nslookup,
// dig) or the API (kubectl, curl, wget). The hardened start.sh does (getent hosts per peer name);
// the seed's update-node.sh does not, and fixes only the line marked `myself`.
const RESOLVES_PEERS = /\b(getent|nslookup|dig|kubectl|curl|wget)\b/;
// An edit of a file in place or by replacement: the seed's `sed -i`, the hardened `awk … > new; mv`.
const EDITS = /\bsed\s+(-\w+\s+)*-i|\bperl\s+-\w*i|\bmv\s|\btee\b|>/;

/** The start script's lines, when it edits nodes.conf (names it, and writes a file). */
function nodesConfRewrite(s: Subject): ReturnType<typeof codeLines> | undefined {
  if (!s.startScript) return undefined;
  const lines = codeLines(s.startScript);
  const text = lines.map((l) => l.text).join('\n');
  return text.includes(path.basename(s.nodesConf.file)) && EDITS.test(text) ? lines : undefined;
}

const announces = (s: Subject) => s.config.has('cluster-announce-ip') || s.config.has('cluster-announce-hostname');

export const nodeIdentity: Rule = {
  id: 'node-identity',
  summary: 'nodes.conf persists the peers\' pod IPs, with no rewrite of it before redis-server starts and no cluster-announce-*',
  check: (s) => {
    if (nodesConfRewrite(s) || announces(s)) return [];
    // Off the volume, nodes.conf is lost with the pod, and nodes-conf-volume says so instead.
    if (s.nodesConf.path !== undefined && !s.storageOf(s.nodesConf.path).persistent) return [];
    const how = s.startScript ? `${s.startScript.label} does not touch ${path.basename(s.nodesConf.file)}` : 'the container runs redis-server directly';
    return [finding('node-identity', 'risk', 'full-restart', s.at(s.redis.statefulSet.source, [...s.containerPath, 'command']),
      `node identity is tied to the pod IP: nodes.conf keeps every peer at the IP it had, ${how}, and no node announces a stable name (no cluster-announce-ip/-hostname); when every pod comes back on a new IP, no node can reach any peer and the cluster stays down`)];
  },
};

export const myselfOnlyRewrite: Rule = {
  id: 'myself-only-rewrite',
  summary: 'a start script that rewrites only the `myself` line of nodes.conf (the full-restart deadlock)',
  check: (s) => {
    const lines = nodesConfRewrite(s);
    if (!lines || RESOLVES_PEERS.test(lines.map((l) => l.text).join('\n'))) return [];
    const myself = lines.find((l) => /myself/.test(l.text));
    if (!myself) return [];
    return [finding('myself-only-rewrite', 'risk', 'full-restart', s.startScript!.lineAt(myself.index),
      `${s.startScript!.label} rewrites only the myself line of ${s.nodesConf.path ?? s.nodesConf.file} and never looks up where the peers are now: when every pod comes back on a new IP, each node knows its peers only at their old IPs and the cluster stays in cluster_state:fail for good`)];
  },
};

export const identityRules: Rule[] = [nodeIdentity, myselfOnlyRewrite];
