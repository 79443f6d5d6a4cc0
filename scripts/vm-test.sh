#!/usr/bin/env bash
# Run every chapter's lab tests in a throwaway VM with a pure cgroup v2 kernel.
#
#   sudo scripts/vm-test.sh     (env: VM_TIMEOUT=600 seconds, VM_TEST_THREADS=2)
#   sudo scripts/vm-test.sh --book book/sessions/ch03 OUT
#       instead of the tests, run the book's sessions in DIR (as
#       book/sessions/run-session.sh does on the host) and write what each
#       printed to OUT/NAME.raw (and OUT/NAME.pids); scripts/book-output.sh
#       does this for chapters whose pages show cgroup v2.
#
# Learners' machines mount only cgroup v2; CI machines are "hybrid" (v1
# controllers plus a nearly empty v2). To test the v2 code for real we boot
# Debian's cloud kernel in qemu, with an initramfs that holds everything the
# tests need, run the tests as PID 1's children, and read the results from the
# serial console. No disk image, no network, no distribution inside: just the
# kernel, busybox, a few host tools and our binaries.
#
# Everything slow is cached in target/vm-cache: the kernel, qemu when apt
# cannot install it, and the part of the initramfs that holds busybox, the
# tools and the modules. A second run only rebuilds the archive with the
# project's binaries. The VM's console is kept in target/vm-cache/console.log.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
self=scripts/vm-test.sh
book_dir="" book_out="" book_sessions=""
if [ "${1:-}" = --book ]; then
    book_dir=$(cd "$2" && pwd) book_out=$3
    # "NAME FILE" a line: NAME is the output's, CHAPTER-NAME from DIR/NN-NAME.sh.
    book_sessions=$(for file in "$book_dir"/[0-9]*.sh; do
        echo "$(basename "$book_dir")-$(basename "$file" .sh | sed 's/^[0-9]*-//') $file"
    done)
fi
target="${CARGO_TARGET_DIR:-$top/target}"
cache="$target/vm-cache"
export PATH="$HOME/.cargo/bin:$PATH" DEBIAN_FRONTEND=noninteractive
busybox="${BUSYBOX:-/bin/busybox}"
# loop: a block device for the io.max check; nf_* and nft_*: chapter 4's NAT
# rules (nat chains, masquerade, dnat, fib, ct).
modules_wanted="overlay veth bridge loop nf_tables nft_chain_nat nft_nat nft_masq nft_ct nft_fib_ipv4"
# Host programs the tests run outside a container (sh -c scripts, ps, ipcmk,
# setpriv, ...). Busybox has applets of the same names, but not the same
# options: procps' `ps -e -o pid=,comm=` is not busybox's ps. Same binaries
# as on the host, same behaviour. /bin/sh is the host's (dash on Debian).
tools="sh ps ipcmk ipcrm setpriv cat readlink grep seq sleep tr cut mktemp cp
       hostname id ls true false stat head wc touch env ip ping nft timeout nsenter umoci tail rm runc script
       apparmor_parser bash dmesg losetup mkfs.ext4 dd truncate"

if [ "$(id -u)" != 0 ]; then
    echo "vm-test.sh: run as root (it installs packages and builds an initramfs)" >&2
    exit 1
fi
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
log() { echo "vm-test.sh: $*" >&2; }
# apt's package lists may be missing or stale on a fresh machine: update once, retry.
apt_get() { apt-get -qq -o APT::Sandbox::User=root "$@" || { apt-get update -qq && apt-get -qq -o APT::Sandbox::User=root "$@"; }; }
# The shared libraries an ELF program loads (ldd), the dynamic loader included.
libs_of() { { ldd "$@" 2>/dev/null || true; } | awk '$1 ~ /^\/.*[^:]$/ {print $1} $3 ~ /^\// {print $3}' | sort -u; }
# Copy files into a staging tree at the same absolute paths (following symlinks).
stage_files() { local dest=$1; shift; [ $# = 0 ] || cp -L --parents "$@" "$dest/"; }
# A fresh staging tree. Debian 12 has merged /usr: /bin, /sbin, /lib and /lib64
# are symlinks into /usr, and must be in every archive we make (else a real
# /lib directory in one archive would replace the other's /lib symlink).
new_stage() {
    rm -rf "$1"
    mkdir -p "$1"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc/vm-test}
    for d in bin sbin lib lib64; do
        if [ -L "/$d" ]; then ln -s "usr/$d" "$1/$d"; else mkdir "$1/$d"; fi
    done
}
# An initramfs is a cpio archive in the "newc" format; root owns everything.
make_cpio() { (cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet); }

# What this script itself runs: jq (cargo's JSON), cpio (the initramfs),
# depmod (the kernel's module list).
for tool in jq cpio depmod; do
    command -v "$tool" >/dev/null || missing_tools="${missing_tools:-} $tool"
done
if [ -n "${missing_tools:-}" ]; then
    # shellcheck disable=SC2086 # a list of package names (depmod is in kmod)
    apt_get install -y --no-install-recommends ${missing_tools/depmod/kmod}
fi

# --- 1. The project's binaries, on the host --------------------------------
# `cargo test --no-run` prints, as JSON, where each test executable is. The
# tests find the chapter binaries by an absolute path compiled into them
# (env!("CARGO_BIN_EXE_ch01-unshare")), so the VM gets every file at the same
# path as here: no path rewriting, and the test binaries run unchanged.
cargo build --workspace --message-format=json-render-diagnostics >"$cache/build.json"
cargo test --workspace --no-run --message-format=json-render-diagnostics >"$cache/test.json"
bins=$(jq -r 'select(.reason == "compiler-artifact" and .executable != null
                     and (.target.kind | any(. == "bin"))) | .executable' "$cache/build.json" | sort -u)
# Every chapter's integration tests (its lab checks in tests/lab.rs, and any
# others in tests/): "01-unshare/lab /abs/path/to/lab-HASH". Not
# tests/registry.rs and chapter 7's tests/clients.rs: a registry server, podman
# and containerd do not depend on the kernel's cgroups, and the VM has none
# of them to run.
labs=$(jq -r 'select(.reason == "compiler-artifact" and .executable != null
                     and (.target.src_path | test("/chapters/[^/]+/tests/[^/]+\\.rs$"))
                     and (.target.src_path | test("/tests/registry\\.rs$|/07-security/tests/clients\\.rs$") | not))
              | "\(.target.src_path | capture("/chapters/(?<c>[^/]+)/").c)/\(.target.name) \(.executable)"' \
         "$cache/test.json" | sort -u)
[ -n "$labs" ] || { log "no chapters/*/tests/*.rs test binary found"; exit 1; }
[ -z "$book_dir" ] || labs="" # the book's sessions instead
rootfs=$(scripts/rootfs.sh)
# Chapter 2's escape program, static (the busybox rootfs has no libc); the VM
# has no rustc, so it is built here and named by BURROW_ESCAPE_BIN.
escape="$cache/chroot-escape"
escape_src=chapters/02-chroot/lab/chroot-escape.rs
if [ -f "$escape_src" ] && [ ! "$escape" -nt "$escape_src" ]; then
    rustc --edition 2021 -O -C target-feature=+crt-static "$escape_src" -o "$escape"
fi
if ldd "$busybox" >/dev/null 2>&1; then
    log "$busybox is not static: apt-get install busybox-static, or set BUSYBOX"
    exit 1
fi

# --- 2. A kernel and qemu (cached) -------------------------------------------
# The cloud kernel: small, no hardware drivers, boots in seconds. Its package
# name carries the ABI version; the meta-package says which one is current.
current_kernel() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}'; }
kpkg=$(current_kernel)
[ -n "$kpkg" ] || { apt-get update -qq && kpkg=$(current_kernel); }
[ -n "$kpkg" ] || { log "apt knows no linux-image-cloud-amd64"; exit 1; }
kver=${kpkg#linux-image-}
kdir="$cache/kernel-$kver"
if [ ! -e "$kdir/.done" ]; then
    log "downloading $kpkg"
    rm -rf "$cache"/kernel-* "$cache/base.cpio.gz"
    tmp=$(mktemp -d "$cache/.dl.XXXXXX")
    (cd "$tmp" && apt_get download "$kpkg")
    dpkg -x "$tmp"/*.deb "$kdir"
    rm -rf "$tmp"
    # The package has no modules.dep (its postinst makes it): make it here.
    depmod -b "$kdir" "$kver"
    touch "$kdir/.done"
fi

# qemu from apt. On machines with a backported qemu-utils, apt refuses
# Debian 12's qemu-system-x86 (qemu-utils "Breaks" its qemu-system-common),
# so then install the libraries it needs and unpack qemu itself in the cache:
# the binary, its modules (TCG is one) and firmware (the BIOS), which it finds
# relative to where the binary is.
qemu=$(command -v qemu-system-x86_64 || echo "$cache/qemu/usr/bin/qemu-system-x86_64")
if [ ! -x "$qemu" ]; then
    log "installing qemu-system-x86"
    if ! apt-get install -qq -y --no-install-recommends qemu-system-x86; then
        log "apt refused qemu-system-x86: unpacking it into $cache/qemu instead"
        deps=$(apt-cache depends qemu-system-x86 | awk '/Depends: lib/ {print $2}')
        # shellcheck disable=SC2086 # a list of package names
        apt_get install -y --no-install-recommends $deps
        tmp=$(mktemp -d "$cache/.dl.XXXXXX")
        (cd "$tmp" && apt_get download qemu-system-x86 qemu-system-common qemu-system-data seabios)
        for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$cache/qemu"; done
        rm -rf "$tmp"
    fi
    qemu=$(command -v qemu-system-x86_64 || echo "$cache/qemu/usr/bin/qemu-system-x86_64")
fi

# --- 3. The initramfs: a cached base, plus the project's files ------------------
# The kernel unpacks concatenated cpio archives one after the other, so the
# part that rarely changes (busybox, host tools, modules, /init) is built once
# and the project's binaries go in a second archive made on every run.
tool_paths=$(for t in $tools; do type -P "$t" || { log "missing host tool $t" >&2; exit 1; }; done)
# shellcheck disable=SC2086 # lists of paths without spaces
tool_libs=$(libs_of $tool_paths)
# Modules and their dependencies, dependencies first (modules.dep lists them
# for each module, the ones it needs directly first: load them in reverse).
mods=$(for m in $modules_wanted; do
    line=$(grep -E "/$m\.ko(\.[a-z]+)?:" "$kdir/lib/modules/$kver/modules.dep") || continue
    # shellcheck disable=SC2086
    printf '%s\n' ${line#*:} | tac
    echo "${line%%:*}"
done | awk '!seen[$0]++')
# shellcheck disable=SC2086
stamp=$(cat "$self" scripts/vm/init "$busybox" | sha256sum; echo "$kver $mods"; stat -L -c '%n %s %Y' $tool_paths $tool_libs)
base="$cache/base.cpio.gz"
if [ ! -s "$base" ] || [ "$(cat "$base.stamp" 2>/dev/null)" != "$stamp" ]; then
    log "building the base initramfs (busybox, tools, modules)"
    stage="$cache/base"
    new_stage "$stage"
    mkdir -p "$stage"/{proc,sys,dev,tmp,newroot}
    chmod 1777 "$stage/tmp"
    # shellcheck disable=SC2086
    stage_files "$stage" $tool_paths $tool_libs
    cp "$busybox" "$stage/bin/busybox"
    # Busybox applets fill the gaps (mount, insmod, poweroff, ...), never
    # replacing a host tool copied above.
    "$busybox" --list-full | while read -r applet; do
        [ -e "$stage/$applet" ] || [ -L "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
    done
    for m in $mods; do
        mkdir -p "$stage/lib/modules/$kver/$(dirname "$m")"
        cp "$kdir/lib/modules/$kver/$m" "$stage/lib/modules/$kver/$m"
        echo "/lib/modules/$kver/$m"
    done >"$stage/etc/vm-test/modules"
    install -m 755 scripts/vm/init "$stage/init"
    make_cpio "$stage" | gzip -1 >"$base.tmp"
    # The next archive must start on a 4-byte boundary; the kernel skips zeros.
    truncate -s %4 "$base.tmp"
    mv "$base.tmp" "$base"
    echo "$stamp" >"$base.stamp"
    rm -rf "$stage"
fi

# The project's part: binaries, test binaries, their libraries, the busybox
# rootfs, and what /init reads: which labs to run, with which environment.
stage="$cache/project"
new_stage "$stage"
lab_paths=$(cut -d' ' -f2 <<<"$labs")
# Every directory on the way is made 0755, as in a fresh checkout: the user
# check runs the binary as uid 65534 (nobody), which must reach it.
# shellcheck disable=SC2086,SC2046
stage_files "$stage" $bins $lab_paths $(libs_of $bins $lab_paths)
mkdir -p "$stage/$(dirname "$rootfs")"
cp -a "$rootfs" "$stage/$rootfs"
[ ! -f "$escape" ] || stage_files "$stage" "$escape"
echo "$labs" >"$stage/etc/vm-test/labs"
if [ -n "$book_dir" ]; then
    stage_files "$stage" "$top/book/sessions/run-session.sh" "$book_dir"/[0-9]*.sh
    # Every root filesystem the sessions may name (the Node.js one, too).
    for tree in "$(dirname "$rootfs")"/*/; do
        [ "${tree%/}" = "$rootfs" ] || cp -a --parents "${tree%/}" "$stage/"
    done
    echo "$book_sessions" >"$stage/etc/vm-test/book"
fi
cat >"$stage/etc/vm-test/env" <<ENV
export BURROW_REQUIRE_ROOT=1 BURROW_ROOTFS=$rootfs BURROW_ESCAPE_BIN=$escape
export RUST_BACKTRACE=1 VM_TEST_THREADS=${VM_TEST_THREADS:-2}
ENV
[ -z "$book_dir" ] || echo "export BOOK_TOP=$top" >>"$stage/etc/vm-test/env"
make_cpio "$stage" >"$cache/project.cpio"
rm -rf "$stage"
cat "$base" "$cache/project.cpio" >"$cache/initrd"

# --- 4. Boot --------------------------------------------------------------------
# TCG: qemu emulates the CPU in software. Slower than KVM, but /dev/kvm hangs
# on these machines (nested virtualisation), and TCG works anywhere.
# -nographic: no screen; the serial port (ttyS0, the kernel's console) is
# qemu's stdout. -no-reboot + panic=-1: if /init dies, the kernel panics, reboots, and qemu
# exits instead of looping. `timeout` bounds a VM that hangs.
out="$cache/console.log"
boot() {
    timeout "${VM_TIMEOUT:-600}" "$qemu" -accel tcg -m 2048 -smp 2 -nographic -vga none -no-reboot -nic none \
        -kernel "$(ls "$kdir"/boot/vmlinuz-*)" -initrd "$cache/initrd" \
        -append "console=ttyS0 quiet panic=-1" </dev/null 2>&1 |
        sed -u -e 's/\r$//' -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' >"$out" # no CRs, no BIOS screen codes
}
# Now and then TCG stalls in the firmware ("Booting from ROM..." and nothing
# more): if /init has not spoken within a minute, kill that VM and boot again.
qemu_status=1
for attempt in 1 2 3; do
    log "booting $kver in qemu (TCG), attempt $attempt, timeout ${VM_TIMEOUT:-600}s"
    boot &
    vm=$!
    for _ in $(seq 120); do
        grep -q '^vm-test: kernel' "$out" 2>/dev/null && break
        kill -0 "$vm" 2>/dev/null || break
        sleep 0.5
    done
    if grep -q '^vm-test: kernel' "$out"; then
        set +e
        wait "$vm"
        qemu_status=$?
        set -e
        break
    fi
    log "the VM did not boot within 60 s; killing it"
    pkill -KILL -f "$cache/initrd" || true
    wait "$vm" || true
done
cat "$out"

# --- 5. Results -------------------------------------------------------------------
# The book's sessions: each raw output and pid list came base64-encoded
# between "vm-book: raw NAME" (or "pids NAME") and "vm-book: end".
if [ -n "$book_dir" ]; then
    mkdir -p "$book_out"
    awk -v out="$book_out" '
        /^vm-book: (raw|pids) / { file = out "/" $3 "." $2; printf "" >file; next }
        /^vm-book: end/ { close(file); file = ""; next }
        file != "" { print >>file }' "$out"
    for encoded in "$book_out"/*.raw "$book_out"/*.pids; do
        [ -e "$encoded" ] || continue
        base64 -d "$encoded" >"$encoded.tmp" && mv "$encoded.tmp" "$encoded"
    done
    [ "$qemu_status" = 0 ] && grep -q '^vm-test: done' "$out" || { log "the VM did not finish the book's sessions"; exit 1; }
    while read -r name _; do
        [ -e "$book_out/$name.raw" ] || { log "no output from session $name"; exit 1; }
    done <<<"$book_sessions"
    exit 0
fi
# libtest ends each binary with "test result: ok. 12 passed; 0 failed; ...".
read -r passed failed < <(sed -nE 's/^test result: .* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "$out" |
    awk '{p += $1; f += $2} END {print p + 0, f + 0}')
ok=1
[ "$qemu_status" = 0 ] || { log "qemu exited with $qemu_status (124: timed out)"; ok=0; }
grep -q '^vm-test: done' "$out" || { log "the VM did not finish (no 'vm-test: done' marker)"; ok=0; }
grep -q '^vm-test: cgroup.controllers: .*memory' "$out" || { log "no cgroup v2 memory controller in the VM"; ok=0; }
while read -r name _; do
    grep -q "^vm-test: end $name exit=0$" "$out" || { log "lab $name failed or did not finish"; ok=0; }
done <<<"$labs"
[ "$passed" -gt 0 ] || { log "no test ran"; ok=0; }
echo "vm-test: $passed passed, $failed failed"
[ "$ok" = 1 ] && [ "$failed" = 0 ]
