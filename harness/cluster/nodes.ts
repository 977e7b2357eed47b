import type { SlotRange } from './slots.ts';

/** One line of CLUSTER NODES: how one node sees one node (possibly itself). */
export interface NodeEntry {
  id: string;
  ip: string;
  port: number;
  busPort: number;
  flags: string[];
  myself: boolean;
  role: 'master' | 'replica';
  masterId: string | null;
  pingSent: number;
  pongRecv: number;
  configEpoch: number;
  linkState: 'connected' | 'disconnected';
  slots: SlotRange[];
  /** Slots in migration or import, kept verbatim (`[42->-id]`). */
  migrating: string[];
}

/** Parses CLUSTER NODES output (https://redis.io/commands/cluster-nodes/). */
export function parseClusterNodes(text: string): NodeEntry[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map(parseLine);
}

function parseLine(line: string): NodeEntry {
  const [id, address, flagText, master, pingSent, pongRecv, epoch, link, ...slotTokens] = line.split(' ');
  if (!id || !address || !flagText || !link) throw new Error(`unparseable CLUSTER NODES line: ${line}`);
  // ip:port@cport[,hostname]; ip is empty for a node with noaddr.
  const [hostPort = '', bus = ''] = address.split(',')[0]!.split('@');
  const colon = hostPort.lastIndexOf(':');
  const flags = flagText.split(',');
  const slots: SlotRange[] = [];
  const migrating: string[] = [];
  for (const token of slotTokens) {
    if (token.startsWith('[')) migrating.push(token);
    else {
      const [from, to = from] = token.split('-');
      slots.push([Number(from), Number(to)]);
    }
  }
  return {
    id,
    ip: hostPort.slice(0, colon),
    port: Number(hostPort.slice(colon + 1)),
    busPort: Number(bus),
    flags,
    myself: flags.includes('myself'),
    role: flags.includes('master') ? 'master' : 'replica',
    masterId: master && master !== '-' ? master : null,
    pingSent: Number(pingSent),
    pongRecv: Number(pongRecv),
    configEpoch: Number(epoch),
    linkState: link === 'connected' ? 'connected' : 'disconnected',
    slots,
    migrating,
  };
}

/** CONFIG GET's reply (name, value, name, value, ...) as a map; null when the reply is not a list. */
export function parseConfigReply(reply: unknown): Map<string, string> | null {
  if (!Array.isArray(reply)) return null;
  const config = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) config.set(String(reply[i]), String(reply[i + 1]));
  return config;
}

/** `key:value` lines of CLUSTER INFO or INFO <section>. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export const hasFlag = (entry: NodeEntry, flag: 'fail' | 'fail?' | 'noaddr' | 'handshake' | 'nofailover') => entry.flags.includes(flag);
