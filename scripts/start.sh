#!/usr/bin/env bash
# `npm start`: install what is missing, build, and run the supervisor (demo config unless --config).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
# The same bounded heap as the systemd unit (see scripts/mpvisor.service).
# The bundled program, as the unit runs it (setup.sh builds it).
exec node --max-old-space-size=96 --max-semi-space-size=1 supervisor/build/mpvisor.js run "$@"
