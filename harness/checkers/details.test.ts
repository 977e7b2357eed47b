// A check's details are typed by what its checker writes (checker() in types.ts, detailsOf in
// index.ts). The type assertions here are checked by tsc (test/unit/typecheck.test.ts), the
// values by vitest.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { detailsOf, type CheckResult } from './index.ts';

const checks: CheckResult[] = [
  { name: 'counter', valid: true, message: '', details: { acknowledged: 3, lostAcknowledged: 0 } },
  { name: 'replica-promotion', valid: true, message: '', details: { applicable: true, failoverMs: 4500 } },
];

describe('detailsOf', () => {
  it('reads the named check\'s details, typed by its checker', () => {
    const counter = detailsOf(checks, 'counter');
    expect(counter.acknowledged).toBe(3);
    expectTypeOf(counter.lostAcknowledged).toEqualTypeOf<number | null | undefined>();
    expect(detailsOf(checks, 'replica-promotion').failoverMs).toBe(4500);
    expectTypeOf(detailsOf(checks, 'replica-promotion').failoverMs).toEqualTypeOf<number | null | undefined>();
  });

  it('gives {} for a check the list does not have (a run recorded before it existed)', () => {
    expect(detailsOf(checks, 'append')).toEqual({});
    expect(detailsOf([], 'availability').maxUnavailableMs).toBeUndefined();
  });

  it('refuses, at compile time, a field the checker never writes or a check that does not exist', () => {
    // @ts-expect-error the counter writes no failoverMs (replica-promotion does)
    expect(detailsOf(checks, 'counter').failoverMs).toBeUndefined();
    // @ts-expect-error no check is named 'counters'
    expect(detailsOf(checks, 'counters')).toEqual({});
  });
});
