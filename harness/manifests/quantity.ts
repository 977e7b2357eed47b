/**
 * Kubernetes resource quantities (`512Mi`, `1G`, `500m`, `0.5`, `1e3`), read exactly: BigInt
 * arithmetic, because `0.1 * 1000` in floating point is 100.00000000000001 and Kubernetes would
 * round it up to 101m. Memory is rounded up to whole bytes and CPU up to whole millicores, as the
 * API server does.
 */

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** A quantity Kubernetes would reject; the message is what is wrong, for a ManifestError. */
export class QuantityError extends Error {}

/** value = digits × 10^tens × 2^twos, exactly. */
interface Exact {
  digits: bigint;
  tens: number;
  twos: number;
}

function parse(raw: string | number): Exact {
  const text = typeof raw === 'number' ? String(raw) : raw.trim();
  // Kubernetes' grammar: a signed decimal, then a binary suffix, a decimal suffix or an exponent.
  const m = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]?)|[eE]([+-]?\d+))$/.exec(text);
  if (!m) throw new QuantityError(`"${text}" is not a quantity (e.g. 512Mi, 1G, 500m, 0.5)`);
  const [, sign, number, binary, decimal, exponent] = m;
  if (sign === '-') throw new QuantityError(`"${text}" is negative`);
  const [whole, fraction = ''] = number!.split('.');
  return {
    digits: BigInt(`${whole}${fraction}` || '0'),
    tens: -fraction.length + (exponent !== undefined ? Number(exponent) : DECIMAL[decimal ?? ''] ?? 0),
    twos: binary ? BINARY[binary]! : 0,
  };
}

/** Rounds `q × 10^extraTens` up to an integer. */
function ceilInteger(q: Exact, extraTens: number): number {
  const tens = q.tens + extraTens;
  let num = q.digits * 2n ** BigInt(q.twos);
  let den = 1n;
  if (tens >= 0) num *= 10n ** BigInt(tens);
  else den = 10n ** BigInt(-tens);
  const value = (num + den - 1n) / den;
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new QuantityError('is too large');
  return Number(value);
}

/** A memory quantity in bytes, rounded up (`0.5` is 1 byte, `1Mi` 1048576, `1M` 1000000). */
export function memoryBytes(raw: string | number): number {
  return ceilInteger(parse(raw), 0);
}

/** A CPU quantity in millicores, rounded up (`500m` and `0.5` are 500, `2` is 2000). */
export function cpuMillis(raw: string | number): number {
  return ceilInteger(parse(raw), 3);
}

/** Bytes as a person reads them in a report: `64Mi`, `1.5Gi`, `1000000`. */
export function formatBytes(bytes: number): string {
  for (const [suffix, shift] of [['Gi', 30], ['Mi', 20], ['Ki', 10]] as const) {
    const unit = 2 ** shift;
    if (bytes >= unit && (bytes * 10) % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}
