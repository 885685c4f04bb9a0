#!/usr/bin/env bash
# `npm start`: install what is missing, build, and run the supervisor (demo config unless --config).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
exec node supervisor/bin/mpvisor.js run "$@"
