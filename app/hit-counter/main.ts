// Entry point of the hit-counter app (the container's command; on the local platform, the image's).
import { configFromEnv } from './config.ts';
import { logConnectTrouble, reconnectIfStuck } from './connect-trouble.ts';
import { createCluster } from './redis-client.ts';
import { createHitCounter } from './server.ts';

let config;
try {
  config = configFromEnv();
} catch (error) {
  console.error(`hit-counter: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const redis = createCluster(config);
redis.on('error', (error: Error) => console.error(`redis: ${error.message}`));
logConnectTrouble(redis, (line) => console.error(line));
reconnectIfStuck(redis, (line) => console.error(line));
const server = createHitCounter(config, redis);
// The start line says whether writes wait for replicas, so a run's app log shows what it was deployed with.
const waits = config.waitReplicas === null ? '' : `, WAIT ${config.waitReplicas} ${config.waitTimeoutMs} ms after each write`;
server.listen(config.port, config.host, () => console.log(`hit-counter listening on ${config.host}:${config.port}, redis ${process.env.REDIS_NODES ?? ''}${waits}`));

// Graceful shutdown: stop accepting, let in-flight requests finish (bounded), then close Redis.
process.once('SIGTERM', () => {
  console.log('SIGTERM: draining');
  const force = setTimeout(() => process.exit(0), 5000);
  force.unref();
  server.close(() => {
    // QUIT waits for a reply, which a client still connecting would never get.
    if (redis.status === 'ready') void redis.quit().catch(() => undefined).finally(() => process.exit(0));
    else {
      redis.disconnect();
      process.exit(0);
    }
  });
  server.closeIdleConnections();
});
