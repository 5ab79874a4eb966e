#!/usr/bin/env bash
# `make bench`: every benchmark under bench/, one after the other. Not run by
# CI (the figures need a quiet machine); paste them into the closing note.
#
#   bench/run-all.sh [BUILD_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build_dir=${1:-$here/../build}

# Later issues add theirs here (system container start/stop, OCI create/start).
benches=(bench-execute.sh bench-system.sh bench-stop.sh bench-cgroup.sh)

rc=0
for b in "${benches[@]}"; do
    printf '\n==== %s ====\n' "$b"
    "$here/$b" -B "$build_dir" || rc=1
done
exit "$rc"
