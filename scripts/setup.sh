#!/usr/bin/env bash
# Installs what mpvisor needs on a Debian machine, then the npm packages, then builds.
#   scripts/setup.sh run    -> what `npm start` needs (mpv)
#   scripts/setup.sh test   -> what `npm test` needs (mpv, mosquitto, pulseaudio, sox, chromium for the
#                              console's browser tests, driven by puppeteer-core). The PipeWire
#                              sink tests run when pipewire, pipewire-pulse and wireplumber are present
#                              and are skipped otherwise: installing pipewire-pulse enables its user
#                              services for every account, which a desktop running PulseAudio may not
#                              want, so only CI (CI=true) or MPVISOR_TEST_PIPEWIRE=1 installs them.
#                              The screen and browser tests need Xvfb, xdotool, xwd and xset (installed
#                              in test mode, like Chromium).
# System packages come from apt when missing and we are root; otherwise it names what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}
need_cmds=(mpv)
need_pkgs=(mpv)
if [ "$mode" = test ]; then
  need_cmds+=(mosquitto mosquitto_sub pulseaudio pactl sox chromium Xvfb xdotool xwd xset xrandr Xtigervnc)
  need_pkgs+=(mosquitto mosquitto-clients pulseaudio pulseaudio-utils sox chromium xvfb xdotool x11-apps x11-xserver-utils x11-xserver-utils tigervnc-standalone-server)
  if [ "${CI:-}" = true ] || [ "${MPVISOR_TEST_PIPEWIRE:-}" = 1 ]; then
    need_cmds+=(pipewire pipewire-pulse wireplumber)
    need_pkgs+=(pipewire pipewire-pulse wireplumber)
  fi
fi

missing=()
for i in "${!need_cmds[@]}"; do
  command -v "${need_cmds[$i]}" >/dev/null 2>&1 || missing+=("${need_pkgs[$i]}")
done
if [ "$mode" = test ] && command -v sox >/dev/null 2>&1 && ! sox -h 2>/dev/null | grep -q 'pulseaudio'; then
  missing+=(libsox-fmt-pulse)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y --no-install-recommends "${missing[@]}" libsox-fmt-pulse >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js 20 or newer is required (apt-get install nodejs npm)" >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

npx tsc -b
# The bundled programs that npm start and the systemd unit run (scripts/bundle.mjs).
node scripts/bundle.mjs
