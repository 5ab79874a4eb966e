#!/usr/bin/env bash
# Two builds of kiste side by side, interleaved on one busybox container:
# `kiste start` (until RUNNING, then stop -k) and `kiste execute -- /bin/true`,
# wall time of each command. For a before/after of a change, where the peers
# of the other benchmarks move more between two runs than kiste does.
#
#   bench/bench-ab.sh OLD_BUILD_DIR NEW_BUILD_DIR [RUNS]     (needs root)
set -euo pipefail
old=$1/kiste new=$2/kiste runs=${3:-40}
for k in "$old" "$new"; do [[ -x $k ]] || { echo "bench-ab: $k is missing" >&2; exit 1; }; done
dir=$(mktemp -d /tmp/kiste-ab.XXXXXX)
out=$(mktemp -d)
cleanup() {
    "$new" -P "$dir" destroy -f -n ab >/dev/null 2>&1 || true
    rm -rf "$dir" "$out"
}
trap cleanup EXIT
"$new" -P "$dir" create -n ab -t busybox >/dev/null
us() { # command... -> microseconds (only when it succeeded)
    local t0 rc
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 && rc=0 || rc=$?
    ((rc == 0)) && echo $((($(date +%s%N) - t0) / 1000))
    return 0
}
for ((i = 0; i < runs; i++)); do
    for v in old new; do
        k=$old
        [[ $v == new ]] && k=$new
        us "$k" -P "$dir" start -n ab >>"$out/start-$v"
        "$k" -P "$dir" stop -k -n ab >/dev/null 2>&1 || true
        us "$k" execute -f "$dir/ab/config" -- /bin/true >>"$out/execute-$v"
    done
done
median() { sort -n "$1" | awk '{a[NR] = $1} END { if (NR) printf "%8.2f ms (%d runs)", a[int((NR + 1) / 2)] / 1000, NR }'; }
printf '%-10s %-26s %-26s\n' step "old ($1)" "new ($2)"
for s in start execute; do
    printf '%-10s %-26s %-26s\n' "$s" "$(median "$out/$s-old")" "$(median "$out/$s-new")"
done
