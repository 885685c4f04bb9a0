#!/usr/bin/env node
// The zone worker program, started by the supervisor (its bootstrap arrives on stdin).
import module from 'node:module';

// Where the runtime has it (Node >= 22.1), compiled code is kept on disk across starts, for slower machines
// than the one measured (docs/benchmarks.md, Footprint); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
// Enabled before the worker's modules load, so they are cached too.
module.enableCompileCache?.();
await import('../dist/main.js');
