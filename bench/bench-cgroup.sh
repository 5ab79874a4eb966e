#!/usr/bin/env bash
# What a container's cgroups cost at start: `kiste execute -- /bin/true` on the
# busybox rootfs without cgroup settings and with a typical limit set
# (memory, memsw where the host has it, pids, cpu quota, LXC's device list),
# on this host's layout. Creating, limiting and removing the cgroups should
# add well under a millisecond (the issue's target: < 1 ms difference).
#
#   bench/bench-cgroup.sh [-n RUNS] [-B BUILD_DIR]      (needs root)
#
# The two variants run interleaved RUNS times each after a warm-up; each run
# is timed from bash with $EPOCHREALTIME. Prints medians (ms) and the
# difference. Environment: RUNS (default 100), WARMUP (default 5), KISTE.
set -uo pipefail
export LC_ALL=C

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup bench-cgroup 100 "$@"
rootfs=$(bench_rootfs "$build_dir") || exit 1
work=$(mktemp -d /tmp/kiste-bench-cg.XXXXXX)
bench_note_pivots
trap 'bench_remove_new_pivots; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

plain=$work/plain.conf
printf 'lxc.rootfs.path = dir:%s\nlxc.uts.name = bench\n' "$rootfs" >"$plain"
limited=$work/limited.conf
layout=v1
if grep -q ' - cgroup2 ' /proc/self/mountinfo; then
    layout=hybrid
    grep -q ' - cgroup ' /proc/self/mountinfo || layout=v2
fi
{
    cat "$plain"
    if [[ $layout == v2 ]]; then
        printf '%s\n' 'lxc.cgroup2.memory.max = 256M' 'lxc.cgroup2.memory.swap.max = 0' \
            'lxc.cgroup2.pids.max = 256' 'lxc.cgroup2.cpu.max = 50000 100000'
    else
        echo 'lxc.cgroup.memory.limit_in_bytes = 256M'
        [[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]] &&
            echo 'lxc.cgroup.memory.memsw.limit_in_bytes = 256M'
        printf '%s\n' 'lxc.cgroup.pids.max = 256' 'lxc.cgroup.cpu.cfs_quota_us = 50000' \
            'lxc.cgroup.cpu.cfs_period_us = 100000'
    fi
    # LXC's common.conf device list (v1 syntax; an eBPF program on v2).
    printf 'lxc.cgroup.devices.%s\n' 'deny = a' 'allow = c *:* m' 'allow = b *:* m' \
        'allow = c 1:3 rwm' 'allow = c 1:5 rwm' 'allow = c 1:7 rwm' 'allow = c 5:0 rwm' \
        'allow = c 5:1 rwm' 'allow = c 5:2 rwm' 'allow = c 1:8 rwm' 'allow = c 1:9 rwm' \
        'allow = c 136:* rwm'
} >"$limited"

names=(plain limited)
declare -A label=([plain]="no cgroup settings" [limited]="memory+pids+cpu+devices")
run_plain() { "$kiste" execute -f "$plain" -- /bin/true; }
run_limited() { "$kiste" execute -f "$limited" -- /bin/true; }
for n in "${names[@]}"; do
    if ! out=$("run_$n" 2>&1); then
        echo "bench-cgroup: ${label[$n]} does not run here:"
        tail -5 <<<"$out" | sed 's/^/    /'
        exit 1
    fi
done

declare -A samples=() failures=()
time_one() { bench_timed "$1" "run_$1"; }
for ((i = 0; i < warmup; i++)); do run_plain >/dev/null 2>&1; run_limited >/dev/null 2>&1; done
for ((i = 0; i < runs; i++)); do
    for ((k = 0; k < 2; k++)); do time_one "${names[(i + k) % 2]}"; done
done

declare -A median=()
echo
echo "kiste execute -- /bin/true: $runs runs each, interleaved, after $warmup warm-up runs"
echo "cgroup layout: $layout; kernel $(uname -r), $(nproc) CPUs"
echo
printf '  %-26s %10s %9s %9s %9s %9s\n' variant "median ms" "mean ms" "min ms" "p90 ms" failures
for n in "${names[@]}"; do
    bench_row 26 "${label[$n]}" "$n"
done
echo
awk -v a="${median[limited]}" -v b="${median[plain]}" \
    'BEGIN { printf "  difference (limited - plain): %.2f ms   (target: below 1 ms)\n", a - b }'
for n in "${names[@]}"; do
    if ((${failures[$n]:-0} > 0)); then
        echo "  ${label[$n]}: ${failures[$n]} failed runs; last errors:"
        tail -3 "$work/$n.err" | sed 's/^/    /'
    fi
done
