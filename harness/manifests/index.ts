export { loadManifests, parseFile } from './load.ts';
export { lineAt, pointer, type FieldPath } from './lines.ts';
export { resolveSystem, SEED_SHAPE } from './system.ts';
export type { ClusterShape, SystemUnderTest, RedisSide, AppSide } from './system.ts';
export type * from './types.ts';
export { overrideArgs, parseRedisConf, parseRedisOverride, runOverrides, withOverrides } from './redis-config.ts';
export type { RedisOverride } from './redis-config.ts';
