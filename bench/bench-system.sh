#!/usr/bin/env bash
# System containers, side by side with LXC on the same busybox rootfs and the
# same config: start until RUNNING (`kiste start` / `lxc-start -d`), attach
# latency (`kiste attach -- /bin/true` / `lxc-attach -- /bin/true`), stop
# (`kiste stop` / `lxc-stop`, both through busybox init's halt signal), and
# the memory of the per-container monitor (PSS from smaps_rollup, with one
# container running).
#
#   bench/bench-system.sh [-n RUNS] [-B BUILD_DIR]      (needs root)
#
# kiste and LXC alternate, one full cycle (start, ATTACHES attaches, stop)
# each per round, so that drift on the machine hits both alike. Each step is
# timed from bash with $EPOCHREALTIME. Targets (issue 3): start and attach
# faster than LXC; monitor PSS under 1 MiB.
#
# Environment: RUNS (default 20), ATTACHES per cycle (default 5), KISTE.
set -uo pipefail
export LC_ALL=C

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup bench-system 20 "$@"
attaches=${ATTACHES:-5}
rootfs=$(bench_rootfs "$build_dir") || exit 1

work=$(mktemp -d /tmp/kiste-bench-sys.XXXXXX)
name=bench-sys-$$
export KISTE_RUN_DIR=$work/run
bench_note_pivots
cleanup() {
    "$kiste" -P "$work/kiste" stop -k "$name" >/dev/null 2>&1
    command -v lxc-stop >/dev/null && lxc-stop -P "$work/lxc" -n "$name" -k >/dev/null 2>&1
    bench_remove_new_pivots
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One config for both: what the busybox template writes (LXC's keys only).
mkdir -p "$work/kiste/$name" "$work/lxc/$name"
"$root_dir/templates/busybox" --path "$work/kiste/$name" --name "$name" --rootfs "$rootfs" \
    --ttys 1 >/dev/null || exit 1
cp "$work/kiste/$name/config" "$work/lxc/$name/config"

k() { "$kiste" -P "$work/kiste" "$@"; }
kiste_start() { k start "$name"; }
kiste_attach() { k attach "$name" -- /bin/true; }
kiste_stop() { k stop "$name"; }
kiste_monitor() { k info --format json "$name" | sed -n 's/.*"monitor_pid": *\([0-9]*\).*/\1/p'; }
lxc_start() { lxc-start -P "$work/lxc" -n "$name" -d -o "$work/lxc.log"; }
lxc_attach() { lxc-attach -P "$work/lxc" -n "$name" -- /bin/true; }
lxc_stop() { lxc-stop -P "$work/lxc" -n "$name"; }
lxc_monitor() { # the parent of the container's init is "[lxc monitor]"
    local init
    init=$(lxc-info -P "$work/lxc" -n "$name" -p -H) || return 1
    awk '/^PPid:/ { print $2 }' "/proc/$init/status"
}
pss_kib() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null; }

tools=(kiste)
if command -v lxc-start >/dev/null; then
    tools+=(lxc)
else
    echo "lxc: not installed (apt-get install lxc); only kiste is measured"
fi

declare -A samples=() failures=() pss=()
timed() { # key command... -> appends microseconds to samples[key]
    local key=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    if ! "$@" >/dev/null 2>>"$work/$key.err"; then
        failures[$key]=$((${failures[$key]:-0} + 1))
        return 1
    fi
    t1=$EPOCHREALTIME
    samples[$key]+="$((${t1/./} - ${t0/./})) "
}
cycle() { # tool
    local t=$1 m
    timed "$t.start" "${t}_start" || return 1
    if [[ -z ${pss[$t]:-} ]]; then
        m=$("${t}_monitor") && [[ -n $m ]] && pss[$t]=$(pss_kib "$m")
    fi
    for ((a = 0; a < attaches; a++)); do timed "$t.attach" "${t}_attach"; done
    timed "$t.stop" "${t}_stop"
}

for t in "${tools[@]}"; do # a warm-up cycle, which also proves it works here
    if ! cycle "$t"; then
        echo "$t: cannot start the busybox container here; skipped. It said:"
        tail -5 "$work/$t.start.err" | sed 's/^/    /'
        [[ $t == lxc && -s $work/lxc.log ]] && tail -5 "$work/lxc.log" | sed 's/^/    /'
        tools=("${tools[@]/$t/}")
    fi
done
samples=()
for ((i = 0; i < runs; i++)); do
    if ((i % 2)); then order=("${tools[@]}"); else order=($(printf '%s\n' "${tools[@]}" | tac)); fi
    for t in "${order[@]}"; do [[ -n $t ]] && cycle "$t"; done
done

echo
echo "busybox system container: $runs cycles each (start, $attaches attaches, stop), alternating"
echo "rootfs: $rootfs"
echo "kernel: $(uname -r), $(nproc) CPUs; $(lxc-start --version 2>/dev/null | sed 's/^/LXC /')"
echo
printf '  %-30s %10s %9s %9s %9s %9s\n' step "median ms" "mean ms" "min ms" "p90 ms" failures
declare -A median=()
for step in start attach stop; do
    for t in kiste lxc; do
        key=$t.$step
        label="$([[ $t == kiste ]] && echo "kiste $step" || echo "lxc-$step")"
        if [[ -z ${samples[$key]:-} ]]; then
            printf '  %-30s %10s\n' "$label" "not run"
            continue
        fi
        read -r med mean min p90 < <(bench_stats "${samples[$key]}")
        median[$key]=$med
        printf '  %-30s %10s %9s %9s %9s %9d\n' "$label" "$med" "$mean" "$min" "$p90" \
            "${failures[$key]:-0}"
    done
done
echo
for step in start attach stop; do
    [[ -n ${median[kiste.$step]:-} && -n ${median[lxc.$step]:-} ]] &&
        echo "  kiste / lxc $step: $(bench_ratio "${median[kiste.$step]}" "${median[lxc.$step]}")"
done
echo "  (target: start and attach below 1)"
echo
echo "  monitor PSS, one container running:"
echo "    kiste monitor : ${pss[kiste]:-?} KiB   (target: under 1024)"
[[ -n ${pss[lxc]:-} ]] && echo "    [lxc monitor] : ${pss[lxc]} KiB"
for key in "${!failures[@]}"; do
    echo "  $key: ${failures[$key]} failed; last errors:"
    tail -3 "$work/$key.err" | sed 's/^/    /'
done
