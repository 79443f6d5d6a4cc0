//! Chapter 2's lab checks: each runs `ch02-chroot` (or the learner's binary
//! named by `BURROW_CH02_BIN`) as root on the busybox rootfs and asserts what
//! the kernel shows.

use burrow_lab::{ensure, random_name, run, Check, Failure, Run};
use std::path::{Path, PathBuf};

fn bin() -> PathBuf {
    burrow_lab::binary("BURROW_CH02_BIN", env!("CARGO_BIN_EXE_ch02-chroot"))
}

/// Run `sh -c SCRIPT` in `rootfs` with the extra flags.
fn sh(rootfs: &Path, flags: &[&str], script: &str) -> Result<Run, Failure> {
    let rootfs = rootfs.to_string_lossy();
    let mut args = vec!["--rootfs", &rootfs];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--", "/bin/sh", "-c", script]);
    run(&bin(), &args)
}

/// The host's mount points (the 5th field of each mountinfo line), sorted.
fn host_mounts() -> Vec<String> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut points: Vec<String> =
        table.lines().filter_map(|l| l.split(' ').nth(4)).map(String::from).collect();
    points.sort();
    points
}

#[test]
fn rootfs_is_the_root_and_the_command_is_pid_1() {
    Check {
        id: "ch02/rootfs",
        what: "/ is the rootfs, /proc/1/cmdline is CMD, the hostname is set",
        hint: "bind-mount the rootfs onto itself, chdir into it, pivot_root(\".\", \".\"), then mount proc on /proc",
        book: "ch02-chroot.md#pivot_root-a-new-root-for-the-whole-namespace",
    }
    .run(|| {
        let name = random_name("box-");
        let out = sh(&burrow_lab::rootfs(), &["--hostname", &name], "ls /; cat /proc/1/cmdline; echo; hostname")?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        let root: Vec<&str> = lines.iter().take_while(|l| !l.starts_with("/bin/sh")).copied().collect();
        ensure(root.contains(&"bin") && root.contains(&"proc") && !root.contains(&"boot"), "ls / shows the busybox rootfs, not the host's /", &out)?;
        ensure(out.stdout.contains("/bin/sh\0-c\0ls /;"), "/proc/1/cmdline to be CMD: /bin/sh -c ...", &out)?;
        ensure(lines.last() == Some(&name.as_str()), format!("hostname {name}"), &out)
    });
}

#[test]
fn host_files_are_not_visible() {
    Check {
        id: "ch02/host-invisible",
        what: "a marker file on the host cannot be read from inside the rootfs",
        hint: "after pivot_root the old root must be unmounted with umount2(MNT_DETACH)",
        book: "ch02-chroot.md#pivot_root-a-new-root-for-the-whole-namespace",
    }
    .run(|| {
        let dir = burrow_lab::temp_dir();
        let marker = dir.path().join("marker");
        let secret = random_name("secret-");
        std::fs::write(&marker, &secret)?;
        let out = sh(&burrow_lab::rootfs(), &[], &format!("cat {} || echo absent", marker.display()))?;
        ensure(
            !out.stdout.contains(&secret) && out.stdout.contains("absent"),
            format!("{} absent inside", marker.display()),
            &out,
        )
    });
}

#[test]
fn dev_holds_exactly_the_minimal_nodes() {
    Check {
        id: "ch02/dev",
        what: "/dev holds exactly null zero full random urandom tty, ptmx, pts, shm, fd, stdin, stdout, stderr",
        hint: "mount a tmpfs on /dev, mknod each char device (major:minor from devices.txt), mount devpts (newinstance) and a tmpfs on shm, add the symlinks",
        book: "ch02-chroot.md#a-minimal-dev",
    }
    .run(|| {
        let script = "ls -A /dev | tr '\\n' ' '; echo; \
            for n in null zero full random urandom tty; do stat -c '%n %F %t:%T %a' /dev/$n; done; \
            for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; \
            grep -E ' /dev/(pts|shm) ' /proc/self/mountinfo | cut -d' ' -f5,8; \
            head -c 5 /dev/zero | wc -c; echo ok > /dev/null && echo wrote";
        let out = sh(&burrow_lab::rootfs(), &[], script)?;
        let mut lines = out.stdout.lines();
        let listed: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
        let want = ["fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"];
        ensure(listed == want, format!("ls -A /dev = {want:?}"), format!("{listed:?} ({out})"))?;
        let rest: Vec<&str> = lines.collect();
        let expected = [
            "/dev/null character special file 1:3 666",
            "/dev/zero character special file 1:5 666",
            "/dev/full character special file 1:7 666",
            "/dev/random character special file 1:8 666",
            "/dev/urandom character special file 1:9 666",
            "/dev/tty character special file 5:0 666",
            "pts/ptmx",
            "/proc/self/fd",
            "/proc/self/fd/0",
            "/proc/self/fd/1",
            "/proc/self/fd/2",
            "/dev/pts devpts",
            "/dev/shm tmpfs",
            "5",
            "wrote",
        ];
        ensure(rest == expected, format!("{expected:?}"), format!("{rest:?} ({out})"))
    });
}

#[test]
fn proc_is_the_containers_and_sys_is_read_only() {
    Check {
        id: "ch02/proc-sys",
        what: "/proc shows only the container's processes; /sys is mounted read-only",
        hint: "mount proc after entering the PID namespace; mount sysfs with MS_RDONLY",
        book: "ch02-chroot.md#proc-sys-and-dev",
    }
    .run(|| {
        let script = "ls /proc | grep -c '^[0-9]'; grep ' /sys ' /proc/self/mountinfo | cut -d' ' -f6; \
                      touch /sys/kernel/burrow-test 2>&1 | grep -c 'Read-only'";
        let out = sh(&burrow_lab::rootfs(), &[], script)?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        let pids: usize = lines.first().and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
        ensure(pids <= 4, "at most a few pids in /proc (sh, ls, grep)", &out)?;
        ensure(
            lines.get(1).is_some_and(|o| o.split(',').next() == Some("ro")),
            "/sys mount options to start with ro",
            &out,
        )?;
        ensure(lines.get(2) == Some(&"1"), "touch in /sys to fail: Read-only file system", &out)
    });
}

#[test]
fn old_root_is_gone_and_host_mounts_are_untouched() {
    Check {
        id: "ch02/old-root",
        what: "inside: only /, /proc, /sys, /dev, /dev/pts, /dev/shm are mounted; the host's mount table is unchanged",
        hint: "make / rprivate first (else mounts propagate to the host), then pivot_root and umount2(\".\", MNT_DETACH)",
        book: "ch02-chroot.md#pivot_root-a-new-root-for-the-whole-namespace",
    }
    .run(|| {
        let before = host_mounts();
        let out = sh(&burrow_lab::rootfs(), &[], "cut -d' ' -f5 /proc/self/mountinfo | sort | tr '\\n' ' '")?;
        let after = host_mounts();
        let inside: Vec<&str> = out.stdout.split_whitespace().collect();
        ensure(inside == ["/", "/dev", "/dev/pts", "/dev/shm", "/proc", "/sys"], "mounts inside: / /dev /dev/pts /dev/shm /proc /sys", &out)?;
        ensure(before == after, "the host's mount points unchanged", format!("before {} mounts, after {}", before.len(), after.len()))
    });
}

#[test]
fn chroot_is_escapable_and_pivot_root_is_not() {
    Check {
        id: "ch02/escape",
        what: "the classic chroot escape reads a host file in --mode chroot, and fails in --mode pivot",
        hint: "chroot only moves the process's root; pivot_root plus detaching the old root removes the host's files from the namespace",
        book: "ch02-chroot.md#break-out-of-a-chroot",
    }
    .run(|| {
        let rootfs = burrow_lab::rootfs_copy();
        burrow_lab::chroot_escape(&rootfs.path().join("bin/chroot-escape"))?;
        let dir = burrow_lab::temp_dir();
        let marker = dir.path().join("host-marker");
        let secret = random_name("secret-");
        std::fs::write(&marker, &secret)?;
        let marker = marker.to_string_lossy();
        let script = format!("/bin/chroot-escape {marker}");
        let chrooted = sh(rootfs.path(), &["--mode", "chroot"], &script)?;
        ensure(chrooted.stdout.contains(&format!("escaped: {marker} says {secret}")), "--mode chroot: escaped, the host file read", &chrooted)?;
        let pivoted = sh(rootfs.path(), &["--mode", "pivot"], &script)?;
        ensure(pivoted.stdout.contains("still inside") && !pivoted.stdout.contains(&secret), "--mode pivot: still inside", &pivoted)
    });
}

#[test]
fn bad_input_fails_clearly_and_leaves_nothing() {
    Check {
        id: "ch02/errors",
        what: "missing or bad --rootfs, bad --mode: 125; missing CMD 127; non-executable 126; messages name the value; no mount left",
        hint: "check the rootfs before clone; report exec errors over the close-on-exec pipe",
        book: "ch02-chroot.md#pitfalls",
    }
    .run(|| {
        let before = host_mounts();
        let rootfs = burrow_lab::rootfs();
        let rootfs = rootfs.to_string_lossy();
        let missing = format!("/nonexistent/{}", random_name("rootfs-"));
        let out = run(&bin(), &["--rootfs", &missing, "--", "/bin/true"])?;
        ensure(out.code == Some(125) && out.stderr.contains(&missing), format!("125 naming {missing}"), &out)?;
        let out = run(&bin(), &["--rootfs", "/etc/hostname", "--", "/bin/true"])?;
        ensure(out.code == Some(125) && out.stderr.contains("/etc/hostname"), "125 naming /etc/hostname (a file)", &out)?;
        let out = run(&bin(), &["--rootfs", &rootfs, "--mode", "jail", "--", "/bin/true"])?;
        ensure(out.code == Some(125) && out.stderr.contains("jail"), "125 naming the mode 'jail'", &out)?;
        let cmd = format!("/bin/{}", random_name("missing-"));
        let out = run(&bin(), &["--rootfs", &rootfs, "--", &cmd])?;
        ensure(out.code == Some(127) && out.stderr.contains(&cmd), format!("127 naming {cmd}"), &out)?;
        let out = run(&bin(), &["--rootfs", &rootfs, "--", "/etc/passwd"])?;
        ensure(out.code == Some(126) && out.stderr.contains("/etc/passwd"), "126 naming /etc/passwd", &out)?;
        let out = run(&bin(), &["--rootfs", &rootfs])?;
        ensure(out.code == Some(125), "125 when CMD is missing", &out)?;
        ensure(before == host_mounts(), "the host's mount table unchanged", "changed")
    });
}
