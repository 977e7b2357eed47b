import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.ts';
import { classifyRedisError, clusterRetryDelayMs, NotSent } from './redis-client.ts';

describe('what a Redis error says about an INCR', () => {
  it.each([
    ['CLUSTERDOWN The cluster is down', 'CLUSTERDOWN', 'no'],
    ['Too many Cluster redirections. Last error: MOVED 866 127.0.0.2:6379', 'MOVED loop (MOVED)', 'no'],
    ['Too many Cluster redirections. Last error: Error: CLUSTERDOWN The cluster is down', 'MOVED loop (CLUSTERDOWN)', 'no'],
    ['Too many Cluster redirections. Last error: Error: Connection is closed.', 'MOVED loop (connection closed)', 'maybe'],
    ['connect ECONNREFUSED 127.0.0.1:6379', 'connection refused', 'no'],
    ["Cluster isn't ready and enableOfflineQueue options is false", 'cluster client not ready', 'no'],
    ['READONLY You can\'t write against a read only replica.', 'READONLY', 'no'],
    ['MISCONF Errors writing to the AOF file: No space left on device', 'MISCONF Errors writing to the AOF file: No space left on device', 'no'],
    ['Command timed out', 'timeout', 'maybe'],
    ['request timeout after 800 ms', 'timeout', 'maybe'],
    ['Connection is closed.', 'connection closed', 'maybe'],
    ['something new', 'something new', 'maybe'],
  ])('%s → %s (%s)', (message, reason, applied) => {
    expect(classifyRedisError(new Error(message))).toEqual({ reason, applied });
  });

  it('a request refused before sending is certainly not applied', () => {
    expect(classifyRedisError(new NotSent('connection to 127.0.0.1:6379 not ready (connecting)'))).toEqual({ reason: 'not connected', applied: 'no' });
  });
});

describe('the retry of the cluster connection', () => {
  it('every 100 ms for 2 s (a new cluster is refused until cluster_state:ok), then backing off to once a second, never giving up', () => {
    const delays = Array.from({ length: 40 }, (_, i) => clusterRetryDelayMs(i + 1));
    expect(delays.slice(0, 20)).toEqual(Array(20).fill(100));
    expect(delays.slice(20, 23)).toEqual([200, 300, 400]);
    expect(delays.slice(30)).toEqual(Array(10).fill(1000));
    expect(clusterRetryDelayMs(1e6)).toBe(1000);
  });
});

describe('the app configuration', () => {
  it('defaults to the Service name and the seed port', () => {
    expect(configFromEnv({})).toMatchObject({ redisNodes: [{ host: 'redis-cluster', port: 6379 }], port: 5000, counterKey: 'hits', waitReplicas: null });
  });

  it('reads seeds, WAIT settings and rejects nonsense', () => {
    expect(configFromEnv({ REDIS_NODES: '10.0.0.1:7000, b:7001', WAIT_REPLICAS: '1', WAIT_TIMEOUT_MS: '50' })).toMatchObject({
      redisNodes: [{ host: '10.0.0.1', port: 7000 }, { host: 'b', port: 7001 }], waitReplicas: 1, waitTimeoutMs: 50,
    });
    expect(() => configFromEnv({ PORT: 'eighty' })).toThrow('PORT=eighty is not a non-negative integer');
  });
});
