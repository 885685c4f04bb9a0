import { describe } from '@jest/globals';
import { startPulse } from '@mpvisor/testkit';
import { audioOutputScenarios } from './audio-outputs.scenarios.js';

// Outputs that come and go on a private PulseAudio 16 (see audio-outputs.scenarios.ts).
describe('audio outputs that come and go (PulseAudio)', () => {
  audioOutputScenarios('pulseaudio', (dir, sinks) => startPulse({ dir, sinks }));
});
