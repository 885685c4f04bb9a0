#!/usr/bin/env node
import module from 'node:module';

// Where the runtime has it (Node >= 22.1), compiled code is kept on disk across starts;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Enabled before the CLI's modules load, so they are cached too.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

await main(process.argv.slice(2));
