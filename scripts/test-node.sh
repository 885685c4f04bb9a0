#!/usr/bin/env bash
# `npm run test:node -- 22` (or 24): the unit tests and a representative integration subset under another
# Node major version (scripts/node-runtime.sh provides it), ending with one summary line like `npm test`.
# Jest runs under that binary, so every program the tests start (supervisor, CLI, and the workers, which
# the supervisor starts with its own process.execPath) runs under it too. `--all` runs every integration
# suite instead of the subset; `--unit` only the unit tests, `--integration` only the integration subset
# (what CI runs on Node 22 and 24). Build first (`npx tsc -b`, or `npm test` once).
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:?usage: scripts/test-node.sh 22|24 [--all|--unit|--integration]}
node_bin=$(bash scripts/node-runtime.sh "$major")
echo "test-node: $("$node_bin" -v) ($node_bin)"
# What differs between runtimes: the node-ipc socket layer, and a whole supervisor tree (MQTT commands,
# workers, mpv, the CLI's status, death flowing downward) on a real Mosquitto.
subset=(packages/ipc/test/channel.int.test.ts supervisor/test/foundation.int.test.ts)
part=${2:-}
case "$part" in
  '' | --unit | --integration) ;;
  --all) subset=() ;;
  *) echo "usage: scripts/test-node.sh 22|24 [--all|--unit|--integration]" >&2; exit 2 ;;
esac
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
jest=("$node_bin" --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js)
status=0
reports=()
if [ "$part" != --integration ]; then
  reports+=("$results/unit.json")
  "${jest[@]}" --selectProjects unit --maxWorkers=2 --json --outputFile="$results/unit.json" || status=1
fi
if [ "$part" != --unit ]; then
  reports+=("$results/integration.json")
  "${jest[@]}" --selectProjects integration --maxWorkers=1 --forceExit --json --outputFile="$results/integration.json" "${subset[@]}" || status=1
fi
node scripts/lib/jest-summary.mjs "${reports[@]}"
exit $status
