#!/usr/bin/env bash
# The browser test: headless Chromium (Debian's package) driven by playwright-core logs in and
# consents through Oxydra's demo login/consent app and receives an authorization code.
# Installs what it needs from the distribution and the npm registry; prints one
# "N passed, N failed" line. Usage: tests/browser/run.sh [path/to/oxydra]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
log() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

if [ ! -d "$here/node_modules/playwright-core" ]; then
    log "installing playwright-core (npm)"
    (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
fi

bin="${1:-}"
if [ -z "$bin" ]; then
    log "building oxydra"
    (cd "$root" && cargo build -q -p oxydra)
    bin="$root/target/debug/oxydra"
fi

mkdir -p "$root/target/browser"
exec node "$here/demo_login.mjs" "$bin" "$root/target/browser"
