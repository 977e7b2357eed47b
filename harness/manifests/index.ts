export { loadManifests, parseFile } from './load.ts';
export { resolveSystem, SEED_SHAPE } from './system.ts';
export type { ClusterShape, SystemUnderTest, RedisSide, AppSide } from './system.ts';
export type * from './types.ts';
export { parseRedisConf } from './redis-config.ts';
