#!/usr/bin/env bash
# `npm run test:node -- 22` (or 24): the unit tests and a representative integration subset under another
# Node major version (scripts/node-runtime.sh provides it). Jest runs under that binary, so every program
# the tests start (supervisor, workers through the supervisor's process.execPath, CLI) runs under it too.
# `--all` runs every integration suite instead of the subset. Build first (`npm test` or `npx tsc -b`).
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:?usage: scripts/test-node.sh 22|24 [--all]}
node_bin=$(bash scripts/node-runtime.sh "$major")
echo "test-node: $("$node_bin" -v) ($node_bin)"
# The subset covers what differs between runtimes: the node-ipc socket layer, a whole supervisor tree
# (MQTT commands, workers, mpv, spares) and the CLI against it.
subset=(packages/ipc/test/channel.int.test.ts supervisor/test/foundation.int.test.ts)
[ "${2:-}" = --all ] && subset=()
jest=("$node_bin" --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js)
status=0
"${jest[@]}" --selectProjects unit || status=1
"${jest[@]}" --selectProjects integration --maxWorkers=1 "${subset[@]}" || status=1
exit $status
