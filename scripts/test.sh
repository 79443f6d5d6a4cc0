#!/usr/bin/env bash
# Run every check burrow has, as root, on Debian or Ubuntu: formatting, lints,
# all tests (the root tests for real), the lab checker's own test, the OCI
# runtime spec's validation suite (scripts/conformance.sh), the book,
# the Vagrantfile, and last the leak check. Installs what it needs first.
#
#   sudo scripts/test.sh
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
    echo "test.sh: the tests create namespaces, mounts and cgroups: run as root (sudo scripts/test.sh)" >&2
    exit 1
fi
scripts/provision.sh --ci
export PATH="$HOME/.cargo/bin:$PATH"
# As root nothing may be skipped: a root test that skips fails instead.
export BURROW_REQUIRE_ROOT=1

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check
step "cargo clippy --all-targets -- -D warnings"
cargo clippy -q --workspace --all-targets -- -D warnings
step "the busybox rootfs"
scripts/rootfs.sh
step "tests (cargo nextest: a process per test)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
BURROW_LEAK_MARK=1 cargo nextest run --workspace --profile ci 2>&1 | tee "$log"
step "the chapters' tests again, on a pure cgroup v2 kernel (qemu)"
BURROW_LEAK_MARK=1 scripts/vm-test.sh 2>&1 | tee -a "$log"
step "the lab checker against a good and a broken binary"
BURROW_LEAK_MARK=1 scripts/lab-selftest.sh
step "the starter crates: each fails exactly the checks of its exercises"
# The chapters whose exercises are proven so far.
BURROW_LEAK_MARK=1 scripts/exercise-proof.sh 1
step "the OCI runtime spec's validation suite, burrow and runc side by side"
scripts/conformance.sh
step "the book"
scripts/check-book.sh
step "vagrant validate"
# The whole Vagrantfile where a provider (VirtualBox, libvirt) is installed;
# elsewhere everything but the provider blocks, which vagrant cannot load.
if ! out=$(vagrant validate 2>&1); then
    grep -q "No usable default provider" <<<"$out" || { echo "$out"; exit 1; }
    echo "no VM provider on this machine: validating without the provider blocks"
    vagrant validate --ignore-provider
else
    echo "$out"
fi
step "leak check"
scripts/check-leaks.sh

# One closing line that counts the tests, for people and CI alike (with set -e
# this line is only reached when every step passed).
host=$(grep -E '^ +Summary ' "$log" | tail -1 | sed -nE 's/.* ([0-9]+) passed.*/\1/p')
vm=$(sed -nE 's/^vm-test: ([0-9]+) passed.*/\1/p' "$log" | tail -1)
echo "(${host:-0} on this host, ${vm:-0} in the cgroup v2 VM)"
echo "tests: $((${host:-0} + ${vm:-0})) passed, 0 failed"
