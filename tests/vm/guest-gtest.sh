#!/usr/bin/env bash
# tests/vm/guest-gtest.sh BINARY FILTER OUTDIR [PER_TEST_SECONDS]
#
# Runs inside the test VM (run-suite.sh starts it through run-in-vm.sh): every
# GoogleTest case of BINARY that FILTER selects, each in its own process under
# `timeout`, so that a hung or crashing case costs only itself and the others
# still report. Writes into OUTDIR (a folder shared with the host by -w):
#   xml/SUITE.TEST.xml  GoogleTest's JUnit XML of each case
#   counts              "PASSED FAILED SKIPPED" (the host's summary reads it)
#   results             one line per case: STATUS SECONDS NAME [why]
# and prints each case's output as it runs. Exit status 0 when nothing failed.
set -uo pipefail

bin=$1 filter=$2 out=$3 per_test=${4:-300}
mkdir -p "$out/xml"
: >"$out/results"
pass=0 fail=0 skip=0

finish() {
    echo "$pass $fail $skip" >"$out/counts"
    printf '\nvm: %d passed, %d failed, %d skipped (filter %s, kernel %s)\n' \
        "$pass" "$fail" "$skip" "$filter" "$(uname -r)"
    sync
    ((fail == 0))
    exit
}

# The suite's premise: a pure cgroup v2 host. Anything else is a broken guest.
if [[ ! -e /sys/fs/cgroup/cgroup.controllers ]] || grep -q ' cgroup ' /proc/mounts; then
    echo "vm: the guest is not a pure cgroup v2 host" >&2
    fail=1
    finish
fi

# --gtest_list_tests: "Suite." lines, then "  Test" lines (with a "  # GetParam()"
# comment for parameterized cases).
cases=()
mapfile -t cases < <("$bin" --gtest_filter="$filter" --gtest_list_tests |
    awk '/^[^ ]/ { suite = $1; next } /^  / { print suite $1 }')
if ((${#cases[@]} == 0)); then
    echo "vm: no test of $bin matches '$filter'" >&2
    echo "FAILED 0 (none) no test matches $filter" >>"$out/results"
    fail=1
    finish
fi
echo "vm: ${#cases[@]} test(s) from $filter, at most ${per_test}s each"

log=$(mktemp)
for t in "${cases[@]}"; do
    t0=$(date +%s%N)
    timeout -k 10 "$per_test" "$bin" --gtest_filter="$t" --gtest_output="xml:$out/xml/${t//\//_}.xml" \
        2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    ms=$((($(date +%s%N) - t0) / 1000000))
    secs=$(printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)))
    why=
    if grep -q '^\[  SKIPPED \] 1 test' "$log" && ((rc == 0)); then
        status=SKIPPED
        skip=$((skip + 1))
    elif grep -q '^\[  PASSED  \] 1 test' "$log" && ((rc == 0)); then
        status=PASSED
        pass=$((pass + 1))
    else
        status=FAILED
        fail=$((fail + 1))
        case $rc in
            124 | 137) why="timed out after ${per_test}s" ;;
            0 | 1) why= ;;
            *) why="exited with status $rc" ;;
        esac
        [[ -n $why ]] && echo "vm: $t $why"
    fi
    echo "$status $secs $t${why:+ $why}" >>"$out/results"
done
rm -f "$log"
finish
