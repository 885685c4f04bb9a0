import { describe } from '@jest/globals';
import { missingPipewireBinaries, startPipewirePulse } from '@mpvisor/testkit';
import { audioOutputScenarios } from './audio-outputs.scenarios.js';

// The same scenarios against PipeWire 0.3 + pipewire-pulse + WirePlumber; skipped only where they are not installed.
const missing = missingPipewireBinaries();
if (missing.length > 0) console.log(`audio-outputs-pipewire: SKIPPED, not installed: ${missing.join(', ')}`);
(missing.length > 0 ? describe.skip : describe)('audio outputs that come and go (PipeWire)', () => {
  audioOutputScenarios('pipewire', (dir, sinks) => startPipewirePulse({ dir, sinks }));
});
