#!/usr/bin/env bash
# How long one application container takes, start to exit: `kiste execute --
# /bin/true` side by side with Debian's `lxc-execute` on the same config and
# the same busybox rootfs, and with the floor, a bare
# `unshare --fork --pid --mount --uts --ipc --net chroot ROOTFS /bin/true`.
#
#   bench/bench-execute.sh [-n RUNS] [-B BUILD_DIR]      (needs root)
#
# The three run interleaved, in a rotating order, RUNS times each after a
# short warm-up, so that drift on the machine hits all of them alike. Each run
# is timed from bash with $EPOCHREALTIME (no extra fork per sample; the bash
# fork+exec overhead is the same for all three). Prints the medians (ms) and
# the ratios kiste/lxc-execute (target < 1) and kiste/floor (target <= 1.5).
#
# kiste runs from a copy of the build's kiste and kiste-init in the scratch
# dir, as `make install` would leave them (see bench_install_kiste in lib.sh).
#
# Environment: RUNS (default 100), WARMUP (default 5), KISTE (the binary),
# BENCH_HYPERFINE=1 to also let hyperfine time the three (a cross-check).
set -uo pipefail
export LC_ALL=C # EPOCHREALTIME with a '.' decimal point

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup bench-execute 100 "$@"
rootfs=$(bench_rootfs "$build_dir") || exit 1

# ---- scratch space, and what LXC leaves behind --------------------------------
work=$(mktemp -d /tmp/kiste-bench.XXXXXX)
bench_install_kiste "$work/bin" || exit 1
bench_note_pivots
cleanup() {
    bench_remove_new_pivots
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One config for both managers: LXC 5 and kiste share these defaults (a new
# network namespace with loopback only, a tmpfs /dev), so the only keys needed
# are the rootfs and a hostname. No /proc, like the floor.
conf=$work/bench.conf
cat >"$conf" <<EOF
lxc.rootfs.path = dir:$rootfs
lxc.uts.name = bench
EOF

# Without a terminal kiste gives the container no console, while LXC still
# sets one up and fails on some hosts ("Failed to change console mode"): tell
# LXC the same, so both do the same work.
lxc_conf=$conf
if [[ ! -t 0 ]]; then
    lxc_conf=$work/bench-lxc.conf
    { cat "$conf"; echo "lxc.console.path = none"; } >"$lxc_conf"
fi

names=(kiste lxc floor)
declare -A label=(
    [kiste]="kiste execute"
    [lxc]="lxc-execute"
    [floor]="unshare+chroot (floor)"
)
run_kiste() { "$kiste" execute -f "$conf" -- /bin/true; }
run_lxc() { lxc-execute -P "$work" -n "kiste-bench-$$" -f "$lxc_conf" -o "$work/lxc.log" -- /bin/true; }
run_floor() { unshare --fork --pid --mount --uts --ipc --net chroot "$rootfs" /bin/true; }

# ---- which of them can run here ----------------------------------------------
declare -A usable=()
for n in "${names[@]}"; do
    if [[ $n == lxc ]] && ! command -v lxc-execute >/dev/null; then
        echo "lxc-execute: not installed (scripts/install-deps --bench); skipped"
        continue
    fi
    if out=$("run_$n" 2>&1); then
        usable[$n]=1
    else
        echo "${label[$n]}: cannot run on this host; skipped. It said:"
        tail -5 <<<"$out" | sed 's/^/    /'
        [[ $n == lxc && -s $work/lxc.log ]] && tail -5 "$work/lxc.log" | sed 's/^/    /'
    fi
done
if [[ -z ${usable[kiste]:-} ]]; then
    echo "bench-execute: kiste execute does not run; the figures below have no kiste column"
fi

# ---- the measurement -----------------------------------------------------------
declare -A samples=() failures=()
time_one() { bench_timed "$1" "run_$1"; }

for ((i = 0; i < warmup; i++)); do
    for n in "${names[@]}"; do [[ -n ${usable[$n]:-} ]] && "run_$n" >/dev/null 2>&1; done
done
for ((i = 0; i < runs; i++)); do
    for ((k = 0; k < ${#names[@]}; k++)); do
        n=${names[(i + k) % ${#names[@]}]}
        [[ -n ${usable[$n]:-} ]] && time_one "$n"
    done
done

# ---- the table -------------------------------------------------------------------
declare -A median=()
echo
echo "execute -- /bin/true: $runs runs each, interleaved, after $warmup warm-up runs"
echo "rootfs: $rootfs (busybox)"
echo "kernel: $(uname -r), $(nproc) CPUs"
echo
printf '  %-24s %10s %9s %9s %9s %9s\n' runtime "median ms" "mean ms" "min ms" "p90 ms" failures
for n in "${names[@]}"; do
    bench_row 24 "${label[$n]}" "$n"
done
echo
if [[ -n ${median[kiste]:-} && ${median[kiste]} != - ]]; then
    [[ -n ${median[lxc]:-} ]] &&
        echo "  kiste / lxc-execute : $(bench_ratio "${median[kiste]}" "${median[lxc]}")   (target: below 1)"
    [[ -n ${median[floor]:-} ]] &&
        echo "  kiste / floor       : $(bench_ratio "${median[kiste]}" "${median[floor]}")   (target: at most 1.5)"
fi
for n in "${names[@]}"; do
    if ((${failures[$n]:-0} > 0)); then
        echo "  ${label[$n]}: ${failures[$n]} failed runs; last errors:"
        tail -3 "$work/$n.err" | sed 's/^/    /'
    fi
done

if [[ ${BENCH_HYPERFINE:-0} == 1 ]] && command -v hyperfine >/dev/null; then
    echo
    echo "hyperfine cross-check (each command in its own batch, not interleaved):"
    cmds=()
    [[ -n ${usable[kiste]:-} ]] && cmds+=("$kiste execute -f $conf -- /bin/true")
    [[ -n ${usable[lxc]:-} ]] && cmds+=("lxc-execute -P $work -n kiste-bench-hf -f $lxc_conf -- /bin/true")
    [[ -n ${usable[floor]:-} ]] && cmds+=("unshare --fork --pid --mount --uts --ipc --net chroot $rootfs /bin/true")
    hyperfine -N --warmup "$warmup" --runs "$runs" "${cmds[@]}"
fi
