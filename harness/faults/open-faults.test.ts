// Which faults are still in place, for the undo of a scenario that ends early (scenario/undo.ts):
// each start paired with its ending as the checkers pair them (faultEndMs), on records alone.
import { describe, expect, it } from 'vitest';
import { fault } from '../testing/evidence.ts';
import type { FaultRecord } from '../checkers/index.ts';
import { FaultInjector } from './injector.ts';

function injector(records: Partial<FaultRecord>[]): FaultInjector {
  // No platform: these questions read the records only.
  const faults = new FaultInjector(null as never, { nowMs: () => 0 } as never, () => undefined);
  faults.records.push(...records.map((r) => fault(r)));
  return faults;
}

describe('open faults', () => {
  it('a pause is open until its resume, and open again when paused after it', () => {
    expect(injector([{ kind: 'pause', target: 'a', atMs: 100 }]).openPauses()).toEqual(['a']);
    expect(injector([{ kind: 'pause', target: 'a', atMs: 100 }, { kind: 'resume', target: 'a', atMs: 200 }]).openPauses()).toEqual([]);
    expect(injector([{ kind: 'pause', target: 'a', atMs: 100 }, { kind: 'resume', target: 'a', atMs: 200 }, { kind: 'pause', target: 'a', atMs: 300 }]).openPauses()).toEqual(['a']);
    // Another pod's resume ends nothing of this one's.
    expect(injector([{ kind: 'pause', target: 'a', atMs: 100 }, { kind: 'resume', target: 'b', atMs: 200 }]).openPauses()).toEqual(['a']);
  });

  it('every network fault is open until a heal, each pod once', () => {
    const cut = [{ kind: 'partition' as const, target: 'a', atMs: 100 }, { kind: 'delay' as const, target: 'a', atMs: 150 }, { kind: 'loss' as const, target: 'b', atMs: 160 }];
    expect(injector(cut).openNetworkFaults()).toEqual(['a', 'b']);
    expect(injector([...cut, { kind: 'heal', target: 'a', atMs: 200 }]).openNetworkFaults()).toEqual(['b']);
  });

  it('a filled volume until it is freed, a crashed node until it is restored', () => {
    expect(injector([{ kind: 'fill-disk', target: 'a', atMs: 100 }]).openDiskFills()).toEqual(['a']);
    expect(injector([{ kind: 'fill-disk', target: 'a', atMs: 100 }, { kind: 'free-disk', target: 'a', atMs: 200 }]).openDiskFills()).toEqual([]);
    expect(injector([{ kind: 'node-crash', target: 'a', atMs: 100 }, { kind: 'node-crash', target: 'b', atMs: 100 }, { kind: 'node-restore', target: 'b', atMs: 200 }]).openNodeCrashes())
      .toEqual([{ pod: 'a', node: '' }]);
  });

  it('a kill, a crash or a deletion leaves nothing to undo here (the platform knows held pods)', () => {
    const faults = injector([{ kind: 'kill', target: 'a' }, { kind: 'crash', target: 'b' }, { kind: 'delete-pod', target: 'c' }]);
    expect([faults.openPauses(), faults.openNetworkFaults(), faults.openDiskFills(), faults.openNodeCrashes()]).toEqual([[], [], [], []]);
  });
});
