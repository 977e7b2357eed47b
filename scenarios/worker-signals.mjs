// Preloaded into each scenario worker (`--import`, vitest.config.ts), before vitest's own worker
// code loads. A terminal's Ctrl-C signals the whole process group, vitest's workers too, and a
// worker's default is to die at once, losing the scenario's record; a worker that dies while it is
// still starting also crashes vitest itself ("Worker exited unexpectedly", unhandled). The process
// that owns the run handles the signal instead and cancels the run through vitest, which aborts
// the test's signal: the worker must live until its scenario has recorded what it has. Plain
// JavaScript, since it runs before any TypeScript loader; as a setup file it ran only once the
// worker had booted, which on a busy machine left a window of a second or more.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => undefined);
