//! Chapter 2's lab checks: each runs `ch02-chroot` (or the learner's binary
//! named by `BURROW_CH02_BIN`) as root on the busybox rootfs and asserts what
//! the kernel shows.

use burrow_lab::{ensure, random_name, run, Check, Failure, Hint, Run};
use std::path::{Path, PathBuf};

fn bin() -> PathBuf {
    burrow_lab::binary("BURROW_CH02_BIN", env!("CARGO_BIN_EXE_ch02-chroot"))
}

/// Run `sh -c SCRIPT` in `rootfs` with the extra flags; fail at once when the
/// tool stopped before the shell ran (see [`started`]).
fn sh(rootfs: &Path, flags: &[&str], script: &str) -> Result<Run, Failure> {
    let rootfs = rootfs.to_string_lossy();
    let mut args = vec!["--rootfs", &rootfs];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--", "/bin/sh", "-c", script]);
    started(&args, run(&bin(), &args)?)
}

/// `out`, unless the tool gave up before the command ran: then a failure that
/// says so, whatever the check was about to look at. A panic (the starter's
/// todo!()) shows its message, not the backtrace after it; exit 125 is the
/// tool's own error, most often a mount or pivot_root(2) that failed.
fn started(args: &[&str], out: Run) -> Result<Run, Failure> {
    // The command line as typed, a long script cut short.
    let shown = |a: &&str| match a.char_indices().nth(48) {
        Some((cut, _)) => format!("'{}...'", &a[..cut]),
        None if a.contains(' ') => format!("'{a}'"),
        None => a.to_string(),
    };
    let given = format!("TOOL {}", args.iter().map(shown).collect::<Vec<_>>().join(" "));
    if let Some(at) = out.stderr.find("panicked at") {
        let message: Vec<&str> = out.stderr[at..].lines().take(2).collect();
        let seen = format!("{given}: exit {:?}, the tool {}", out.code, message.join(" "));
        return Err(Failure::new("the tool to set up the container and execute the command", seen))
            .hint("the tool panicked before the command ran: a todo!() names its exercise (scripts/lab 2 --hint N.K)");
    }
    if out.code == Some(125) {
        let seen = format!("{given}: exit 125, stderr {:?}", out.stderr);
        return Err(Failure::new("the tool to set up the container and execute the command", seen)).hint(
            "the setup failed before the command ran (read the tool's error): pivot_root EBUSY is a rootfs that is not a mount point of its own (bind it onto itself first), EINVAL a shared mount (make / private first)",
        );
    }
    Ok(out)
}

/// What differs between two lists of mount points, for a failure's "seen".
fn mount_changes(before: &[String], after: &[String]) -> String {
    let gone: Vec<&String> = before.iter().filter(|m| !after.contains(m)).collect();
    let new: Vec<&String> = after.iter().filter(|m| !before.contains(m)).collect();
    format!("{} mounts before, {} after; new on the host: {new:?}; gone: {gone:?}", before.len(), after.len())
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
        looks: "runs `TOOL --rootfs BUSYBOX --hostname box-RANDOM -- /bin/sh -c 'ls /; cat /proc/1/cmdline; echo; hostname'` and reads what it prints",
        hint: "bind-mount the rootfs onto itself, chdir into it, pivot_root(\".\", \".\"), then mount proc on /proc",
        book: "ch02-chroot.md#pivot_root-a-new-root-for-the-whole-namespace",
        exercises: &["2.1", "2.2", "2.3", "2.4", "2.5"],
    }
    .run(|| {
        let name = random_name("box-");
        let out = sh(&burrow_lab::rootfs(), &["--hostname", &name], "ls /; cat /proc/1/cmdline; echo; hostname")?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        let root: Vec<&str> = lines.iter().take_while(|l| !l.starts_with("/bin/sh")).copied().collect();
        ensure(root.contains(&"bin") && root.contains(&"proc") && !root.contains(&"boot"), "ls / shows the busybox rootfs, not the host's /", &out)?;
        ensure(out.stdout.contains("/bin/sh\0-c\0ls /;"), "/proc/1/cmdline to be CMD: /bin/sh -c ...", &out)
            .hint("mount a new procfs on /proc after pivot_root, from inside the new PID namespace, and execute CMD as PID 1 itself (no --init here)")?;
        ensure(lines.last() == Some(&name.as_str()), format!("hostname {name}"), &out)
            .hint("--hostname: sethostname(2) in the child, in its new UTS namespace, before the command runs (chapter 1's part)")
    });
}

#[test]
fn host_files_are_not_visible() {
    Check {
        id: "ch02/host-invisible",
        what: "a marker file on the host cannot be read from inside the rootfs",
        looks: "writes a random secret to /tmp/burrow-test-*/marker on the host, then runs `TOOL --rootfs BUSYBOX -- /bin/sh -c 'cat MARKER || echo absent'`",
        hint: "paths inside must resolve in the rootfs: pivot_root(2) into it (after binding it onto itself), not just the host's / with new namespaces",
        book: "ch02-chroot.md#pivot_root-a-new-root-for-the-whole-namespace",
        exercises: &["2.1", "2.2", "2.3", "2.4", "2.5"],
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
        looks: "runs `TOOL --rootfs BUSYBOX -- /bin/sh -c SCRIPT`: `ls -A /dev`, `stat` of each node (type, major:minor, mode), `readlink` of each link, the /dev/pts and /dev/shm lines of /proc/self/mountinfo, a read of /dev/zero and a write to /dev/null",
        hint: "mount a tmpfs on /dev, mknod each char device (major:minor from devices.txt), mount devpts (newinstance) and a tmpfs on shm, add the symlinks",
        book: "ch02-chroot.md#a-minimal-dev",
        exercises: &["2.1", "2.2", "2.3", "2.4", "2.5"],
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
        ensure(listed == want, format!("ls -A /dev = {want:?}"), format!("{listed:?} ({out})"))
            .hint("a fresh tmpfs on /dev holding exactly these names, not the host's /dev bound in, and the old root detached (else the host's /dev shows through)")?;
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
            .hint("each node S_IFCHR with its major:minor from devices.txt and mode 0666 set again after mknod(2) (the umask applies); ptmx -> pts/ptmx, fd -> /proc/self/fd, std* -> /proc/self/fd/N; devpts on /dev/pts, tmpfs on /dev/shm")
    });
}

#[test]
fn proc_is_the_containers_and_sys_is_read_only() {
    Check {
        id: "ch02/proc-sys",
        what: "/proc shows only the container's processes; /sys is mounted read-only",
        looks: "runs `TOOL --rootfs BUSYBOX -- /bin/sh -c SCRIPT`: counts the numeric entries of /proc, reads the options of the /sys line of /proc/self/mountinfo, and tries `touch /sys/kernel/burrow-test`",
        hint: "mount proc after entering the PID namespace; mount sysfs with MS_RDONLY",
        book: "ch02-chroot.md#proc-sys-and-dev",
        exercises: &["2.1", "2.2", "2.3", "2.4", "2.5"],
    }
    .run(|| {
        let script = "ls /proc | grep -c '^[0-9]'; grep ' /sys ' /proc/self/mountinfo | cut -d' ' -f6; \
                      touch /sys/kernel/burrow-test 2>&1 | grep -c 'Read-only'";
        let out = sh(&burrow_lab::rootfs(), &[], script)?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        let pids: usize = lines.first().and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
        ensure(pids <= 4, "at most a few pids in /proc (sh, ls, grep)", &out)
            .hint("mount a new procfs on the rootfs's /proc from inside the new PID namespace (clone with CLONE_NEWPID): a procfs shows the PID namespace of whoever mounted it")?;
        ensure(
            lines.get(1).is_some_and(|o| o.split(',').next() == Some("ro")),
            "/sys mount options to start with ro",
            &out,
        )
        .hint("mount sysfs on /sys with MS_RDONLY (and MS_NOSUID | MS_NODEV | MS_NOEXEC), after pivot_root, with the old root detached")?;
        ensure(lines.get(2) == Some(&"1"), "touch in /sys to fail: Read-only file system", &out)
            .hint("mount sysfs on /sys with MS_RDONLY: without it, root in this container (no user namespace) can write the host's kernel settings")
    });
}

#[test]
fn old_root_is_gone_and_host_mounts_are_untouched() {
    Check {
        id: "ch02/old-root",
        what: "inside: only /, /proc, /sys, /dev, /dev/pts, /dev/shm are mounted; the host's mount table is unchanged",
        looks: "reads the host's mount points in /proc/self/mountinfo, runs `TOOL --rootfs BUSYBOX -- /bin/sh -c 'cut -d\" \" -f5 /proc/self/mountinfo'`, then reads the host's again",
        hint: "make / rprivate first (else mounts propagate to the host), then pivot_root and umount2(\".\", MNT_DETACH)",
        book: "ch02-chroot.md#pivot_root-a-new-root-for-the-whole-namespace",
        exercises: &["2.1", "2.2", "2.3", "2.4", "2.5"],
    }
    .run(|| {
        let before = host_mounts();
        let out = sh(&burrow_lab::rootfs(), &[], "cut -d' ' -f5 /proc/self/mountinfo | sort | tr '\\n' ' '")?;
        let after = host_mounts();
        let inside: Vec<&str> = out.stdout.split_whitespace().collect();
        ensure(inside == ["/", "/dev", "/dev/pts", "/dev/shm", "/proc", "/sys"], "mounts inside: / /dev /dev/pts /dev/shm /proc /sys", &out)
            .hint("after pivot_root(\".\", \".\") the host's mounts are stacked on /: umount2(\".\", MNT_DETACH) takes all of them away; then mount only proc, sys, dev, dev/pts, dev/shm")?;
        ensure(before == after, "the host's mount points unchanged", mount_changes(&before, &after))
            .hint("make / private (MS_REC | MS_PRIVATE) in the new mount namespace before any other mount: on a shared / the bind mount and the rest propagate to the host")
    });
}

#[test]
fn chroot_is_escapable_and_pivot_root_is_not() {
    Check {
        id: "ch02/escape",
        what: "the classic chroot escape reads a host file in --mode chroot, and fails in --mode pivot",
        looks: "copies the busybox rootfs, builds chapters/02-chroot/lab/chroot-escape.rs into its /bin, writes a secret to a file on the host, then runs `TOOL --rootfs COPY --mode chroot -- /bin/chroot-escape FILE` and the same with `--mode pivot`",
        hint: "chroot only moves the process's root; pivot_root plus detaching the old root removes the host's files from the namespace",
        book: "ch02-chroot.md#break-out-of-a-chroot",
        exercises: &["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"],
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
        ensure(chrooted.stdout.contains(&format!("escaped: {marker} says {secret}")), "--mode chroot: escaped, the host file read", &chrooted)
            .hint("--mode chroot: mount the kernel filesystems under the rootfs, then chroot(2) and chdir(\"/\"), and nothing else (no pivot_root, no extra mount)")?;
        let pivoted = sh(rootfs.path(), &["--mode", "pivot"], &script)?;
        ensure(pivoted.stdout.contains("still inside") && !pivoted.stdout.contains(&secret), "--mode pivot: still inside", &pivoted)
            .hint("--mode pivot: umount2(\".\", MNT_DETACH) after pivot_root(\".\", \".\"): an old root left stacked on / is where the escape's \"..\" climbs to")
    });
}

#[test]
fn bad_input_fails_clearly_and_leaves_nothing() {
    Check {
        id: "ch02/errors",
        what: "missing or bad --rootfs, bad --mode: 125; missing CMD 127; non-executable 126; messages name the value; no mount left",
        looks: "reads the host's mount points, runs TOOL with a missing --rootfs, a file as --rootfs, `--mode jail`, a missing command, /etc/passwd as the command and no command, reading each exit code and stderr, then the host's mount points again",
        hint: "check the rootfs before clone; report exec errors over the close-on-exec pipe",
        book: "ch02-chroot.md#pitfalls",
        exercises: &["2.1", "2.2", "2.3", "2.4", "2.5"],
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
        ensure(out.code == Some(125) && out.stderr.contains("jail"), "125 naming the mode 'jail'", &out)
            .hint("an unknown --mode is a usage error: exit 125 (not an argument parser's usual 2), with a message naming the value")?;
        let cmd = format!("/bin/{}", random_name("missing-"));
        let args = ["--rootfs", &rootfs, "--", &cmd];
        let out = started(&args, run(&bin(), &args)?)?;
        ensure(out.code == Some(127) && out.stderr.contains(&cmd), format!("127 naming {cmd}"), &out)
            .hint("the command is looked up in the rootfs, after pivot_root: execve's ENOENT is 127, sent to the tool over the close-on-exec error pipe with a message naming the command")?;
        let args = ["--rootfs", &rootfs, "--", "/etc/passwd"];
        let out = started(&args, run(&bin(), &args)?)?;
        ensure(out.code == Some(126) && out.stderr.contains("/etc/passwd"), "126 naming /etc/passwd", &out)
            .hint("a file of the rootfs that exists but cannot be executed (execve's EACCES) is 126, with a message naming it")?;
        let out = run(&bin(), &["--rootfs", &rootfs])?;
        ensure(out.code == Some(125), "125 when CMD is missing", &out)
            .hint("no command after `--` is a usage error: exit 125, before any namespace exists")?;
        let after = host_mounts();
        ensure(before == after, "the host's mount table unchanged", mount_changes(&before, &after))
            .hint("every mount is made in the container's own mount namespace, after making / private: none may show on the host")
    });
}
