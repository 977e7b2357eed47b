import { checker } from './types.ts';

/**
 * The harness's own sight: the load and the topology sampler must run until the verdict. Each has
 * a hard bound (operations, time) so that nothing runs forever; one reached before the verdict
 * means part of the scenario ran unloaded or unsampled, which no other check can see. That is
 * `unknown` (the harness could not observe), never a pass and never the system's failure.
 */
export const observationChecker = checker(({ observation }) => {
  const stopped = observation?.stoppedEarly ?? [];
  if (stopped.length) return { valid: 'unknown', message: `${stopped.join('; ')} before the verdict: part of the scenario went unobserved`, details: { stoppedEarly: stopped } };
  return { valid: true, message: 'the load and the topology sampler ran until the verdict', details: { stoppedEarly: [] } };
});
