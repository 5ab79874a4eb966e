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
# Environment: RUNS (default 100), WARMUP (default 5), KISTE (the binary),
# BENCH_HYPERFINE=1 to also let hyperfine time the three (a cross-check).
set -uo pipefail
export LC_ALL=C # EPOCHREALTIME with a '.' decimal point

root_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$root_dir/build
runs=${RUNS:-100}
warmup=${WARMUP:-5}
while getopts n:B: opt; do
    case $opt in
        n) runs=$OPTARG ;;
        B) build_dir=$OPTARG ;;
        *) exit 2 ;;
    esac
done
build_dir=$(realpath -m "$build_dir")
kiste=${KISTE:-$build_dir/kiste}

if ((EUID != 0)); then
    echo "bench-execute: needs root (namespaces, mounts)" >&2
    exit 1
fi
[[ -x $kiste ]] || {
    echo "bench-execute: $kiste is missing: run 'make build' first" >&2
    exit 1
}

# ---- the rootfs (built once by the template, reused) --------------------------
rootfs=$build_dir/bench-rootfs
stamp=$build_dir/bench-rootfs.stamp
template=$root_dir/templates/busybox
if [[ ! -e $stamp || $template -nt $stamp || ! -x $rootfs/bin/busybox ]]; then
    "$template" --rootfs "$rootfs" --name bench >/dev/null || exit 1
    touch "$stamp"
fi

# ---- scratch space, and what LXC leaves behind --------------------------------
work=$(mktemp -d /tmp/kiste-bench.XXXXXX)
# LXC moves its monitor into an "lxc.pivot" cgroup per hierarchy and leaves it
# there (empty) after the container exits; remove the ones this run created.
mapfile -t pivots_before < <(compgen -G '/sys/fs/cgroup/lxc.pivot' \
    ; compgen -G '/sys/fs/cgroup/*/lxc.pivot')
cleanup() {
    local d old keep
    for d in /sys/fs/cgroup/lxc.pivot /sys/fs/cgroup/*/lxc.pivot; do
        [[ -d $d ]] || continue
        keep=0
        for old in "${pivots_before[@]}"; do [[ $old == "$d" ]] && keep=1; done
        ((keep)) || rmdir "$d" 2>/dev/null || true
    done
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

names=(kiste lxc floor)
declare -A label=(
    [kiste]="kiste execute"
    [lxc]="lxc-execute"
    [floor]="unshare+chroot (floor)"
)
run_kiste() { "$kiste" execute -f "$conf" -- /bin/true; }
run_lxc() { lxc-execute -P "$work" -n "kiste-bench-$$" -f "$conf" -o "$work/lxc.log" -- /bin/true; }
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
time_one() { # name -> appends microseconds to samples[name]
    local t0 t1 rc
    t0=$EPOCHREALTIME
    "run_$1" >/dev/null 2>>"$work/$1.err"
    rc=$?
    t1=$EPOCHREALTIME
    if ((rc != 0)); then
        failures[$1]=$((${failures[$1]:-0} + 1))
        return
    fi
    samples[$1]+="$((${t1/./} - ${t0/./})) "
}

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
# "median mean min p90" in ms from a list of microseconds.
stats() {
    tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '
        { v[NR] = $1; s += $1 }
        END {
            if (NR == 0) { print "- - - -"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            p = v[int(NR * 0.9 + 0.5) < 1 ? 1 : int(NR * 0.9 + 0.5)]
            printf "%.2f %.2f %.2f %.2f\n", m / 1000, s / NR / 1000, v[1] / 1000, p / 1000
        }'
}

declare -A median=()
echo
echo "execute -- /bin/true: $runs runs each, interleaved, after $warmup warm-up runs"
echo "rootfs: $rootfs (busybox)"
echo "kernel: $(uname -r), $(nproc) CPUs"
echo
printf '  %-24s %10s %9s %9s %9s %9s\n' runtime "median ms" "mean ms" "min ms" "p90 ms" failures
for n in "${names[@]}"; do
    if [[ -z ${usable[$n]:-} ]]; then
        printf '  %-24s %10s\n' "${label[$n]}" "not run"
        continue
    fi
    read -r med mean min p90 < <(stats "${samples[$n]:-}")
    median[$n]=$med
    printf '  %-24s %10s %9s %9s %9s %9d\n' "${label[$n]}" "$med" "$mean" "$min" "$p90" \
        "${failures[$n]:-0}"
done
echo
ratio() { # a b -> a/b
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}
if [[ -n ${median[kiste]:-} && ${median[kiste]} != - ]]; then
    [[ -n ${median[lxc]:-} ]] &&
        echo "  kiste / lxc-execute : $(ratio "${median[kiste]}" "${median[lxc]}")   (target: below 1)"
    [[ -n ${median[floor]:-} ]] &&
        echo "  kiste / floor       : $(ratio "${median[kiste]}" "${median[floor]}")   (target: at most 1.5)"
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
    [[ -n ${usable[lxc]:-} ]] && cmds+=("lxc-execute -P $work -n kiste-bench-hf -f $conf -- /bin/true")
    [[ -n ${usable[floor]:-} ]] && cmds+=("unshare --fork --pid --mount --uts --ipc --net chroot $rootfs /bin/true")
    hyperfine -N --warmup "$warmup" --runs "$runs" "${cmds[@]}"
fi
