#!/usr/bin/env bash
# Install what burrow needs on Debian or Ubuntu, as root. Idempotent: what is
# already installed is not installed again, and apt's lists are only
# refreshed when a package is missing.
#
#   scripts/provision.sh          build + run: compiler, busybox, tools the tests observe with
#   scripts/provision.sh --ci     also what CI checks with (vagrant, mdbook)
#
# The Vagrantfile runs it in the lab VM; scripts/run.sh and scripts/test.sh
# run it on any machine.
set -euo pipefail

ci=0
[ "${1:-}" = --ci ] && ci=1
if [ "$(id -u)" != 0 ]; then
    echo "provision.sh: run me as root (sudo scripts/provision.sh)" >&2
    exit 1
fi

# The packages: a C toolchain (rustc links with cc), a static busybox for the
# rootfs, the tools tests use to observe the kernel (ps, ip, ipcmk, setpriv),
# nft, which chapter 4 feeds its NAT rules to, and for chapter 5's checks:
# umoci (makes images, and is compared against), a registry to pull from
# (docker-registry, filled by skopeo, htpasswd for its basic auth); runc,
# the reference runtime chapter 6 is compared with; podman, conmon and
# containerd, the real clients chapter 7 drives burrow with; uidmap's
# newuidmap for rootless maps; hyperfine for scripts/bench.sh; apparmor's
# apparmor_parser loads chapter 7's test profile (in the VM, where AppArmor is on);
# libseccomp-dev, which chapter 7's tests compare burrow's seccomp filters with;
# jq, with which the book's pages edit config.json; graphviz draws the book's
# pictures; strace, which chapter 4's pages trace ip and ch04-veth with;
# e2fsprogs and mount (losetup): chapter 3's page makes a disk to write to.
packages=(build-essential ca-certificates curl git python3 busybox-static procps iproute2 iputils-ping nftables umoci skopeo docker-registry apache2-utils runc util-linux
          podman conmon containerd uidmap hyperfine apparmor libseccomp-dev jq graphviz strace e2fsprogs mount)
# CI also builds the OCI runtime spec's validation suite (Go) for scripts/conformance.sh.
# And it opens every page of the built book in a real browser.
[ "$ci" = 1 ] && packages+=(vagrant golang-go chromium)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "provision.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Rust: the machine's toolchain if it is new enough (the workspace's
# rust-version), else rustup's stable.
export PATH="$HOME/.cargo/bin:$PATH"
rust_ok() {
    local v
    v=$(cargo --version 2>/dev/null | cut -d' ' -f2) || return 1
    [ "$(printf '%s\n' 1.82.0 "$v" | sort -V | head -1)" = 1.82.0 ]
}
if ! rust_ok; then
    echo "provision.sh: installing Rust with rustup" >&2
    curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
fi
command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest
if [ "$ci" = 1 ]; then
    command -v mdbook >/dev/null || cargo install --locked mdbook
fi
exit 0
