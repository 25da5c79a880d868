#!/usr/bin/env bash
# Contract test: schemathesis (PyPI, pinned below) generates requests from docs/openapi.json
# and sends them to a live `oxydra serve all` (in-memory database, both ports on 127.0.0.1 at
# ports the OS picks), checking every response against the document: no status >= 500, and
# status codes, content types, headers and bodies as documented.
#
# Two servers run in turn: the default 1.0.0-beta mode (the public operations, but the demo
# pages that need --demo, on the public port; the admin operations on the admin port), then
# 0.10 mode with its admin API left unguarded as on a trusted network, for the 0.10
# consent-by-id operations and the 0.10 JSON shapes of the admin API on the public port. The
# admin guard (ADMIN_ACCESS_CONTROL=policies) is left out: without a token every answer is
# its 401.
#
# Bounded: a fixed number of examples per operation, a fixed seed, and a time budget per run
# (55 s in all at the default scale, so that `.ci/run` stays under 10 minutes on a clean
# clone; schemathesis keeps fuzzing until a run's budget is spent).
# Usage: scripts/schemathesis.sh [path/to/oxydra]
# Environment: SCHEMATHESIS_MAX_EXAMPLES (default 20), SCHEMATHESIS_TIME_SCALE (percent of
# the time budgets, default 50; 100 gives each run twice as long), SCHEMATHESIS_SEED (default 1).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

VERSION=4.32.5
work="$root/target/schemathesis"
venv="$work/venv-$VERSION"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-20}"
scale="${SCHEMATHESIS_TIME_SCALE:-50}"
seed="${SCHEMATHESIS_SEED:-1}"
mkdir -p "$work"

if [ ! -x "$venv/bin/schemathesis" ]; then
    log "installing schemathesis $VERSION (PyPI) into $venv"
    if ! python3 -m venv "$venv"; then
        log "installing python3-venv (Debian)"
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION"
fi

bin="${1:-}"
if [ -z "$bin" ]; then
    log "building oxydra"
    (cd "$root" && cargo build -q -p oxydra)
    bin="$root/target/debug/oxydra"
fi

server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
trap stop_server EXIT

# Starts `oxydra serve all --dev` with the extra VAR=value arguments and sets $public and
# $admin to the URLs it prints.
start_server() {
    local out="$work/server.out"
    : >"$out"
    env DATABASE_URL=memory \
        SYSTEM_SECRET="$(head -c 32 /dev/urandom | base64 | tr -d '=+/')" \
        PUBLIC_HOST=127.0.0.1 PUBLIC_PORT=0 ADMIN_HOST=127.0.0.1 ADMIN_PORT=0 \
        BCRYPT_COST=4 OXYDRA_RSA_KEY_BITS=2048 LOG_LEVEL=error "$@" \
        "$bin" serve all --dev >"$out" 2>"$work/server.err" &
    server_pid=$!
    local i
    for i in $(seq 1 100); do
        public="$(sed -n 's/^public listening on //p' "$out")"
        admin="$(sed -n 's/^admin listening on //p' "$out")"
        if [ -n "$public" ] && [ -n "$admin" ]; then return 0; fi
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    log "oxydra did not start:"
    cat "$work/server.err" >&2
    return 1
}

passed=0
failed=0
cases=0
# Runs schemathesis against URL $2 for at most $1 seconds (times the budget scale), for the
# operations the remaining arguments select; counts the run and its test cases.
check() {
    local budget=$(($1 * scale / 100)) url="$2" out="$work/run.log"
    shift 2
    [ "$budget" -ge 1 ] || budget=1
    log "schemathesis $url $* (${budget}s)"
    # From $work, so schemathesis keeps its cache (.schemathesis/) under target/.
    if (cd "$work" && timeout $((budget + 60)) "$venv/bin/schemathesis" run "$root/docs/openapi.json" \
        --url "$url" "$@" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
        --max-examples "$max_examples" --max-time "$budget" --seed "$seed" \
        --max-redirects 0 --request-timeout 10 --no-shrink --suppress-health-check all \
        --warnings off) | tee "$out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    local generated
    generated="$(grep -Eo '^ *[0-9]+ generated' "$out" | grep -Eo '[0-9]+' | tail -n 1 || true)"
    cases=$((cases + ${generated:-0}))
}

log "1.0.0-beta mode"
start_server
check 30 "$public" --include-tag public --exclude-tag oxydra
check 40 "$admin" --include-tag admin --exclude-tag hydra-0.10
stop_server

log "0.10 mode (admin API on the public port too, unguarded as on a trusted network)"
start_server COMPAT_API_VERSION=0.10 OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN=true
check 10 "$admin" --include-tag hydra-0.10
check 30 "$public" --include-tag admin --exclude-tag hydra-0.10
stop_server

echo "schemathesis: $cases test cases in $((passed + failed)) runs"
echo "schemathesis runs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
