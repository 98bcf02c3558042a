#!/usr/bin/env bash
# The vault's keyring tests against a real Secret Service. Runs inside `dbus-run-session`
# (started by `cargo xtask test`, or by hand: `dbus-run-session -- bash crates/signet-vault/tests/keyring-session.sh`).
# It unlocks a fresh gnome-keyring with a throwaway password in a private data folder, waits for
# it to own org.freedesktop.secrets, then runs the ignored tests of signet-vault and signet-cli's
# `data_session::keyring_` tests (data-node sessions kept in the vault between two `signet`
# processes). The closing line is nextest's (or libtest's) summary, which xtask counts.
set -euo pipefail

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "keyring-session.sh: run me inside dbus-run-session" >&2
  exit 2
fi

scratch="$(mktemp -d)"
cleanup() {
  if [ -n "${GNOME_KEYRING_PID:-}" ]; then kill "$GNOME_KEYRING_PID" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# A keyring of its own: never the developer's login keyring.
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

eval "$(printf 'signet-vault-test' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
export GNOME_KEYRING_CONTROL GNOME_KEYRING_PID

# Wait for the daemon to own the name before anything asks D-Bus to activate a second, locked one.
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.1
done
if ! dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
  echo "keyring-session.sh: org.freedesktop.secrets did not appear on the session bus" >&2
  exit 1
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v cargo-nextest >/dev/null; then
  cargo nextest run -p signet-vault -p signet-cli --no-fail-fast --run-ignored ignored-only \
    -E '(package(signet-vault) & not test(=keyring::probe_without_bus)) | (package(signet-cli) & test(/^data_session::keyring_/))'
else
  cargo test -p signet-cli --test cli -- --ignored data_session::keyring_
  cargo test -p signet-vault --test vault -- --ignored --skip probe_without_bus
fi
