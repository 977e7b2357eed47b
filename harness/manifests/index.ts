export { loadManifests, parseFile } from './load.ts';
export { lineAt, pointer, type FieldPath } from './lines.ts';
export { loadSystem, requireApp, resolveSystem } from './system.ts';
export type { SystemChoices, SystemUnderTest, RedisSide, AppSide } from './system.ts';
export { MIN_MASTERS, REPLICAS_PER_MASTER_ANNOTATION, plural, podsOf, replicasText, SEED_SHAPE, shapeOf, shapeText, type ClusterShape } from './shape.ts';
export { selects, type NameChoices } from './discover.ts';
export type * from './types.ts';
export { overrideArgs, parseRedisConf, parseRedisOverride, runOverrides, withOverrides } from './redis-config.ts';
export type { RedisOverride } from './redis-config.ts';
