// What Redis does when its memory runs out, and whether a fork fits under the container's limit.
import { unquote } from './subject.ts';
import type { Rule } from './types.ts';
import { approxBytes, finding, redisBytes } from './util.ts';

export const evictionPolicy: Rule = {
  id: 'eviction-policy',
  summary: 'a `maxmemory` with an `allkeys-*` eviction policy, which may evict the data\'s own keys',
  check: (s) => {
    const policy = s.config.get('maxmemory-policy');
    const maxmemory = s.config.get('maxmemory');
    const bytes = redisBytes(unquote(maxmemory?.value ?? '0'));
    if (!policy || !/^allkeys-/i.test(unquote(policy.value)) || !bytes) return [];
    return [finding('eviction-policy', 'risk', 'memory-limit', policy.at,
      `maxmemory-policy ${policy.value} with maxmemory ${maxmemory!.value}: once full, Redis evicts any key, the data's own included (the counter), and acknowledged writes vanish without an error`)];
  },
};

// A fork (AOF rewrite, RDB snapshot, a replica's full sync) shares the parent's pages until either
// writes to them; under writes the copy can approach the data set's size. Half the limit leaves
// room for that copy; more, or no maxmemory at all, lets the kernel OOM-kill redis-server, which
// is what examples/memory-limit shows with 44 MB of data under a 64Mi limit.
export const forkMemory: Rule = {
  id: 'fork-memory',
  summary: 'a container memory limit with no `maxmemory`, or one over half the limit: no room for a fork\'s copy-on-write',
  check: (s) => {
    const limit = s.redis.container.resources?.limits.memoryBytes;
    if (limit === undefined) return [];
    const maxmemory = s.config.get('maxmemory');
    const bytes = redisBytes(unquote(maxmemory?.value ?? '0')) ?? 0;
    if (bytes > 0 && bytes <= limit / 2) return [];
    const at = s.at(s.redis.statefulSet.source, [...s.containerPath, 'resources', 'limits', 'memory']);
    const what = bytes > 0 ? `maxmemory ${maxmemory!.value} is over half of limits.memory ${approxBytes(limit)}` : `limits.memory ${approxBytes(limit)} and no maxmemory: the data may grow to the limit`;
    return [finding('fork-memory', 'risk', 'memory-limit', at,
      `${what}, and a fork under writes (an AOF rewrite, a replica's full sync) copies the pages it changes: the kernel OOM-kills redis-server`)];
  },
};

export const memoryRules: Rule[] = [evictionPolicy, forkMemory];
