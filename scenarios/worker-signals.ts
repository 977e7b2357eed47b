// Runs in each scenario worker. A terminal's Ctrl-C signals the whole process group, vitest's
// workers too, and a worker's default is to die at once, losing the scenario's record. The
// process that owns the run handles the signal instead and cancels the run through vitest,
// which aborts the test's signal; the worker must live until its scenario has recorded what it has.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
