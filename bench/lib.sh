# Shared by the bench/ scripts (sourced, not run): statistics, the busybox
# rootfs, and cleaning up what LXC leaves behind.
# shellcheck shell=bash

# "median mean min p90" in ms from a space-separated list of microseconds.
bench_stats() {
    tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '
        { v[NR] = $1; s += $1 }
        END {
            if (NR == 0) { print "- - - -"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            p = v[int(NR * 0.9 + 0.5) < 1 ? 1 : int(NR * 0.9 + 0.5)]
            printf "%.2f %.2f %.2f %.2f\n", m / 1000, s / NR / 1000, v[1] / 1000, p / 1000
        }'
}

# a b -> a/b with two decimals, "-" when b is 0.
bench_ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

# BUILD_DIR -> prints the path of a busybox rootfs built once by the template.
bench_rootfs() {
    local build_dir=$1 root_dir
    root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    local rootfs=$build_dir/bench-rootfs stamp=$build_dir/bench-rootfs.stamp
    local template=$root_dir/templates/busybox
    if [[ ! -e $stamp || $template -nt $stamp || ! -x $rootfs/bin/busybox ]]; then
        "$template" --rootfs "$rootfs" --name bench >/dev/null || return 1
        touch "$stamp"
    fi
    echo "$rootfs"
}

# Parent cgroups the runtimes leave behind, empty, on purpose: LXC moves its
# monitor into an "lxc.pivot" cgroup per hierarchy and leaves it there, and
# kiste keeps "kiste.payload" for the next container. bench_note_pivots
# before the runs, bench_remove_new_pivots after: only the ones this run
# created go (and only when empty: rmdir refuses a cgroup in use).
bench_parent_cgroups() {
    find /sys/fs/cgroup -maxdepth 6 -type d \( -name lxc.pivot -o -name kiste.payload \) \
        -prune 2>/dev/null
}
bench_note_pivots() {
    mapfile -t bench_pivots_before < <(bench_parent_cgroups)
}
bench_remove_new_pivots() {
    local d old keep
    while read -r d; do
        keep=0
        for old in "${bench_pivots_before[@]}"; do [[ $old == "$d" ]] && keep=1; done
        ((keep)) || rmdir "$d" 2>/dev/null || true
    done < <(bench_parent_cgroups)
}

# bench_setup NAME DEFAULT_RUNS "$@": the options every bench takes (-n RUNS,
# -B BUILD_DIR), root and a built kiste checked. Sets root_dir, build_dir,
# runs, warmup and kiste.
bench_setup() {
    local name=$1 opt OPTIND=1
    runs=${RUNS:-$2}
    shift 2
    root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    build_dir=$root_dir/build
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
        echo "$name: needs root (namespaces, mounts, cgroups)" >&2
        exit 1
    fi
    [[ -x $kiste ]] || {
        echo "$name: $kiste is missing: run 'make build' first" >&2
        exit 1
    }
}

# bench_timed KEY COMMAND...: runs COMMAND (stdout dropped, stderr appended
# to $work/KEY.err) and appends its wall time in microseconds to
# samples[KEY], or counts a failure in failures[KEY]. The caller declares
# `declare -A samples=() failures=()` and sets work.
# After each run it waits BENCH_SETTLE_MS (default 30, at most 999): the kernel finishes
# a container's teardown in the background, and without the pause each
# sample would also pay for the one before it, which in an interleaved run
# is another runtime's. The longest part is a net namespace's cleanup: a
# kworker and ksoftirqd run ~2 ms of it 10-15 ms after the process exited
# (seen with `perf record -a -e sched:sched_switch` after lxc-execute,
# kiste execute and the floor alike), so a 10 ms pause ended just in time
# for the next run to share its CPUs with it.
bench_timed() {
    local key=$1 t0 t1 rc settle=${BENCH_SETTLE_MS:-30}
    shift
    t0=$EPOCHREALTIME
    "$@" >/dev/null 2>>"$work/$key.err"
    rc=$?
    t1=$EPOCHREALTIME
    ((settle > 0)) && sleep "$(printf '0.%03d' "$settle")"
    if ((rc != 0)); then
        failures[$key]=$((${failures[$key]:-0} + 1))
        return 1
    fi
    samples[$key]+="$((${t1/./} - ${t0/./})) "
}

# bench_row WIDTH LABEL KEY: one table row from samples[KEY] ("not run" when
# empty); sets median[KEY] (the caller declares `declare -A median=()`).
bench_row() {
    local width=$1 label=$2 key=$3 med mean min p90
    if [[ -z ${samples[$key]:-} ]]; then
        printf "  %-${width}s %10s\n" "$label" "not run"
        return
    fi
    read -r med mean min p90 < <(bench_stats "${samples[$key]}")
    median[$key]=$med
    printf "  %-${width}s %10s %9s %9s %9s %9d\n" "$label" "$med" "$mean" "$min" "$p90" \
        "${failures[$key]:-0}"
}

# bench_install_kiste DIR: copies $kiste and its kiste-init into DIR and
# points $kiste there, so that the runs time kiste as `make install` leaves
# it. A binary fresh from the linker sits in the page cache in small pieces
# (the linker writes it a little at a time) until it is evicted; mapped from
# there, every start of it takes ~0.2 ms longer on this kernel than a copy
# written in one go, as `make install` and a package manager write it.
bench_install_kiste() {
    local dir=$1 init
    init=$(dirname "$kiste")/kiste-init
    [[ -x $init ]] || init=${KISTE_INIT:-}
    mkdir -p "$dir"
    cp "$kiste" "$dir/kiste" || return 1
    [[ -n $init && -x $init ]] && { cp "$init" "$dir/kiste-init" || return 1; }
    kiste=$dir/kiste
}

# Kills the named containers of a bench's kiste and LXC container paths
# ($work/kiste, $work/lxc), removes the pivots it made and its work dir.
bench_cleanup_containers() { # work name...
    local work=$1 c
    shift
    for c in "$@"; do
        "$kiste" -P "$work/kiste" stop -k "$c" >/dev/null 2>&1
        command -v lxc-stop >/dev/null && lxc-stop -P "$work/lxc" -n "$c" -k >/dev/null 2>&1
    done
    bench_remove_new_pivots
    rm -rf "$work"
}
