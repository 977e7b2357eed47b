import { describe, expect, it } from 'vitest';
import { isWorkerDeath, runnerFailure } from './runner-errors.ts';

// The shapes are vitest 4.1's, as the CLI received them with a scenario's worker SIGKILLed mid-run.
const poolError = Object.assign(new Error('[vitest-pool]: Worker forks emitted error.'), { cause: new Error('Worker exited unexpectedly') });

describe('runnerFailure', () => {
  it('nothing when vitest reported no error of its own', () => {
    expect(runnerFailure([], [{ moduleId: '/repo/scenarios/kill-master.test.ts', state: 'pending' }])).toBeNull();
  });

  it('a dead worker: the run fails with the cause, and the scenarios vitest never finished are named as lost', () => {
    const failure = runnerFailure([poolError], [
      { moduleId: '/repo/scenarios/delete-pod-0.test.ts', state: 'passed' },
      { moduleId: '/repo/scenarios/kill-master.test.ts', state: 'pending' },
      { moduleId: '/repo/scenarios/crash-master.test.ts', state: 'failed' },
    ]);
    expect(failure!.reason).toBe('a scenario worker died: vitest: [vitest-pool]: Worker forks emitted error: Worker exited unexpectedly');
    expect([...failure!.lost.keys()]).toEqual(['kill-master']);
    expect(failure!.lost.get('kill-master')).toMatch(/^its vitest worker process died \(Worker exited unexpectedly/);
  });

  it('any other error vitest caught outside the tests fails the run too, each named once, and loses no scenario', () => {
    const failure = runnerFailure([new Error('boom.'), new Error('boom'), Object.assign(new Error('odd'), { cause: 'a string' }), 'thrown text'], [{ moduleId: '/repo/scenarios/kill-master.test.ts', state: 'passed' }]);
    expect(failure!.reason).toBe('vitest: boom | odd: a string | thrown text');
    expect(failure!.lost.size).toBe(0);
  });

  it('the death thrown at no listener (a worker killed while it started) is told apart from a harness bug, and maps the same', () => {
    // vitest 4.1.12's ChildProcess.emitUnexpectedExit, as it reached the CLI's uncaughtException.
    const thrown = new Error('Worker exited unexpectedly');
    expect(isWorkerDeath(thrown)).toBe(true);
    expect(isWorkerDeath(poolError)).toBe(true);
    expect(isWorkerDeath(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isWorkerDeath('Worker exited unexpectedly')).toBe(true);
    const failure = runnerFailure([thrown], [{ moduleId: '/repo/scenarios/kill-master.test.ts', state: 'queued' }]);
    expect(failure!.reason).toBe('a scenario worker died: vitest: Worker exited unexpectedly');
    expect([...failure!.lost.keys()]).toEqual(['kill-master']);
  });
});
