#!/usr/bin/env bash
# The benchmark in one command (see docs/benchmarks.md): installs `wrk` from the Debian packages
# when it is missing, builds the release server and the benchmark, then runs the benchmark, which
# measures a hello-world ceiling and the server on SQLite, PostgreSQL and MariaDB in one run, each
# scenario alternating with the peer OpenID provider of ../shared/peer (needs node and npm;
# --skip-peer measures without it).
# Arguments are passed to oxydra-bench, e.g.:
#   scripts/bench.sh
#   scripts/bench.sh --skip-postgres --skip-mysql
#   scripts/bench.sh --postgres-url postgres://postgres@127.0.0.1:5432/bench --runs 5
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '==> %s\n' "$*" >&2; }

# Runs a command as root (directly, or through sudo when we are not root).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "need root (or sudo) to run: $*"
        return 1
    fi
}

if ! command -v wrk >/dev/null 2>&1; then
    log "wrk is not installed; installing it from the Debian packages"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk
fi
command -v wrk >/dev/null 2>&1 || { log "wrk is still not on PATH"; exit 1; }

log "building oxydra and oxydra-bench (release)"
cargo build --release -p oxydra -p oxydra-bench
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
exec "$target_dir/release/oxydra-bench" \
    --server-bin "$target_dir/release/oxydra" \
    --wrk "$(command -v wrk)" \
    "$@"
