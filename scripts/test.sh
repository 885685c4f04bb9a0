#!/usr/bin/env bash
# `npm test`: install what is missing, build, run unit then integration tests against real
# mpv, Mosquitto and PulseAudio.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
jest=(node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js)
"${jest[@]}" --selectProjects unit "$@"
"${jest[@]}" --selectProjects integration --maxWorkers=2 "$@"
