#!/usr/bin/env bash
# `npm test`: install what is missing, build, run unit then integration tests against real
# mpv, Mosquitto and PulseAudio, and end with one summary line. Integration suites run one at a time:
# each starts supervisors, workers and mpv, and two at once starve each other on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
jest=(node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js)
status=0
# Unit tests are pure logic: two Jest workers use both cores (Jest's default is cores - 1): ~20 -> ~11 s.
"${jest[@]}" --selectProjects unit --maxWorkers=2 --json --outputFile="$results/unit.json" "$@" || status=1
# --forceExit: a suite whose teardown failed may leave a child running; the results are written and the
# run ends instead of waiting for CI's timeout.
"${jest[@]}" --selectProjects integration --maxWorkers=1 --forceExit --json --outputFile="$results/integration.json" "$@" || status=1
node scripts/lib/jest-summary.mjs "$results/unit.json" "$results/integration.json"
exit $status
