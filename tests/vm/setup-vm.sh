#!/usr/bin/env bash
# tests/vm/setup-vm.sh [CACHE_DIR]
#
# Prepares what tests/vm/run-in-vm.sh boots: Debian's own kernel (the
# linux-image-amd64 of the host's apt sources) and a busybox initramfs that
# mounts the host's / read-only over 9p under a tmpfs overlay, with only
# cgroup2 mounted. Nothing is installed on the host: the kernel package is
# unpacked into the cache.
#
# CACHE_DIR (default $KISTE_VM_CACHE, else /var/cache/kiste/vm) holds one
# folder per kernel version, and `current`, a link to the one to boot:
#   KVER/kernel/     the unpacked package (modules + depmod data)
#   KVER/vmlinux     the uncompressed kernel (QEMU boots it through PVH, so the
#                    emulated CPU never runs the decompressor: seconds saved)
#   KVER/initrd.gz   busybox PID 1 (guest-init.sh), which hands over to
#                    guest-stage2.sh (read from this folder at each boot)
# A second run finds the kernel in the cache and downloads nothing; only the
# small initramfs is rebuilt when this script changed. When apt cannot name a
# kernel (no lists, no mirror) a cached one is used, with a warning.
#
# Needs: qemu-system-x86 (qemu-system-x86_64, qboot.rom), kmod (depmod),
# busybox-static, xz-utils; root to write the cache; the Debian mirror the
# first time. Prints the asset folder (CACHE_DIR/current) on its last line.
# Exit status: 0 ready, 1 with a message naming what is missing.
set -euo pipefail

cache=$(realpath -m "${1:-${KISTE_VM_CACHE:-/var/cache/kiste/vm}}")
self=$(realpath "$0")

die() {
    printf 'setup-vm: %s\n' "$*" >&2
    exit 1
}
note() { printf 'setup-vm: %s\n' "$*" >&2; }

# ---- host tools --------------------------------------------------------------
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=("qemu-system-x86_64 (package qemu-system-x86)")
[[ -r /usr/share/qemu/qboot.rom ]] || missing+=("/usr/share/qemu/qboot.rom (package qemu-system-x86)")
command -v depmod >/dev/null || [[ -x /sbin/depmod ]] || missing+=("depmod (package kmod)")
command -v xz >/dev/null || missing+=("xz (package xz-utils)")
[[ -x /bin/busybox ]] || missing+=("/bin/busybox (package busybox-static)")
if ((${#missing[@]})); then
    die "cannot build the test VM, missing: ${missing[*]}; run scripts/install-deps (as root)"
fi
# The initramfs has no libc: a dynamic busybox (package busybox) cannot run there.
if ldd /bin/busybox >/dev/null 2>&1; then
    die "/bin/busybox is dynamically linked; the VM's initramfs needs busybox-static"
fi
depmod=$(command -v depmod || echo /sbin/depmod)

mkdir -p "$cache" 2>/dev/null || die "cannot create the cache folder $cache (run as root, or set KISTE_VM_CACHE)"
[[ -w $cache ]] || die "cache folder $cache is not writable (run as root, or set KISTE_VM_CACHE)"
# Two `make test` at once must not unpack into the same folder.
exec 9>"$cache/.lock"
flock 9

# ---- which kernel --------------------------------------------------------------
# The versioned package linux-image-amd64 depends on, e.g. linux-image-6.1.0-41-amd64.
kernel_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
pkg=$(kernel_pkg)
if [[ -z $pkg && $EUID -eq 0 ]]; then
    note "apt knows no linux-image-amd64: running apt-get update"
    apt-get -q update >&2 || true
    pkg=$(kernel_pkg)
fi
if [[ -z $pkg ]]; then
    if [[ -e $cache/current/stamp ]]; then
        note "warning: apt cannot name a kernel (no package lists?); using the cached $(readlink "$cache/current")"
        pkg=linux-image-$(readlink "$cache/current")
    else
        die "apt cannot name a kernel package (apt-cache depends linux-image-amd64 found none) and nothing is cached in $cache; check the Debian apt sources and run apt-get update"
    fi
fi
kver=${pkg#linux-image-}
dir=$cache/$kver
here=$(dirname "$self")
stamp="$kver $(cat "$self" "$here/guest-init.sh" | sha256sum | cut -c1-16)"
if [[ -e $dir/stamp && $(cat "$dir/stamp") == "$stamp" ]]; then
    ln -sfn "$kver" "$cache/current"
    echo "$cache/current"
    exit 0
fi

# ---- the kernel package, once per version ---------------------------------------
if [[ ! -e $dir/kernel/.complete ]]; then
    note "downloading $pkg from the Debian mirror (about 70 MB, once per kernel version)"
    rm -rf "$dir" "$cache/.dl"
    mkdir -p "$cache/.dl" "$dir"
    # apt's sandbox user cannot write root's folders; this one is ours alone.
    chmod 777 "$cache/.dl"
    (cd "$cache/.dl" && apt-get -q download "$pkg") >&2 ||
        die "cannot download $pkg (apt-get download failed): is the Debian mirror reachable?"
    dpkg-deb -x "$cache/.dl/${pkg}"_*.deb "$dir/kernel" || die "cannot unpack $pkg"
    rm -rf "$cache/.dl"
    # Drivers a 9p/virtio guest never loads: a third of the package's size.
    k=$dir/kernel/lib/modules/$kver/kernel
    rm -rf "$k/drivers/gpu" "$k/drivers/media" "$k/sound" "$k/drivers/net/wireless" \
        "$k/drivers/infiniband" "$k/drivers/staging" "$k/drivers/bluetooth" "$k/net/bluetooth" \
        "$k/drivers/iio" "$k/drivers/input/touchscreen" "$k/drivers/hid" "$k/drivers/usb"
    "$depmod" -b "$dir/kernel" "$kver" || die "depmod over $dir/kernel failed"
    touch "$dir/kernel/.complete"
fi

# bzImage -> ELF vmlinux: the payload is one xz stream after the setup code.
vmlinuz=$dir/kernel/boot/vmlinuz-$kver
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
[[ -n $off ]] || die "$vmlinuz: no xz payload found (not a Debian amd64 kernel?)"
# (tail gets SIGPIPE when xz stops at the stream's end: only xz's status counts)
xz -dc --single-stream < <(tail -c +$((off + 1)) "$vmlinuz") >"$dir/vmlinux.tmp" ||
    die "cannot decompress $vmlinuz"
[[ $(head -c4 "$dir/vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] ||
    die "$vmlinuz: the decompressed payload is not an ELF kernel"
mv "$dir/vmlinux.tmp" "$dir/vmlinux"

# ---- the initramfs ------------------------------------------------------------
tmp=$(mktemp -d "$cache/.initrd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,proc,sys,dev,newroot,lower,upper,mods}
cp /bin/busybox "$tmp/bin/"
for a in sh mount umount mkdir insmod echo cat ls sleep reboot switch_root hostname ip stty; do
    ln -s busybox "$tmp/bin/$a"
done
k=$dir/kernel/lib/modules/$kver/kernel
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
    drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci fs/netfs/netfs \
    fs/fscache/fscache net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p fs/overlayfs/overlay; do
    # A module built into a later kernel is simply not there.
    [[ -e $k/$m.ko ]] && cp "$k/$m.ko" "$tmp/mods/"
done
cp "$here/guest-init.sh" "$tmp/init"
chmod 755 "$tmp/init"
(cd "$tmp" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$dir/initrd.gz"
echo "$stamp" >"$dir/stamp"
ln -sfn "$kver" "$cache/current"
note "ready: kernel $kver in $dir"
echo "$cache/current"
