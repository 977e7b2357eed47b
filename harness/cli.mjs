// `npm run scenarios`' entry: vitest's own modules first, then tsx, then the harness's CLI
// (cli.ts). Under `node --import tsx`, every module the process loads takes a round trip to tsx's
// loader thread, and the CLI loads vitest while the run's platform starts beside it: vitest/node
// took 1.3 s of this process's main thread that way against 0.3 s before tsx is registered
// (measured), and each pod's start waited on that thread. vitest's workers are unaffected: they
// never had tsx (vitest passes them no loader flags) and load the scenarios through vite.
// Plain JavaScript, since it runs before any TypeScript loader.
await import('vitest/node');
await import('tsx');
await import('./cli.ts');
