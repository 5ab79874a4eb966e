#!/bin/sh
# PID 1 of the test VM's initramfs (busybox sh; setup-vm.sh packs it as /init).
# Builds the guest's root: the host's / read-only over 9p under a tmpfs
# overlay, fresh /tmp /run /dev (the host folders given with -s shown again
# below them), pure cgroup v2 with every controller enabled at the root, the
# host folders given with -w mounted read-write at their own paths; then
# switch_root to guest-stage2.sh, which runs the command.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# No way back to the host but the console: every failure says so there, then
# powers off (run-in-vm.sh then reports that no exit status came back).
die() {
    echo "vm: $*" >/dev/console
    reboot -f
}
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache \
    9pnet 9pnet_virtio 9p overlay; do
    [ -e /mods/$m.ko ] || continue
    insmod /mods/$m.ko || echo "vm: insmod $m failed"
done
O="trans=virtio,version=9p2000.L,msize=512000"
mount -t 9p -o $O,cache=loose,ro hostroot /lower || die "cannot mount the host's / (9p hostroot)"
mount -t tmpfs -o mode=755 upper /upper && mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot ||
    die "cannot mount the overlay root"
R=/newroot
C=$R/.vm/ctl
mkdir -p $C && mount -t 9p -o $O,cache=none ctl $C || die "cannot mount the control folder (9p ctl)"
mount --move /dev $R/dev
mount --move /proc $R/proc
mount --move /sys $R/sys
mkdir -p $R/dev/pts $R/dev/shm $R/dev/mqueue $R/lib/modules
# What udev would add: bash's <(...) needs /dev/fd.
ln -s /proc/self/fd $R/dev/fd
ln -s /proc/self/fd/0 $R/dev/stdin
ln -s /proc/self/fd/1 $R/dev/stdout
ln -s /proc/self/fd/2 $R/dev/stderr
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 shm $R/dev/shm
mount -t mqueue mqueue $R/dev/mqueue
# The guest kernel's own modules (from the cache), so that modprobe and the
# kernel's on-demand loading (vlan, ipvlan, dummy, ...) find them.
mount --bind "$R$(cat $C/moddir)" $R/lib/modules || die "cannot bind the guest's modules"
K=$R/lib/modules/$(uname -r)/kernel
# Modules whose /dev nodes must exist up front (no udev here).
for m in drivers/block/loop drivers/net/tun fs/autofs/autofs4; do
    [ -e $K/$m.ko ] && insmod $K/$m.ko 2>/dev/null
done
mount -t tmpfs -o mode=755 run $R/run
mount -t tmpfs -o mode=1777 tmp $R/tmp
mount -t tmpfs -o mode=1777 vartmp $R/var/tmp
# Pure v2: the kernel runs with cgroup_no_v1=all, and only cgroup2 is mounted.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 $R/sys/fs/cgroup ||
    die "cannot mount cgroup2"
mount -t bpf bpf $R/sys/fs/bpf 2>/dev/null
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mount -t securityfs securityfs $R/sys/kernel/security 2>/dev/null
for c in $(cat $R/sys/fs/cgroup/cgroup.controllers); do
    echo "+$c" >$R/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
        echo "vm: cannot enable controller $c"
done
hostname vm
ip link set lo up
# Host folders below the guest's own tmpfs (run-in-vm.sh -s, its working
# directory): the host's tree at the same path, copy-on-write like the rest of /.
i=0
while read -r p; do
    [ -n "$p" ] || continue
    mkdir -p /upper/s$i/u /upper/s$i/w "$R$p" &&
        mount -t overlay -o "lowerdir=/lower$p,upperdir=/upper/s$i/u,workdir=/upper/s$i/w" overlay "$R$p" ||
        die "cannot show the host's $p in the guest"
    i=$((i + 1))
done <$C/showdirs
i=0
while read -r p; do
    [ -n "$p" ] || continue
    mkdir -p "$R$p" && mount -t 9p -o $O,cache=mmap,rw "rw$i" "$R$p" ||
        die "cannot mount the shared folder $p (9p rw$i)"
    i=$((i + 1))
done <$C/rwdirs
# The serial console must not turn \n into \r\n in the test's output.
stty -onlcr </dev/console 2>/dev/null
exec switch_root $R /bin/busybox sh /.vm/ctl/stage2.sh
