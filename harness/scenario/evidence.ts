import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { RunEvidence } from '../checkers/index.ts';
import { errorMessage, HarnessError } from '../errors.ts';
import { EventPairer, type HistoryEvent } from '../workload/history.ts';
import { sampleFromLine, type SampleSummary, type SamplingSettings } from '../workload/sampler.ts';

export const EVIDENCE_FILE = 'evidence.json';
// As startLoad (start-load.ts) names them; both are written while the scenario runs, not at its verdict.
const HISTORY_FILE = 'history.jsonl';
const TOPOLOGY_FILE = 'topology.jsonl';
const VERSION = 1;

/**
 * evidence.json: what the checkers judged, but for the history and the samples, which are long and
 * already on disk (history.jsonl, topology.jsonl). With those it rebuilds the RunEvidence exactly,
 * so that `npm run check` can judge an old run with today's checkers.
 */
export interface RecordedEvidence extends Omit<RunEvidence, 'history' | 'samples'> {
  version: typeof VERSION;
  /** How each line of topology.jsonl was summarized into a sample. */
  sampling: SamplingSettings;
}

// Present in every evidence.json: a hand-edited one missing any is refused rather than judged.
const REQUIRED: (keyof RecordedEvidence)[] = ['baseline', 'finalRead', 'before', 'final', 'faults', 'recoveredAtMs', 'shape', 'nodeTimeoutMs', 'counterSlot', 'expect', 'sampling'];

export async function writeEvidence(dir: string, evidence: RunEvidence, sampling: SamplingSettings): Promise<void> {
  const { history: _history, samples: _samples, ...rest } = evidence;
  const recorded: RecordedEvidence = { version: VERSION, sampling, ...rest };
  await writeFile(path.join(dir, EVIDENCE_FILE), `${JSON.stringify(recorded, null, 2)}\n`);
}

/** A scenario folder's evidence, as its checkers saw it; null if it has no evidence.json. */
export async function readEvidence(dir: string): Promise<RunEvidence | null> {
  const file = path.join(dir, EVIDENCE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HarnessError(`${file}: cannot read it (${errorMessage(error)})`);
  }
  let recorded: RecordedEvidence;
  try {
    recorded = JSON.parse(text) as RecordedEvidence;
  } catch (error) {
    throw new HarnessError(`${file}: not JSON (${errorMessage(error)})`);
  }
  if (recorded.version !== VERSION) throw new HarnessError(`${file}: version ${String(recorded.version)}; this harness reads version ${VERSION}`);
  const missing = REQUIRED.filter((k) => !(k in recorded));
  if (missing.length) throw new HarnessError(`${file}: ${missing.join(', ')} missing`);
  const { version: _version, sampling, ...rest } = recorded;

  const history = new EventPairer();
  await eachLine(path.join(dir, HISTORY_FILE), (line) => history.add(JSON.parse(line) as HistoryEvent));
  const samples: SampleSummary[] = [];
  await eachLine(path.join(dir, TOPOLOGY_FILE), (line) => samples.push(sampleFromLine(line, sampling)));
  return { ...rest, history: history.table, samples };
}

/** Streamed: a long run's history is hundreds of megabytes, more than one string may hold. */
async function eachLine(file: string, use: (line: string) => void): Promise<void> {
  let n = 0;
  try {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      n++;
      if (line.trim()) use(line);
    }
  } catch (error) {
    throw new HarnessError(`${file}${n ? ` line ${n}` : ''}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : errorMessage(error)}`);
  }
}
