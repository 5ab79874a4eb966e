#!/usr/bin/env bash
# tests/vm/run-suite.sh [-B BUILD_DIR] SUITE
#
# Boots one test VM and runs one suite of BUILD_DIR/kiste-integration-tests in
# it (each case in its own process, see guest-gtest.sh). The suites:
#   cgroup2  kiste's cgroup manager on a pure cgroup v2 host
#            (KISTE_TEST_REQUIRE_V2=1: the v2 tests fail instead of skipping)
#   net      the link types this host's kernel lacks: vlan, ipvlan, dummy
#            (modules 8021q, ipvlan, dummy; KISTE_TEST_REQUIRE_VM=1)
# VM_FILTER=PATTERN replaces the suite's GoogleTest filter (a by-hand run of
# one case); VM_TEST_TIMEOUT (s, 300) bounds each case, VM_TIMEOUT (s, 1800) the
# whole guest. Results: BUILD_DIR/vm-results/SUITE/ (counts, results, xml/).
# Exit status: 0 all passed, 1 some failed, 255 the guest did not run the suite.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
if [[ ${1:-} == -B ]]; then
    build=$(realpath -m "$2")
    shift 2
fi
suite=${1:-}
mods=()
case $suite in
    cgroup2)
        # CgroupV2Vm: the cgroup manager's v2 tests (enforcement, device
        # programs, cgroup:mixed). CgroupUnified: the v2 manager's own tests.
        # System.* and Attach.*: system containers under their monitor and
        # attach, with v2 cgroups (not the 50-container test: minutes under
        # emulation). VmSmoke*: the guest itself. (CgroupV1, CgroupEnforce,
        # CgroupMountAuto and CgroupCli skip on v2 by design; CgroupV2Vm is
        # their v2 counterpart.)
        filter='CgroupV2Vm.*:CgroupUnified.*:System.*:Attach.*:AttachUserns.*:VmSmoke.CgroupV2*:VmSmokeKiste.*'
        filter+='-System.FiftyConcurrentContainers'
        envs=(KISTE_TEST_REQUIRE_V2=1)
        ;;
    net)
        filter='NetVm.*:VmSmoke.LinkTypes*'
        envs=(KISTE_TEST_REQUIRE_VM=1)
        mods=(8021q ipvlan dummy)
        ;;
    *)
        sed -n '2,14s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
esac
filter=${VM_FILTER:-$filter}
bin=$build/kiste-integration-tests
[[ -x $bin ]] || {
    echo "run-suite: $bin is missing: build first (make build)" >&2
    exit 255
}

out=$build/vm-results/$suite
rm -rf "$out"
mkdir -p "$out"
margs=()
for m in "${mods[@]+"${mods[@]}"}"; do margs+=(-k "$m"); done
for e in "${envs[@]}"; do margs+=(-e "$e"); done

echo "vm-$suite: booting a pure cgroup v2 guest for '$filter'"
t0=$SECONDS
cd "$root" || exit 255
# -s: a checkout or build tree below /tmp is hidden by the guest's own /tmp.
"$here/run-in-vm.sh" -s "$root" -s "$build" -w "$out" "${margs[@]}" -t "${VM_TIMEOUT:-1800}" -- \
    "$here/guest-gtest.sh" "$bin" "$filter" "$out" "${VM_TEST_TIMEOUT:-300}"
rc=$?
secs=$((SECONDS - t0))
if [[ ! -s $out/counts ]]; then
    echo "vm-$suite: FAILED: the guest did not run the suite (status $rc, ${secs}s); see above" >&2
    exit 255
fi
read -r p f s <"$out/counts"
echo "vm-$suite: $p passed, $f failed, $s skipped in ${secs}s (per case: $out/results)"
grep -v '^PASSED' "$out/results" | sed "s/^/vm-$suite:   /"
((f == 0 && rc == 0)) && exit 0
exit 1
