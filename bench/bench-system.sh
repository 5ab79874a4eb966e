#!/usr/bin/env bash
# System containers, side by side with LXC on the same busybox rootfs and the
# same config: start until RUNNING (`kiste start` / `lxc-start -d`), attach
# latency (`kiste attach -- /bin/true` / `lxc-attach -- /bin/true`), stop
# (`kiste stop` / `lxc-stop`, both through busybox init's halt signal), and
# the memory of the per-container monitor (PSS from smaps_rollup, with one
# container running and, per container, with PSS_COUNT running: shared pages
# spread over the monitors then).
#
#   bench/bench-system.sh [-n RUNS] [-B BUILD_DIR]      (needs root)
#
# kiste and LXC alternate, one full cycle (start, ATTACHES attaches, stop)
# each per round, so that drift on the machine hits both alike. Each step is
# timed from bash with $EPOCHREALTIME. Targets: start and attach
# faster than LXC; monitor PSS under 1 MiB.
#
# Environment: RUNS (default 20), ATTACHES per cycle (default 5), PSS_COUNT
# (default 10; 0 skips that part), KISTE.
set -uo pipefail
export LC_ALL=C

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup bench-system 20 "$@"
attaches=${ATTACHES:-5}
pss_count=${PSS_COUNT:-10}
rootfs=$(bench_rootfs "$build_dir") || exit 1

work=$(mktemp -d /tmp/kiste-bench-sys.XXXXXX)
many=()
name=bench-sys-$$
export KISTE_RUN_DIR=$work/run
bench_note_pivots
cleanup() { bench_cleanup_containers "$work" "$name" "${many[@]}"; }
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
# Both monitors settle (kiste's drops its boot-time code pages right after
# reporting RUNNING) before their memory is read.
settle() { sleep 0.3; }

tools=(kiste)
if command -v lxc-start >/dev/null; then
    tools+=(lxc)
else
    echo "lxc: not installed (apt-get install lxc); only kiste is measured"
fi

declare -A samples=() failures=() pss=()
cycle() { # tool
    local t=$1 m
    # The first cgroup.procs write after a quiet spell waits for an RCU grace
    # period (~10 ms, the kernel's threadgroup lock); writes within a few
    # grace periods after another do not. A pause keeps one tool's stop from
    # sparing the other's start that wait.
    sleep 0.2
    bench_timed "$t.start" "${t}_start" || return 1
    if [[ -z ${pss[$t]:-} ]]; then
        settle
        m=$("${t}_monitor") && [[ -n $m ]] && pss[$t]=$(pss_kib "$m")
    fi
    for ((a = 0; a < attaches; a++)); do bench_timed "$t.attach" "${t}_attach"; done
    bench_timed "$t.stop" "${t}_stop"
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

# ---- monitor memory with PSS_COUNT containers running -------------------------
declare -A pss_many=()
for ((i = 0; i < pss_count; i++)); do many+=("$name-m$i"); done
for t in "${tools[@]}"; do
    [[ -n $t && $pss_count -gt 0 ]] || continue
    for c in "${many[@]}"; do
        mkdir -p "$work/$t/$c"
        sed "s/^lxc.uts.name = .*/lxc.uts.name = $c/" "$work/$t/$name/config" >"$work/$t/$c/config"
        if [[ $t == kiste ]]; then
            k start "$c" >/dev/null 2>>"$work/many.err"
        else
            lxc-start -P "$work/lxc" -n "$c" -d -o "$work/lxc-many.log" 2>>"$work/many.err"
        fi
    done
    settle
    total=0 n=0
    for c in "${many[@]}"; do
        m=
        if [[ $t == kiste ]]; then
            m=$(k info --format json "$c" | sed -n 's/.*"monitor_pid": *\([0-9]*\).*/\1/p')
        else
            init=$(lxc-info -P "$work/lxc" -n "$c" -p -H 2>/dev/null) &&
                m=$(awk '/^PPid:/ { print $2 }' "/proc/$init/status")
        fi
        p=$([[ -n ${m:-} ]] && pss_kib "$m")
        [[ -n $p ]] && total=$((total + p)) n=$((n + 1))
    done
    ((n > 0)) && pss_many[$t]="$((total / n)) KiB per container ($n of $pss_count running)"
    for c in "${many[@]}"; do
        if [[ $t == kiste ]]; then k stop -k "$c"; else lxc-stop -P "$work/lxc" -n "$c" -k; fi
    done >/dev/null 2>&1
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
        bench_row 30 "$label" "$key"
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
if ((pss_count > 0)); then
    echo "  monitor PSS, $pss_count containers running (average):"
    echo "    kiste monitor : ${pss_many[kiste]:-?}"
    [[ -n ${pss_many[lxc]:-} ]] && echo "    [lxc monitor] : ${pss_many[lxc]}"
fi
for key in "${!failures[@]}"; do
    echo "  $key: ${failures[$key]} failed; last errors:"
    tail -3 "$work/$key.err" | sed 's/^/    /'
done
