#!/usr/bin/env bash
# The end-to-end session: runs inside `xvfb-run … dbus-run-session`, started by `cargo xtask test`.
# It gives the app a private home for its data, a notification daemon (dunst) and an unlocked
# Secret Service keyring (gnome-keyring) on the private bus, then runs the WebDriver tests.
# Output is TAP (node --test), which xtask counts.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scratch="$(mktemp -d)"
cleanup() {
  local jobs
  jobs="$(jobs -p)"
  if [ -n "$jobs" ]; then kill $jobs 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/runtime"
# A home of its own too: nothing the app writes (an autostart entry, caches) reaches the real one.
export HOME="$scratch/home"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# Waits until a well-known name has an owner on the session bus.
wait_for_name() {
  local name="$1"
  for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner "string:$name" 2>/dev/null | grep -q 'boolean true'; then
      return 0
    fi
    sleep 0.1
  done
  echo "session.sh: $name did not appear on the session bus" >&2
  return 1
}

dunst >"$scratch/dunst.log" 2>&1 &
wait_for_name org.freedesktop.Notifications
# Unlock a fresh login keyring with a throwaway password; wait for it before anything asks D-Bus
# to activate a second, locked daemon.
eval "$(printf 'signet-e2e' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
wait_for_name org.freedesktop.secrets

export SIGNET_E2E_DATA_HOME="$XDG_DATA_HOME"
cd "$here"
node --test --test-reporter=tap --test-concurrency=1 ${E2E_FILES:-./*.test.js}
