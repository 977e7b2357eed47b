// events.txt: one time format, in time order, whatever fields each event carries.
import { describe, expect, it } from 'vitest';
import { eventLines } from './artifacts.ts';

const event = (name: string, times: Record<string, unknown>, reason = 'Started') =>
  ({ involvedObject: { kind: 'Pod', name }, type: 'Normal', reason, message: `${reason} ${name}`, ...times }) as never;

describe('events.txt', () => {
  it('writes every event in ISO 8601 UTC, sorted by time, whether it has a lastTimestamp, an eventTime or only a creation time', () => {
    const text = eventLines([
      event('b', { lastTimestamp: new Date('2026-12-03T07:24:30Z') }),
      event('c', { eventTime: new Date('2026-12-03T07:24:10.250Z') }),
      event('a', { metadata: { creationTimestamp: new Date('2026-12-03T07:24:20Z') } }),
      event('d', { lastTimestamp: new Date('2026-12-03T07:24:05Z'), count: 3 }, 'BackOff'),
    ]);
    expect(text.trim().split('\n')).toEqual([
      '2026-12-03T07:24:05.000Z Pod/d Normal BackOff: BackOff d (×3)',
      '2026-12-03T07:24:10.250Z Pod/c Normal Started: Started c',
      '2026-12-03T07:24:20.000Z Pod/a Normal Started: Started a',
      '2026-12-03T07:24:30.000Z Pod/b Normal Started: Started b',
    ]);
  });
});
