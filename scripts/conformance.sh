#!/usr/bin/env bash
# OpenID Connect OP conformance: runs the OpenID Foundation's OP test tool (PyPI `oidctest`
# 0.8.2 with `otest` and `oic`, pinned in tests/conformance/requirements.txt) against a live
# `oxydra serve all --dev --demo`, headlessly (tests/conformance/optest_driver.py plays the
# browser on the demo login and consent forms), for the Basic (code), Implicit (id_token,
# id_token token) and Hybrid (code id_token, code token, code id_token token) profiles with
# static client registration and discovery, the form_post tests of each, and the request
# object tests that static registration allows.
#
# Everything listens on 127.0.0.1 at free ports: Oxydra (plain HTTP, dev mode) behind a socat
# TLS terminator with a certificate made for the run, so the issuer is https as the tool
# requires; the tool's own callback server.
#
# Bounded: each test has a browser deadline (CONFORMANCE_TEST_TIMEOUT, 90 s) and each profile
# run a hard limit (CONFORMANCE_PROFILE_TIMEOUT, 300 s); a full run took 451 s (7.5 min) here.
#
# Usage: scripts/conformance.sh [path/to/oxydra]   (default: $OXYDRA_BIN, else target/release/oxydra)
# Environment:
#   OIDCTEST_FLOWS    directory of the tool's test definitions (flows/*.json of oidctest 0.8.2);
#                     default tests/conformance/flows, else ../shared/oidctest-flows
#   CONFORMANCE_PROFILES  space-separated response types to run (default: all six)
# Writes target/conformance/results.tsv and results.md (test id, result, reason).
# Exit status: 0 when every test passed, warned, or failed as listed in
# tests/conformance/expected-failures.tsv; 1 otherwise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '==> %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

bin="${1:-${OXYDRA_BIN:-$root/target/release/oxydra}}"
work="$root/target/conformance"
venv="$work/venv"
expected="$root/tests/conformance/expected-failures.tsv"
test_timeout="${CONFORMANCE_TEST_TIMEOUT:-90}"
profile_timeout="${CONFORMANCE_PROFILE_TIMEOUT:-300}"
profiles="${CONFORMANCE_PROFILES:-C I IT CI CT CIT}"
mkdir -p "$work"
[ -x "$bin" ] || { log "no oxydra binary at $bin (build it, or pass its path)"; exit 2; }

flows="${OIDCTEST_FLOWS:-}"
for d in "$root/tests/conformance/flows" "$root/../shared/oidctest-flows"; do
    if [ -z "$flows" ] && [ -f "$d/OP-Response-code.json" ]; then flows="$d"; fi
done
if [ -z "$flows" ] || [ ! -f "$flows/OP-Response-code.json" ]; then
    log "the tool's test definitions were not found: set OIDCTEST_FLOWS to the flows/ directory"
    log "of oidctest 0.8.2 (test_tool/cp/test_op/flows; they are not in its PyPI package)"
    exit 2
fi

# --- tools: socat and openssl (Debian), CPython 3.7 and the pinned tool (PyPI) -------------
missing=()
command -v socat >/dev/null || missing+=(socat)
command -v openssl >/dev/null || missing+=(openssl)
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]} (Debian)"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$root/tests/conformance/requirements.txt" "$venv/requirements.txt"; then
    # CherryPy 8.9.1 and the `future` backports the tool needs do not import on 3.10+.
    py=""
    for c in python3.7 "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.7*/bin/python3.7; do
        if "$c" -c 'import venv' >/dev/null 2>&1; then py="$c"; break; fi  # a pyenv shim may fail
    done
    [ -n "$py" ] || { log "CPython 3.7 is needed (pyenv's 3.7 or python3.7 on PATH)"; exit 2; }
    log "installing the OIDF OP test tool (PyPI, pinned) into $venv with $py"
    rm -rf "$venv"
    "$py" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps \
        -r "$root/tests/conformance/requirements.txt"
    cp "$root/tests/conformance/requirements.txt" "$venv/requirements.txt"
fi

# --- the server --------------------------------------------------------------------------
free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
run="$work/run"
rm -rf "$run"
mkdir -p "$run"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

tls_port="$(free_port)"; http_port="$(free_port)"; admin_port="$(free_port)"
issuer="https://127.0.0.1:$tls_port/"
admin="http://127.0.0.1:$admin_port"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$run/key.pem" -out "$run/cert.pem" 2>/dev/null
env DATABASE_URL=memory SYSTEM_SECRET="$(head -c 32 /dev/urandom | base64 | tr -d '=+/')" \
    PUBLIC_HOST=127.0.0.1 PUBLIC_PORT="$http_port" ADMIN_HOST=127.0.0.1 ADMIN_PORT="$admin_port" \
    OAUTH2_ISSUER_URL="$issuer" BCRYPT_COST=4 OXYDRA_RSA_KEY_BITS=2048 LOG_LEVEL=warn \
    "$bin" serve all --dev --demo >"$run/server.out" 2>"$run/server.err" &
pids+=($!)
socat -T 60 "openssl-listen:$tls_port,bind=127.0.0.1,reuseaddr,fork,cert=$run/cert.pem,key=$run/key.pem,verify=0" \
    "tcp:127.0.0.1:$http_port" 2>"$run/socat.err" &
pids+=($!)
for _ in $(seq 1 100); do
    curl -sfk "${issuer}.well-known/openid-configuration" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sfk "${issuer}.well-known/openid-configuration" >/dev/null || {
    log "the server did not come up"; cat "$run/server.err" >&2; exit 1; }
log "oxydra at $issuer (admin $admin), flows from $flows"

# One static client per token endpoint authentication method, as a person would register
# them for the certification's static-registration profiles.
tool_port="$(free_port)"
make_client() { # id method [extra JSON members]
    curl -sf -X POST "$admin/clients" -H 'Content-Type: application/json' -d "{ ${3:-}
      \"client_id\": \"$1\", \"client_secret\": \"$1-secret-0123456789abcdef\",
      \"redirect_uris\": [\"http://127.0.0.1:$tool_port/authz_cb\", \"http://127.0.0.1:$tool_port/authz_post\"],
      \"grant_types\": [\"authorization_code\", \"implicit\", \"refresh_token\"],
      \"response_types\": [\"code\", \"id_token\", \"id_token token\", \"code id_token\", \"code token\", \"code id_token token\", \"token\"],
      \"scope\": \"openid profile email address phone offline_access\",
      \"token_endpoint_auth_method\": \"$2\"}" >/dev/null
}
make_client optest-basic client_secret_basic
make_client optest-post client_secret_post
# Unsigned request objects are accepted only from a client registered for them.
make_client optest-none client_secret_basic '"request_object_signing_alg": "none",'

# --- the tests -----------------------------------------------------------------------------
py_driver() { # profile client-id out [driver args...]
    local profile="$1" client="$2" out="$3"
    shift 3
    timeout "$profile_timeout" "$venv/bin/python" "$root/tests/conformance/optest_driver.py" \
        --issuer "$issuer" --flows "$flows" --work "$run/$profile" --profile "$profile" \
        --client-id "$client" --client-secret "$client-secret-0123456789abcdef" \
        --port "$tool_port" --test-timeout "$test_timeout" --out "$out" "$@" 2>>"$run/driver.err"
}
driver() { # as py_driver; one line per test goes to progress.log
    py_driver "$@" >>"$run/progress.log" || log "driver for $1 stopped early (status $?)"
}
: >"$work/results.tsv"
start=$SECONDS
for rt in $profiles; do
    # <response type>.<no webfinger>.<discovery>.<static registration>.<signed>.<no extras>.<form_post>
    p="$rt.F.T.F.s..T"
    log "profile $p"
    tests="$(py_driver "$p" optest-basic /dev/null --list | grep -vx 'OP-ClientAuth-SecretPost-Static' | paste -sd, -)"
    driver "$p" optest-basic "$run/$rt.tsv" --tests "$tests"
    if [ "$rt" != I ] && [ "$rt" != IT ]; then
        driver "$p" optest-post "$run/$rt-post.tsv" --tests OP-ClientAuth-SecretPost-Static
    fi
    if [ "$rt" = C ]; then  # the request object tests a static client can run
        driver "$p" optest-basic "$run/$rt-request.tsv" \
            --tests OP-request-Support,OP-request_uri-Support
        driver "$p" optest-none "$run/$rt-request-none.tsv" \
            --tests OP-request-Unsigned,OP-request_uri-Unsigned
    fi
    for f in "$run/$rt.tsv" "$run/$rt-post.tsv" "$run/$rt-request.tsv" "$run/$rt-request-none.tsv"; do
        [ -f "$f" ] && sed "s/^/$rt\t/" "$f" >>"$work/results.tsv"
    done
done
elapsed=$((SECONDS - start))

# --- verdict -------------------------------------------------------------------------------
# expected-failures.tsv: <response type or *> TAB <test id> TAB <reason>
"$venv/bin/python" - "$work/results.tsv" "$expected" "$work/results.md" "$elapsed" <<'EOF'
import sys
results, expected_path, md_path, elapsed = sys.argv[1:5]
expected = {}
for line in open(expected_path):
    if line.strip() and not line.startswith('#'):
        rt, tid, why = (line.rstrip('\n').split('\t') + ['', ''])[:3]
        expected[(rt, tid)] = why
rows = [l.rstrip('\n').split('\t') for l in open(results) if l.strip()]
bad, fixed, counts = [], [], {}
lines = ['| profile | test | result | reason |', '| --- | --- | --- | --- |']
for rt, tid, verdict, reason in rows:
    why = expected.get((rt, tid)) or expected.get(('*', tid))
    shown = verdict
    if verdict == 'FAILED' and why is not None:
        shown = 'EXPECTED-FAIL'
        reason = why + ' — tool: ' + reason
    elif verdict == 'FAILED':
        bad.append((rt, tid, reason))
    elif why is not None and verdict in ('PASSED', 'WARNING'):
        fixed.append((rt, tid))
    counts[shown] = counts.get(shown, 0) + 1
    lines.append('| {} | {} | {} | {} |'.format(rt, tid, shown, reason.replace('|', '/')))
open(md_path, 'w').write('\n'.join(lines) + '\n')
print('\n'.join(lines))
print()
for rt, tid in fixed:
    print('NOTE: listed as expected to fail but {} now passes for {}: update expected-failures.tsv'.format(tid, rt))
for rt, tid, reason in bad:
    print('FAIL: {} {}: {}'.format(rt, tid, reason))
print('conformance: {} in {} s'.format(', '.join('{} {}'.format(v, k) for k, v in sorted(counts.items())), elapsed))
print('{} passed, {} failed'.format(counts.get('PASSED', 0) + counts.get('WARNING', 0), len(bad)))
sys.exit(1 if bad or not rows else 0)
EOF
