# The test VM's PID 1 after switch_root (busybox sh; run-in-vm.sh passes it in
# the control folder): loads the -k modules, runs the command as root from the
# root cgroup, records its exit status in the control folder, powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8
C=/.vm/ctl
rc=
# Under TCG an exec of a dynamic binary costs ~60-150 ms, of the static busybox
# a third of that; templates/busybox runs `ln` once per applet (~400 times a
# container). Busybox's ln and mkdir go first in PATH (same options and
# results for what the tests run: ln -sfn, mkdir -p).
mkdir -p /run/vm-bin
for a in ln mkdir; do ln -s /bin/busybox /run/vm-bin/$a; done
export PATH=/run/vm-bin:$PATH
if [ -s $C/modules ]; then
    for m in $(cat $C/modules); do
        # A module the command asked for and cannot have is a failed run, not
        # a test that later skips for a reason nobody reads.
        /sbin/modprobe "$m" || {
            echo "vm: modprobe $m failed (kernel $(uname -r))"
            rc=3
        }
    done
fi
if [ -z "$rc" ]; then
    [ -s $C/env ] && . $C/env
    cd "$(cat $C/cwd)" 2>/dev/null || cd /
    /bin/bash $C/cmd.sh </dev/null
    rc=$?
fi
echo $rc >$C/rc
sync
echo 0 >/proc/sys/kernel/printk
exec /bin/busybox reboot -f
