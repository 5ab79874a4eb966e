#!/usr/bin/env bash
# tests/vm/run-in-vm.sh [-w DIR]... [-s DIR]... [-k MODULE]... [-e VAR=VAL]... [-m MB] [-c CPUS] [-t SECONDS] [--] CMD [ARG...]
#
# Boots Debian's kernel under QEMU with a pure cgroup v2 hierarchy and runs
# CMD as root, in the root cgroup, in the caller's working directory; then
# powers off and exits with CMD's status.
#   * the guest's / is the host's / read-only (9p) under a tmpfs overlay: the
#     guest sees the build tree at its own path and may write anywhere, the
#     host stays untouched; /tmp, /var/tmp, /run and /dev/shm are the guest's
#     own tmpfs (the host's /tmp is hidden)
#   * -w DIR   shares host DIR read-write at the same path (put results there)
#   * -s DIR   shows host DIR at the same path although it lies below one of
#     the guest's own tmpfs (a checkout in /tmp), copy-on-write like the rest
#     of /; the current directory is shown so without asking
#   * -k MOD   modprobe MOD before CMD; CMD does not run (status 3) if it fails
#   * -e VAR=VAL  exported to CMD
#   * -m MB, -c CPUS  guest memory (2048) and CPUs (2); -t SECONDS  time limit
# CMD's output (and the guest's console) comes out on stdout. Exit status:
# CMD's, or 255 when the guest died, timed out or could not boot, with the
# reason on stderr.
#
# Assets: $VM_ASSETS, else the cache of tests/vm/setup-vm.sh (run here when
# nothing is cached yet; $KISTE_VM_CACHE, default /var/cache/kiste/vm).
# Environment: VM_MEM, VM_CPUS, VM_TIMEOUT (s, 1800), VM_KCMD (kernel log
# options, default "quiet loglevel=1"; "loglevel=7" shows the boot), VM_ACCEL
# (tcg; kvm only where /dev/kvm runs normal guests, which it does not on the
# machines kiste is developed on).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mem=${VM_MEM:-2048} cpus=${VM_CPUS:-2} accel=${VM_ACCEL:-tcg} limit=${VM_TIMEOUT:-1800}
rw=() envs=() mods=() shown=()
usage() {
    sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
while (($#)); do
    case "$1" in
        -w)
            [[ -d ${2:-} ]] || {
                echo "run-in-vm: -w ${2:-}: not a folder" >&2
                exit 2
            }
            rw+=("$(realpath "$2")")
            shift 2
            ;;
        -s)
            [[ -d ${2:-} ]] || {
                echo "run-in-vm: -s ${2:-}: not a folder" >&2
                exit 2
            }
            shown+=("$(realpath "$2")")
            shift 2
            ;;
        -k) mods+=("$2") && shift 2 ;;
        -e) envs+=("$2") && shift 2 ;;
        -m) mem=$2 && shift 2 ;;
        -c) cpus=$2 && shift 2 ;;
        -t) limit=$2 && shift 2 ;;
        -h | --help) usage ;;
        --)
            shift
            break
            ;;
        *) break ;;
    esac
done
(($#)) || usage

die() {
    printf 'run-in-vm: %s\n' "$*" >&2
    exit 255
}
command -v qemu-system-x86_64 >/dev/null ||
    die "qemu-system-x86_64 not found: install qemu-system-x86 (scripts/install-deps)"
[[ -r /usr/share/qemu/qboot.rom ]] || die "/usr/share/qemu/qboot.rom not found: install qemu-system-x86"
assets=${VM_ASSETS:-}
if [[ -z $assets ]]; then
    assets=$("$here/setup-vm.sh" | tail -1) || die "tests/vm/setup-vm.sh failed: no kernel to boot"
fi
for f in vmlinux initrd.gz kernel; do
    [[ -e $assets/$f ]] || die "$assets/$f missing: run tests/vm/setup-vm.sh"
done
kver=$(basename "$(realpath "$assets")")

ctl=$(mktemp -d /tmp/kiste-vmctl.XXXXXX)
trap 'rm -rf "$ctl"' EXIT
cp "$here/guest-stage2.sh" "$ctl/stage2.sh"
realpath "$assets/kernel/lib/modules" >"$ctl/moddir"
pwd >"$ctl/cwd"
printf '%q ' "$@" >"$ctl/cmd.sh"
echo >>"$ctl/cmd.sh"
printf '%s\n' "${mods[@]+"${mods[@]}"}" >"$ctl/modules"
: >"$ctl/env"
for e in "${envs[@]+"${envs[@]}"}"; do
    printf 'export %q=%q\n' "${e%%=*}" "${e#*=}" >>"$ctl/env"
done
: >"$ctl/rwdirs"
# The guest mounts its own tmpfs on these: what the command needs from below
# them (its working directory, a checkout in /tmp) is shown again there.
: >"$ctl/showdirs"
for d in "$(pwd -P)" "${shown[@]+"${shown[@]}"}"; do
    case $d in
        /tmp | /tmp/* | /var/tmp | /var/tmp/* | /run | /run/* | /dev/shm | /dev/shm/*)
            echo "$d" >>"$ctl/showdirs"
            ;;
    esac
done
fsdevs=()
i=0
for d in "${rw[@]+"${rw[@]}"}"; do
    echo "$d" >>"$ctl/rwdirs"
    fsdevs+=(-fsdev "local,id=rw$i,path=$d,security_model=passthrough"
        -device "virtio-9p-pci,fsdev=rw$i,mount_tag=rw$i")
    i=$((i + 1))
done
cpu=max
[[ $accel == kvm ]] && cpu=host

t0=$SECONDS
timeout -k 5 "$limit" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -M pc \
    -bios /usr/share/qemu/qboot.rom -m "$mem" -smp "$cpus" \
    -nodefaults -no-user-config -nographic -no-reboot -serial stdio -monitor none \
    -kernel "$assets/vmlinux" -initrd "$assets/initrd.gz" \
    -append "console=ttyS0 ${VM_KCMD:-quiet loglevel=1} panic=-1 edd=off rdinit=/init cgroup_no_v1=all" \
    -device virtio-rng-pci \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    -fsdev "local,id=ctl,path=$ctl,security_model=passthrough" \
    -device virtio-9p-pci,fsdev=ctl,mount_tag=ctl \
    "${fsdevs[@]+"${fsdevs[@]}"}" </dev/null
qrc=$?
if [[ -s $ctl/rc ]]; then
    rc=$(cat "$ctl/rc")
    ((rc == 3)) && ((${#mods[@]})) && echo "run-in-vm: a -k module could not be loaded (see above)" >&2
    exit "$rc"
fi
case $qrc in
    124 | 137) die "the guest (kernel $kver) ran past its time limit of ${limit}s and was killed" ;;
    0) die "the guest (kernel $kver) powered off after $((SECONDS - t0))s without an exit status: it failed to boot or its command died (see the console output above; VM_KCMD=loglevel=7 shows the boot)" ;;
    *) die "qemu-system-x86_64 failed with status $qrc (kernel $kver, assets $assets)" ;;
esac
