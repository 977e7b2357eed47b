import { appendChecker } from './append.ts';
import { availabilityChecker } from './availability.ts';
import { configConsistentChecker } from './config-consistent.ts';
import { counterChecker } from './counter.ts';
import { drainChecker } from './drain.ts';
import { diskFullChecker } from './disk-full.ts';
import { failureDomainsChecker } from './failure-domains.ts';
import { minorityWritesChecker } from './minority-writes.ts';
import { observationChecker } from './observation.ts';
import { otherShardsChecker } from './other-shards.ts';
import { oomKillsChecker } from './oom-kills.ts';
import { peerAddressesChecker } from './peer-addresses.ts';
import { replicaPromotionChecker } from './replica-promotion.ts';
import { servingAgainChecker } from './serving-again.ts';
import { slotCoverageChecker } from './slot-coverage.ts';
import { topologyRestoredChecker } from './topology-restored.ts';
import type { CheckResult, Checker, Expectations } from './types.ts';

/** The checks every seed scenario must pass, in report order. */
export const SEED_CHECKERS = {
  counter: counterChecker,
  append: appendChecker,
  'slot-coverage': slotCoverageChecker,
  'config-consistent': configConsistentChecker,
  'peer-addresses': peerAddressesChecker,
  'replica-promotion': replicaPromotionChecker,
  'topology-restored': topologyRestoredChecker,
  'serving-again': servingAgainChecker,
  availability: availabilityChecker,
  'other-shards-available': otherShardsChecker,
  'minority-writes': minorityWritesChecker,
  'oom-kills': oomKillsChecker,
  'disk-full': diskFullChecker,
  'failure-domains': failureDomainsChecker,
  drain: drainChecker,
  observation: observationChecker,
} satisfies Record<string, Checker>;

export type CheckName = keyof typeof SEED_CHECKERS;

/** What each check writes in its details, as its checker's verdicts say (checker() in types.ts). */
export type CheckDetails = { [N in CheckName]: ReturnType<(typeof SEED_CHECKERS)[N]>['details'] };

/**
 * A check's details, typed by its checker; `{}` when the check is not in the list (a scenario
 * recorded before it existed). Read back from checks.json they may be older than the checker,
 * which is why every field is optional.
 */
export function detailsOf<N extends CheckName>(checks: readonly CheckResult[], name: N): CheckDetails[N] {
  return (checks.find((c) => c.name === name)?.details ?? {}) as CheckDetails[N];
}

/**
 * Checks that fail only when the scenario's expectations ask them to; unset, they report. Every
 * other check can fail on any run, except `observation`, which is `unknown` at worst: it judges
 * the harness, so it can back no promise about the system.
 */
const ARMED_BY: Partial<Record<CheckName, (e: Expectations) => boolean>> = {
  availability: (e) => e.maxUnavailableMs !== undefined,
  'other-shards-available': (e) => e.otherShards === 'serve',
  'failure-domains': (e) => e.failureDomains === 'required',
  'replica-promotion': (e) => e.promotion !== undefined,
  observation: () => false,
};

/** Whether `check` can fail a run with these expectations: only such a check can back a stated expectation. */
export function canFail(check: CheckName, expect: Expectations): boolean {
  return ARMED_BY[check]?.(expect) ?? true;
}

export { minorityWritesChecker, MINORITY_MARGIN_MS, minorityWindowMs, AOF_POSTPONE_MS } from './minority-writes.ts';
export { oomKillsChecker } from './oom-kills.ts';
export type { MemoryEvidence, OomKill } from './types.ts';
export { appendChecker, availabilityChecker, configConsistentChecker, counterChecker, drainChecker, failureDomainsChecker, observationChecker, otherShardsChecker, peerAddressesChecker, replicaPromotionChecker, slotCoverageChecker, topologyRestoredChecker };
export { promotionDeadlineMs } from './replica-promotion.ts';
export { servingAgainChecker, SERVING_AGAIN_MS } from './serving-again.ts';
export { diskFullChecker, DISK_RECOVERY_MS, isDiskError } from './disk-full.ts';
export { percentile } from './availability.ts';
export { combine, faultEffectMs, faultEndMs, isEnding, runCheckers } from './types.ts';
export type { Checker, CheckResult, Expectations, FaultKind, FaultRecord, ListEvidence, Recorded, RunEvidence, Validity } from './types.ts';
export type { LostAppend, RolledBack } from './append.ts';
