#!/usr/bin/env bash
# `stop -k` of many busybox containers, one after the other, as a script
# tearing down a host does: COUNT containers (default 50) on one shared
# busybox rootfs are started, then killed one by one with `kiste stop -k`
# (and, when LXC is installed, the same with `lxc-stop -k`); the time of the
# whole loop is taken, ROUNDS times (default 3), kiste and LXC alternating.
#
#   bench/bench-stop.sh [-n ROUNDS] [-B BUILD_DIR]      (needs root)
#
# Environment: COUNT, KISTE. Target: below LXC.
set -uo pipefail
export LC_ALL=C

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup bench-stop 3 "$@"
count=${COUNT:-50}
rootfs=$(bench_rootfs "$build_dir") || exit 1

work=$(mktemp -d /tmp/kiste-bench-stop.XXXXXX)
export KISTE_RUN_DIR=$work/run
names=()
for ((i = 0; i < count; i++)); do names+=("bench-stop-$$-$i"); done
tools=(kiste)
command -v lxc-start >/dev/null && tools+=(lxc)
bench_note_pivots
cleanup() { bench_cleanup_containers "$work" "${names[@]}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/kiste/${names[0]}"
"$root_dir/templates/busybox" --path "$work/kiste/${names[0]}" --name "${names[0]}" \
    --rootfs "$rootfs" --ttys 1 >/dev/null || exit 1
# One config for all, the template's (LXC's keys only), with each one's name.
cp "$work/kiste/${names[0]}/config" "$work/config"
for t in "${tools[@]}"; do
    for c in "${names[@]}"; do
        mkdir -p "$work/$t/$c"
        sed "s/^lxc.uts.name = .*/lxc.uts.name = $c/" "$work/config" >"$work/$t/$c/config"
    done
done

start_all() {
    local c
    for c in "${names[@]}"; do
        if [[ $1 == kiste ]]; then
            "$kiste" -P "$work/kiste" start "$c"
        else
            lxc-start -P "$work/lxc" -n "$c" -d -o "$work/lxc.log"
        fi || echo "bench-stop: starting $c with $1 failed" >&2
    done
}
# Each stop is timed on its own too: the minimum is what a stop costs on a
# quiet machine, the loop's total what a script sees.
stop_all() {
    local c a b
    for c in "${names[@]}"; do
        a=$EPOCHREALTIME
        if [[ $1 == kiste ]]; then
            "$kiste" -P "$work/kiste" stop -k "$c"
        else
            lxc-stop -P "$work/lxc" -n "$c" -k
        fi || echo "bench-stop: stopping $c with $1 failed" >&2
        b=$EPOCHREALTIME
        each[$1]+="$((${b/./} - ${a/./})) "
    done
}

declare -A samples=() each=()
for ((r = 0; r < runs; r++)); do
    for t in "${tools[@]}"; do
        start_all "$t"
        sleep 1
        t0=$EPOCHREALTIME
        stop_all "$t"
        t1=$EPOCHREALTIME
        us=$((${t1/./} - ${t0/./}))
        samples[$t]+="$us "
        printf '  round %d %-5s: %d x stop -k in %d ms\n' "$r" "$t" "$count" $((us / 1000))
    done
done

echo
echo "stop -k of $count busybox containers, one after the other ($runs rounds)"
echo "kernel: $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for t in "${tools[@]}"; do
    read -r med _ min _ <<<"$(bench_stats "${samples[$t]}")"
    read -r emed _ emin ep90 <<<"$(bench_stats "${each[$t]}")"
    printf '  %-6s loop median %8.1f ms (min %8.1f); one stop: median %6.2f, min %6.2f, p90 %6.2f ms\n' \
        "$t" "$med" "$min" "$emed" "$emin" "$ep90"
done
