#!/usr/bin/env bash
# Builds the release server and the benchmark, then runs the benchmark against the server.
# Arguments are passed to oxydra-bench, e.g.:
#   scripts/bench.sh
#   scripts/bench.sh --database-url postgres://postgres@127.0.0.1:5432/bench
#   scripts/bench.sh --concurrency 64 --requests 50000
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release -p oxydra -p oxydra-bench
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
exec "$target_dir/release/oxydra-bench" --server-bin "$target_dir/release/oxydra" "$@"
