import { identityRules } from './identity.ts';
import { memoryRules } from './memory.ts';
import { networkRules } from './network.ts';
import { persistenceRules } from './persistence.ts';
import { placementRules } from './placement.ts';
import { probeRules } from './probes.ts';
import type { Rule } from './types.ts';

/** Every rule, in the order docs/advise.md lists them. */
export const RULES: readonly Rule[] = [...identityRules, ...persistenceRules, ...probeRules, ...networkRules, ...placementRules, ...memoryRules];
