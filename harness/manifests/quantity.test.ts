import { describe, expect, it } from 'vitest';
import { cpuMillis, formatBytes, memoryBytes, QuantityError } from './quantity.ts';

describe('Kubernetes quantities', () => {
  it('memory: binary and decimal suffixes, exponents, plain numbers, rounded up to bytes', () => {
    expect(memoryBytes('512Mi')).toBe(512 * 2 ** 20);
    expect(memoryBytes('1Gi')).toBe(2 ** 30);
    expect(memoryBytes('1G')).toBe(1e9);
    expect(memoryBytes('128974848')).toBe(128974848);
    expect(memoryBytes(128974848)).toBe(128974848);
    expect(memoryBytes('129e6')).toBe(129e6);
    expect(memoryBytes('123Mi')).toBe(128974848);
    expect(memoryBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(memoryBytes('0.5')).toBe(1);
    expect(memoryBytes('100m')).toBe(1); // a tenth of a byte, as the API server rounds it
  });

  it('cpu: millicores, exact for decimals that floating point gets wrong', () => {
    expect(cpuMillis('500m')).toBe(500);
    expect(cpuMillis('0.5')).toBe(500);
    expect(cpuMillis(0.5)).toBe(500);
    expect(cpuMillis('0.1')).toBe(100);
    expect(cpuMillis('2')).toBe(2000);
    expect(cpuMillis(2)).toBe(2000);
    expect(cpuMillis('1.0001')).toBe(1001);
    expect(cpuMillis('.25')).toBe(250);
  });

  it('rejects what Kubernetes rejects', () => {
    for (const bad of ['', 'abc', '512MB', '1.2.3', '-1Gi', '5 Mi', 'Mi', '1ki', '1e']) {
      expect(() => memoryBytes(bad), bad).toThrow(QuantityError);
    }
    expect(() => cpuMillis('-100m')).toThrow(/negative/);
  });

  it('formats bytes for a report', () => {
    expect(formatBytes(64 * 2 ** 20)).toBe('64Mi');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5Gi');
    expect(formatBytes(1e6)).toBe('1000000');
  });
});
