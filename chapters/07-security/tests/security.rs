//! Chapter 7's lab checks: try to break out of a default container (the
//! config.json `burrow spec` writes), and fail, for the right reason.
//! `scripts/lab 7` runs them; they drive `burrow` through its command line.

#[path = "../../06-runtime/tests/common/mod.rs"]
mod common;

/// Set it to a runtime of your own to check it: `scripts/lab 7 --bin PATH`.
const BIN_VAR: &str = "BURROW_CH07_BIN";
const REFERENCE: &str = env!("CARGO_BIN_EXE_burrow");

use burrow_lab::{ensure, Check, Failure, Hint};
use common::Bundle;
use serde_json::{json, Value};

/// Run `script` in a default container and return its stdout, one line per
/// attempt (`name result`).
fn attempts(b: &Bundle, id: &str) -> Result<Vec<(String, String)>, Failure> {
    let out = b.run(id)?;
    ensure(out.code == Some(0), "the attempts' script to run to its end", &out)
        .hint("the default container did not run its script to the end: read stderr (create failed, or the command was killed); every step of its confinement must succeed")?;
    Ok(out
        .stdout
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(name, result)| (name.to_string(), result.to_string()))
        .collect())
}

/// What a container of `burrow spec`'s config.json goes through: its
/// capabilities (7.1, 7.2), the order of the steps before the user (7.3),
/// and Docker's seccomp profile compiled (7.4, 7.5) and installed (7.6).
const DEFAULT_CONTAINER: &[&str] = &["7.1", "7.2", "7.3", "7.4", "7.5", "7.6"];

fn result<'a>(all: &'a [(String, String)], name: &str) -> &'a str {
    all.iter().find(|(n, _)| n == name).map_or("(no output)", |(_, r)| r.as_str())
}

#[test]
fn a_default_container_cannot_break_out() {
    Check {
        id: "ch07/escape",
        what: "in a default container, root cannot: mount, load a module, see the host's processes or root through /proc, write /proc/sys or /proc/sysrq-trigger, read the masked /proc files, open a disk node it made, set the hostname, or chroot its way out",
        looks: "runs a default container (`TOOL spec`'s config.json, its root writable) whose script tries mount, insmod, writes to /proc/sys/kernel/panic and /proc/sysrq-trigger, mknod then reading the node, hostname, counts the pids in /proc, reads /proc/1/root/MARKER, stats and reads /proc/keys and runs chapter 2's chroot escape; reads one `NAME STATUS MESSAGE` line per attempt from its stdout, and the host's hostname before and after",
        hint: "drop every capability not in config.json (bounding set, then capset); mount /dev/null over maskedPaths and bind readonlyPaths read-only; the device cgroup denies the disk",
        book: "ch07-security.md#lab-try-to-break-out",
        exercises: DEFAULT_CONTAINER,
    }
    .run(|| {
        let id = burrow_lab::random_name("esc-");
        let marker = burrow_lab::random_name("inside-");
        let host_dir = burrow_lab::temp_dir();
        let host_file = host_dir.path().join("host-secret");
        std::fs::write(&host_file, "host")?;
        let host_name = std::fs::read_to_string("/proc/sys/kernel/hostname")?;
        // `try NAME CMD...` prints `NAME STATUS ERROR-MESSAGE`.
        let script = format!(
            "try() {{ name=$1; shift; msg=$(\"$@\" 2>&1 >/dev/null); echo \"$name $? $msg\"; }}; \
             try mount mount -t tmpfs none /tmp; \
             try module insmod /bin/busybox; \
             try sysctl sh -c 'echo 1 > /proc/sys/kernel/panic'; \
             try sysrq sh -c 'echo h > /proc/sysrq-trigger'; \
             try mknod mknod /dev/disk b 8 0; \
             try disk head -c1 /dev/disk; \
             try hostname hostname evil; \
             echo procs $(ls /proc | grep -c '^[0-9]'); \
             echo root1 $(cat /proc/1/root/{marker}); \
             echo keys $(stat -c %t:%T /proc/keys) $(cat /proc/keys | wc -c); \
             echo escape $(/bin/chroot-escape {} 2>&1 | cut -d: -f1)",
            host_file.display()
        );
        let mut b = Bundle::new(&script)?;
        // A writable root, so that the chroot escape can make its directory.
        b.config["root"]["readonly"] = json!(false);
        std::fs::write(b.path().join("rootfs").join(&marker), &marker)?;
        burrow_lab::chroot_escape(&b.path().join("rootfs/bin/chroot-escape"))?;
        let all = attempts(&b, &id)?;
        let refused = |name: &str, reason: &str| {
            let seen = result(&all, name);
            let ok = !seen.starts_with("0 ") && seen.contains(reason);
            ensure(ok, format!("{name}: refused ({reason})"), seen)
        };
        // EPERM without CAP_SYS_ADMIN (busybox: "permission denied")
        refused("mount", "denied").hint("mount(2) must fail: Docker's profile refuses it (seccomp), and so does the kernel without CAP_SYS_ADMIN (dropped from the bounding set, and not in capset's sets)")?;
        refused("module", "not permitted")?; // seccomp, and no CAP_SYS_MODULE
        refused("sysctl", "Read-only").hint("bind each of linux.readonlyPaths (/proc/sys among them) onto itself, then remount the bind read-only")?;
        refused("sysrq", "").hint("/proc/sysrq-trigger is in linux.readonlyPaths: a read-only bind of it")?;
        refused("disk", "not permitted").hint("the device cgroup (chapter 6's linux.resources.devices) must refuse opening a block device the container made")?;
        refused("hostname", "not permitted")?; // no CAP_SYS_ADMIN
        ensure(result(&all, "mknod").starts_with("0"), "mknod allowed (CAP_MKNOD: opening is what the device cgroup stops)", result(&all, "mknod"))
            .hint("CAP_MKNOD is one of Docker's 14: keep every capability config.json lists, in each of its sets")?;
        let procs: u32 = result(&all, "procs").parse().unwrap_or(99);
        ensure(procs <= 4, "only the container's own few processes in /proc", result(&all, "procs"))
            .hint("the container needs a PID namespace and a fresh proc mounted on its /proc (chapter 6)")?;
        ensure(result(&all, "root1") == marker, "/proc/1/root is the container's own root", result(&all, "root1"))
            .hint("PID 1 must be the container's own process: a PID namespace and a fresh proc mounted on its /proc (chapter 6)")?;
        ensure(result(&all, "keys") == "1:3 0", "/proc/keys masked: /dev/null (char 1:3) over it, reading empty", result(&all, "keys"))
            .hint("mask each of linux.maskedPaths: /dev/null bound over a file, an empty read-only tmpfs over a directory")?;
        ensure(result(&all, "escape") == "still inside", "the chroot escape stays inside (pivot_root)", result(&all, "escape"))
            .hint("the container's root must be pivot_root(2)'s, with the old root unmounted (chapter 2), not a chroot")?;
        let host_after = std::fs::read_to_string("/proc/sys/kernel/hostname")?;
        ensure(host_after == host_name, "the host's hostname unchanged", &host_after)
            .hint("the container needs a UTS namespace of its own (chapter 6's linux.namespaces)")?;
        b.nothing_left(&id, None)
    });
}

#[test]
fn capabilities_come_from_config() {
    Check {
        id: "ch07/capabilities",
        what: "the process's capability sets (/proc/PID/status) are exactly config.json's: Docker's 14 by default; adding CAP_SYS_ADMIN to the bounding set lets root mount again; a non-root user gets an ambient capability",
        looks: "runs three containers, without the seccomp profile, that print CapEff, CapBnd and CapAmb from /proc/self/status: with the default capabilities (then `mount -t tmpfs` inside), with CAP_SYS_ADMIN added to bounding, effective and permitted (the mount must work), and as uid 1000 with CAP_NET_BIND_SERVICE in all five sets; reads their stdout",
        hint: "prctl(PR_CAPBSET_DROP) for each capability not in bounding, PR_SET_KEEPCAPS around setuid, capset(2), PR_CAP_AMBIENT_RAISE",
        book: "ch07-security.md#capabilities",
        exercises: &["7.1", "7.2", "7.3"],
    }
    .run(|| {
        let id = burrow_lab::random_name("cap-");
        let mut b = Bundle::new("grep -E '^Cap(Bnd|Eff|Amb)' /proc/self/status | tr -d '\\t'; mount -t tmpfs none /tmp && echo mounted")?;
        // Docker's profile refuses mount(2) to a container without
        // CAP_SYS_ADMIN; this check is about capabilities alone.
        b.config["linux"]["seccomp"] = Value::Null;
        let out = b.run(&id)?;
        // Docker's default set, as a mask: bits 0-8, 10, 13, 18, 29, 31.
        let docker = "00000000a80425fb";
        let wanted = format!("CapEff:{docker}\nCapBnd:{docker}\nCapAmb:0000000000000000\n");
        ensure(out.stdout == wanted, wanted.trim().replace('\n', " "), &out)?;
        let caps = &mut b.config["process"]["capabilities"];
        for set in ["bounding", "effective", "permitted"] {
            caps[set].as_array_mut().expect("a capability set").push(json!("CAP_SYS_ADMIN"));
        }
        let out = b.run(&burrow_lab::random_name("capadm-"))?;
        ensure(out.stdout.contains("CapBnd:00000000a82425fb") && out.stdout.contains("mounted"), "with CAP_SYS_ADMIN (bit 21): a82425fb, and mount works", &out)?;
        b.config["process"]["args"] = json!(["sh", "-c", "id -u; grep -E '^Cap(Eff|Amb)' /proc/self/status | tr -d '\\t'"]);
        b.config["process"]["user"] = json!({"uid": 1000, "gid": 1000});
        b.config["process"]["capabilities"] = json!({
            "bounding": ["CAP_NET_BIND_SERVICE"], "effective": ["CAP_NET_BIND_SERVICE"], "permitted": ["CAP_NET_BIND_SERVICE"],
            "inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]
        });
        let out = b.run(&burrow_lab::random_name("capamb-"))?;
        ensure(out.stdout == "1000\nCapEff:0000000000000400\nCapAmb:0000000000000400\n", "uid 1000 keeps CAP_NET_BIND_SERVICE (bit 10) as ambient", &out)
            .hint("setuid(2) away from root clears the sets: PR_SET_KEEPCAPS before it keeps the permitted one; after it, capset(2), then PR_CAP_AMBIENT_RAISE (of a capability permitted and inheritable)")?;
        b.nothing_left(&id, None)
    });
}

#[test]
fn seccomp_filters_system_calls() {
    Check {
        id: "ch07/seccomp",
        what: "burrow spec's profile (Docker's) refuses unshare of a user namespace with EPERM, from a 64-bit program and from a 32-bit one (int 0x80, another numbering), and lets the 32-bit one call getuid; without SCMP_ARCH_X86 listed, the 32-bit program is killed (SIGSYS: 159); a custom profile fails mkdir with EACCES, kill with signal 10 (an argument condition) with EPERM but not signal 0, and kills a process calling sync, and denies close_range without stopping the container (nor leaking an fd into it); its flags (SECCOMP_FILTER_FLAG_LOG) reach the kernel (read back with ptrace); SCMP_ACT_NOTIFY with a listenerPath is refused at once (125); `features` says seccomp is enabled with all three flags",
        looks: "runs `TOOL features` and reads linux.seccomp; runs default containers (Docker's profile, then without SCMP_ARCH_X86) with `busybox unshare -U` and two 32-bit programs written into the rootfs (getuid, and unshare(CLONE_NEWUSER), through int 0x80), and one with a custom profile (mkdir, kill -0 and -USR1, sync, close_range, `ls /proc/self/fd`); reads their stdout and exit codes; reads the flags of a `run -d` container's filter with ptrace(PTRACE_SECCOMP_GET_METADATA); times `create` with SCMP_ACT_NOTIFY and a listenerPath",
        hint: "compile linux.seccomp to one BPF program that branches on seccomp_data.arch first (a section per listed ABI, in its numbering), install it last, before the process waits for start, with seccomp(SECCOMP_SET_MODE_FILTER), after the fds are marked close-on-exec; /proc/self/status says Seccomp: 2",
        book: "ch07-security.md#seccomp",
        exercises: DEFAULT_CONTAINER,
    }
    .run(|| {
        let b = Bundle::new("true")?;
        let out = b.burrow(&["features"])?;
        let features: Value = serde_json::from_str(&out.stdout).unwrap_or_default();
        let seccomp = &features["linux"]["seccomp"];
        ensure(seccomp["enabled"] == true, "features: seccomp enabled", &out)
            .hint("`features` prints a JSON document whose linux.seccomp says enabled: true, with the actions, operators, architectures and flags")?;
        let flags = seccomp["supportedFlags"].as_array().cloned().unwrap_or_default();
        // Asked of the kernel: every kernel the tests run on (4.17 and later) takes all three.
        let all = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"];
        ensure(flags == all.map(|f| json!(f)), "features: seccomp's supportedFlags, all three", &out)
            .hint("ask the kernel for each flag: seccomp(SECCOMP_SET_MODE_FILTER, FLAG, NULL) fails with EFAULT for a flag it knows, EINVAL for one it does not")?;
        let id = burrow_lab::random_name("sec-");
        let mut b = Bundle::new(
            "grep -E '^Seccomp:' /proc/self/status | tr -d '\\t'; busybox unshare -U true 2>&1; echo unshare $?
             /i386-getuid; echo i386-getuid $?; /i386-unshare; echo i386-unshare $?",
        )?;
        // Two 32-bit programs: getuid (24) and unshare(CLONE_NEWUSER) (310).
        for (name, nr, arg) in [("i386-getuid", 24, 0), ("i386-unshare", 310, libc::CLONE_NEWUSER as u32)] {
            let path = b.path().join("rootfs").join(name);
            std::fs::write(&path, i386_program(nr, arg))?;
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
        }
        let out = b.run(&id)?;
        ensure(out.stdout.starts_with("Seccomp:2\n"), "Seccomp: 2 (filter mode) in /proc/self/status", &out)
            .hint("the container ran without a filter (or did not run: read stderr): compile linux.seccomp and install it with seccomp(SECCOMP_SET_MODE_FILTER) before the command's execve")?;
        ensure(
            out.stdout.contains("Operation not permitted") && out.stdout.contains("unshare 1"),
            "unshare -U refused: Operation not permitted",
            &out,
        )?;
        ensure(out.stdout.contains("i386-getuid 0\n"), "a 32-bit program runs, and its getuid is allowed (exit 0)", &out)?;
        ensure(out.stdout.contains("i386-unshare 1\n"), "a 32-bit unshare(CLONE_NEWUSER) refused: EPERM (exit 1)", &out)?;
        b.config["linux"]["seccomp"]["architectures"] = json!(["SCMP_ARCH_X86_64"]);
        let out = b.run(&burrow_lab::random_name("sec64-"))?;
        ensure(out.stdout.contains("i386-getuid 159\n"), "without SCMP_ARCH_X86 listed, a 32-bit call is killed (SIGSYS: 128+31)", &out)
            .hint("compile a section only for the architectures listed (and the native one); the head's last instruction, for any other seccomp_data.arch, returns SECCOMP_RET_KILL_PROCESS")?;
        b.config["linux"]["seccomp"] = json!({
            "defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [
                {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                 "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]},
                {"names": ["sync"], "action": "SCMP_ACT_KILL_PROCESS"},
                {"names": ["close_range"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}
            ]
        });
        b.config["root"]["readonly"] = json!(false);
        b.config["process"]["args"] = json!(["sh", "-c",
            "echo fds $(ls /proc/self/fd); mkdir /made 2>&1; kill -0 $$ && echo signal-0-ok; kill -USR1 $$ 2>&1; sync; echo sync $?"]);
        let out = b.run(&burrow_lab::random_name("secc-"))?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        // A profile that denies close_range(2) (older ones do not list it):
        // the runtime's fds are marked close-on-exec before the filter is on.
        ensure(lines.first() == Some(&"fds 0 1 2 3"), "a profile denying close_range: the command runs, with only stdin, stdout, stderr (and ls's own 3)", &out)
            .hint("mark the fds above 2 close-on-exec before the filter goes on (chapter 1's reset_inheritance): then a profile that refuses close_range(2) stops nothing")?;
        ensure(lines.get(1).is_some_and(|l| l.contains("Permission denied")), "mkdir: Permission denied (EACCES)", &out)
            .hint("SCMP_ACT_ERRNO answers SECCOMP_RET_ERRNO | errnoRet (13, EACCES), for each name of the rule in each ABI's numbering (mkdir and mkdirat)")?;
        ensure(lines.get(2) == Some(&"signal-0-ok"), "kill -0 allowed (the condition is on signal 10)", &out)
            .hint("a rule with args answers only when its conditions hold (argument 1 == 10); otherwise the call gets the default answer, here ALLOW")?;
        ensure(lines.get(3).is_some_and(|l| l.contains("not permitted")), "kill -USR1: Operation not permitted", &out)
            .hint("the rule's condition: load args[1]'s words (seccomp_data offset 16 + 8 * index) and compare them with 10; when it holds, the rule's answer (errnoRet 1, EPERM)")?;
        ensure(lines.last() == Some(&"sync 159"), "sync(1) killed by SIGSYS: 128+31", &out)
            .hint("SCMP_ACT_KILL_PROCESS is SECCOMP_RET_KILL_PROCESS: the process dies of SIGSYS")?;
        // flags: the kernel keeps them with the filter, and ptrace reads them back.
        b.config["linux"]["seccomp"]["flags"] = json!(["SECCOMP_FILTER_FLAG_LOG"]);
        b.config["process"]["args"] = json!(["sleep", "1000"]);
        let flagged = burrow_lab::random_name("secf-");
        let out = b.detached(&["run", "-d", &flagged])?;
        ensure(out.code == Some(0), "run -d with seccomp flags", &out)?;
        let pid = b.pid(&flagged)?;
        let flags = seccomp_flags(pid)?;
        ensure(flags == libc::SECCOMP_FILTER_FLAG_LOG, "the filter's flags: SECCOMP_FILTER_FLAG_LOG (2)", flags)
            .hint("pass linux.seccomp.flags to seccomp(2) as its flags argument: SECCOMP_FILTER_FLAG_LOG is 2")?;
        let out = b.burrow(&["delete", "--force", &flagged])?;
        ensure(out.code == Some(0), "delete --force", &out)?;
        b.nothing_left(&flagged, Some(pid))?;
        // SCMP_ACT_NOTIFY with a listener: refused at once, never a hang.
        let listener = b.path().join("listener.sock");
        let _socket = std::os::unix::net::UnixListener::bind(&listener)?;
        b.config["linux"]["seccomp"] = json!({
            "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": listener,
            "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]
        });
        let notify = burrow_lab::random_name("secn-");
        let started = std::time::Instant::now();
        let out = b.detached(&["create", &notify])?;
        let quick = started.elapsed().as_secs() < 5;
        ensure(out.code == Some(125) && out.stderr.contains("SCMP_ACT_NOTIFY") && quick, "SCMP_ACT_NOTIFY refused at once: 125 naming it", format!("{out} after {:?}", started.elapsed()))
            .hint("refuse SCMP_ACT_NOTIFY and listenerPath while preparing, before anything is made: exit 125 naming them (no supervisor will ever answer)")?;
        b.nothing_left(&notify, None)?;
        b.nothing_left(&id, None)
    });
}

/// The flags of `pid`'s first seccomp filter (its only one), as the kernel keeps them:
/// ptrace(PTRACE_SECCOMP_GET_METADATA), on the process stopped under ptrace.
fn seccomp_flags(pid: u32) -> Result<u64, Failure> {
    use nix::sys::{ptrace, wait};
    const PTRACE_SECCOMP_GET_METADATA: libc::c_uint = 0x420d;
    #[repr(C)]
    struct Metadata {
        filter_off: u64, // which filter, counted from the first installed
        flags: u64,
    }
    let failed = |what: &str, e: nix::Error| Failure::new(what.to_string(), e.to_string());
    // The kernel shows a filter only to a tracer that has none (EACCES).
    let own = burrow_lab::status_field(std::process::id(), "Seccomp").unwrap_or_default();
    if own != "0" {
        return Err(Failure::new(
            "a check without a seccomp filter of its own, to read the container's (run it on the host or the lab VM, not inside a container)",
            format!("Seccomp: {own} in this check's /proc/self/status"),
        ))
        .hint("the kernel shows a filter only to a tracer without one: run the lab on the host or in the lab VM");
    }
    let pid = nix::unistd::Pid::from_raw(pid as i32);
    ptrace::attach(pid).map_err(|e| failed("ptrace(PTRACE_ATTACH) of the container's process", e))?;
    let stopped = wait::waitpid(pid, None).map_err(|e| failed("the traced process to stop", e));
    let mut meta = Metadata { filter_off: 0, flags: 0 };
    // SAFETY: the kernel writes at most size_of::<Metadata>() bytes into meta.
    let rc = unsafe {
        libc::ptrace(PTRACE_SECCOMP_GET_METADATA, pid.as_raw(), std::mem::size_of::<Metadata>(), &mut meta)
    };
    let read = nix::errno::Errno::result(rc).map_err(|e| failed("PTRACE_SECCOMP_GET_METADATA", e));
    let _ = ptrace::detach(pid, None);
    stopped?;
    read?;
    Ok(meta.flags)
}

#[test]
fn the_runtime_binary_is_out_of_reach() {
    Check {
        id: "ch07/exe",
        what: "CVE-2019-5736 played twice against each seal (read-only overlay, and memfd) and against a runtime installed on a read-only mount (which needs none): in a default container, exec of a #!/proc/self/exe script runs the runtime inside, whose /proc/PID/exe the container's root holds and writes through once it has exited; in a created container with every capability, a process holds /proc/1/exe (the runtime, until start) and writes once start has replaced it; every write fails and the runtime's binary on the host is unchanged",
        looks: "copies TOOL to a file of its own and attacks it, sealed by the overlay, by a memfd (BURROW_EXE_SEAL=memfd), and installed on a read-only bind mount: reads /proc/PID/exe of the runtime waiting in a created container (readlink, fstatfs, fstatvfs); a process of that container holds /proc/1/exe and writes through it after `start`; a process of a running container holds /proc/PID/exe of the runtime that `exec` of a `#!/proc/self/exe` script starts inside, and writes through it once it exits; compares the runtime's bytes before and after; `exec` of readlink /proc/1/exe and cat /proc/1/environ in a created container",
        hint: "before create/run/exec, unless /proc/self/exe is already unwritable (a sealed memfd, or on a read-only mount), re-execute from an unwritable view of it: a detached overlayfs without an upper layer (fsopen/fsconfig/fsmount), or a sealed memfd copy",
        book: "ch07-security.md#cve-2019-5736-the-runtime-overwritten-from-inside",
        exercises: &["7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.8"],
    }
    .run(|| {
        // The runtime under attack is a private copy: nothing else executes it
        // (no ETXTBSY to hide a hole), and a successful attack damages only it.
        let dir = burrow_lab::temp_dir();
        let runtime = dir.path().join("burrow");
        std::fs::copy(common::bin(), &runtime)?;
        // What the write is refused with: EROFS by the overlay, EPERM by the seals.
        for (seal, refusal) in [("overlay", "Read-only file system"), ("memfd", "Operation not permitted")] {
            attack_the_runtime(&runtime, seal, refusal)?;
            attack_through_a_script(&runtime, seal, refusal)?;
        }
        the_waiting_runtime_is_not_dumpable()?;
        // Installed on a read-only mount, the runtime makes no seal at all.
        let installed = dir.path().join("ro");
        std::fs::create_dir(&installed)?;
        std::fs::copy(common::bin(), installed.join("burrow"))?;
        let _mount = ReadOnly::bind(&installed)?;
        attack_the_runtime(&installed.join("burrow"), READ_ONLY, "Read-only file system")?;
        attack_through_a_script(&installed.join("burrow"), READ_ONLY, "Read-only file system")?;
        Ok(())
    });
}

/// In a created default container, the runtime waiting for `start` has
/// the container's user and capabilities already; it is not dumpable, so
/// that another process of the container (an `exec`) cannot reach into it
/// through /proc/1 as into a process of its own.
fn the_waiting_runtime_is_not_dumpable() -> Result<(), Failure> {
    let id = burrow_lab::random_name("dmp-");
    let b = Bundle::new("exec sleep 1000")?;
    let out = b.detached(&["create", &id])?;
    ensure(out.code == Some(0), "create", &out)?;
    let pid = b.pid(&id)?;
    let look = "readlink /proc/1/exe; echo exe $?; cat /proc/1/environ >/dev/null; echo environ $?";
    let out = b.to_files(&["exec", &id, "sh", "-c", look])?;
    let refused = out.stdout.contains("exe 1\n") && out.stdout.contains("environ 1\n");
    ensure(
        refused && out.stderr.contains("Permission denied"),
        "/proc/1/exe and /proc/1/environ of the waiting runtime refused to an exec (EACCES)",
        &out,
    )
    .hint("make the container's process non-dumpable once it starts, prctl(PR_SET_DUMPABLE, 0): its /proc files then belong to root, out of reach without CAP_SYS_PTRACE")?;
    let out = b.burrow(&["delete", "--force", &id])?;
    ensure(out.code == Some(0), "delete --force", &out)?;
    b.nothing_left(&id, Some(pid))
}

/// The "seal" of a runtime installed on a read-only mount: none is made.
const READ_ONLY: &str = "read-only mount";

/// A directory bound read-only over itself (as an install on a read-only
/// /usr would be), in the host's mount namespace until dropped.
struct ReadOnly(std::path::PathBuf);

impl ReadOnly {
    fn bind(dir: &std::path::Path) -> Result<ReadOnly, Failure> {
        use nix::mount::{mount, MsFlags};
        let none = None::<&str>;
        let failed =
            |e: nix::Error| Failure::new(format!("a read-only bind mount of {dir:?}"), e.to_string());
        mount(Some(dir), dir, none, MsFlags::MS_BIND, none).map_err(failed)?;
        let guard = ReadOnly(dir.to_path_buf());
        let flags = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY;
        mount(none, dir, none, flags, none).map_err(failed)?;
        Ok(guard)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        let _ = nix::mount::umount2(&self.0, nix::mount::MntFlags::MNT_DETACH);
    }
}

// ANCHOR: script_attack
/// The 2019 exploit itself, in a default container: `exec` of a script whose
/// interpreter is `/proc/self/exe` runs the runtime *inside* the container;
/// the container's root opens `/proc/PID/exe` of it, waits for it to exit,
/// and writes through what it holds.
fn attack_through_a_script(runtime: &std::path::Path, seal: &str, refusal: &str) -> Result<(), Failure> {
    let before = std::fs::read(runtime)?;
    let id = burrow_lab::random_name("exs-");
    let b = Bundle::new("exec sleep 1000")?;
    let rootfs = b.path().join("rootfs");
    // The interpreter's one argument and the script's path make the runtime's
    // command line `--root /evil update --resources - ID`: it reads stdin,
    // and waits there as long as the check keeps stdin open.
    std::fs::write(rootfs.join("evil"), "#!/proc/self/exe --root\n")?;
    std::fs::set_permissions(rootfs.join("evil"), std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    give_the_loader(runtime, &rootfs)?;
    // "Text file busy" while any process still executes the file (the
    // runtime outside, with a memfd): try again, as the 2019 exploit did.
    let attack = "while ! p=$(grep -l '^evil$' /proc/[0-9]*/comm 2>/dev/null); do usleep 5000; done; \
                  p=${p%/comm}; exec 3<$p/exe && echo opened; \
                  while [ -e $p ]; do usleep 10000; done; \
                  while e=$( (echo PWNED >> /proc/self/fd/3) 2>&1 ); r=$?; \
                        case $e in *busy*) usleep 10000;; *) false;; esac; do :; done; \
                  echo \"$e\" >&2; echo \"write $r\"";
    let out = b.detached(&["run", "-d", &id])?;
    ensure(out.code == Some(0), "run -d", &out)?;
    let pid = b.pid(&id)?;
    let out = b.to_files(&["exec", "-d", &id, "sh", "-c", attack])?;
    ensure(out.code == Some(0), "exec -d of the attacker", &out)?;
    let attack_out = b.path().join("out.txt");
    let mut exec = b.command_of(runtime, &["exec", &id, "/evil", "update", "--resources", "-", "x"]);
    exec.env("BURROW_EXE_SEAL", seal).stdin(std::process::Stdio::piped());
    exec.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    let mut victim = exec.spawn()?;
    let opened = burrow_lab::wait_for(10.0, || {
        std::fs::read_to_string(&attack_out).ok().filter(|t| t.contains("opened"))
    });
    drop(victim.stdin.take()); // end of stdin: the runtime in the container exits
    let _ = victim.wait();
    ensure(opened.is_some(), "the attacker to open /proc/PID/exe of the runtime inside", "nothing opened")?;
    let said = burrow_lab::wait_for(10.0, || {
        std::fs::read_to_string(&attack_out).ok().filter(|t| t.contains("write"))
    })
    .unwrap_or_default();
    let err = std::fs::read_to_string(b.path().join("err.txt")).unwrap_or_default();
    let refused = said.contains("write") && !said.contains("write 0") && err.contains(refusal);
    ensure(refused, format!("the write through /proc/PID/exe to fail: {refusal}"), format!("{said} {err}"))?;
    ensure(std::fs::read(runtime)? == before, "the runtime's binary on the host unchanged", "it changed")?;
    let out = b.burrow(&["delete", "--force", &id])?;
    ensure(out.code == Some(0), "delete --force", &out)?;
    b.nothing_left(&id, Some(pid))
}
// ANCHOR_END: script_attack

/// Copy the runtime's dynamic loader and libraries into `rootfs`, at the
/// paths the binary names, so that it can run inside the container. runc's
/// releases are static and need nothing; this check's build of burrow is
/// dynamic, and without them its `execve` there fails with ENOENT (the ELF
/// interpreter, /lib64/ld-linux-x86-64.so.2, is looked up in the container).
fn give_the_loader(runtime: &std::path::Path, rootfs: &std::path::Path) -> Result<(), Failure> {
    let Some(loader) = elf_interpreter(&std::fs::read(runtime)?) else { return Ok(()) };
    // What ldd runs: the loader lists the libraries it would load.
    let out = std::process::Command::new(&loader).arg("--list").arg(runtime).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)`, `/lib64/ld-linux-x86-64.so.2 (0x...)`
    let paths = text.lines().filter_map(|l| l.split_whitespace().find(|w| w.starts_with('/')));
    for path in paths.chain([loader.as_str()]) {
        let to = rootfs.join(path.trim_start_matches('/'));
        // A rootfs that has it already (a distribution's) keeps its own: a
        // copy onto one of its absolute symlinks would land on the host's file.
        if to.symlink_metadata().is_ok() {
            continue;
        }
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::copy(path, &to)?;
    }
    Ok(())
}

/// The ELF interpreter a 64-bit little-endian program names in its
/// PT_INTERP program header (None: a static program, or not such an ELF).
fn elf_interpreter(elf: &[u8]) -> Option<String> {
    let at = |off: usize, len: usize| elf.get(off..off.checked_add(len)?);
    // \x7fELF, ELFCLASS64, ELFDATA2LSB
    (at(0, 6)? == b"\x7fELF\x02\x01").then_some(())?;
    let u16_at = |off| at(off, 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u64_at = |off| at(off, 8).and_then(|b| b.try_into().ok()).map(|b| u64::from_le_bytes(b) as usize);
    let (phoff, phentsize, phnum) = (u64_at(0x20)?, u16_at(0x36)?, u16_at(0x38)?);
    (0..phnum).filter_map(|i| phoff.checked_add(i.checked_mul(phentsize)?)).find_map(|ph| {
        const PT_INTERP: &[u8] = &3u32.to_le_bytes();
        (at(ph, 4)? == PT_INTERP).then_some(())?;
        let path = at(u64_at(ph.checked_add(8)?)?, u64_at(ph.checked_add(32)?)?)?;
        Some(String::from_utf8_lossy(path.strip_suffix(b"\0").unwrap_or(path)).into_owned())
    })
}

fn attack_the_runtime(runtime: &std::path::Path, seal: &str, refusal: &str) -> Result<(), Failure> {
    let before = std::fs::read(runtime)?;
    let id = burrow_lab::random_name("exe-");
    let mut b = Bundle::new("exec sleep 1000")?;
    // Every capability: then /proc/1/exe of the waiting runtime is not
    // protected by the capability check of ptrace access.
    // (Every one this machine gives us: a sandbox may hold some back.)
    let ours = burrow_lab::status_field(std::process::id(), "CapBnd").unwrap_or_default();
    let mask = u64::from_str_radix(&ours, 16).unwrap_or(0);
    let all: Vec<&str> = (0..41).filter(|n| mask & (1 << n) != 0).map(|n| burrow::caps::NAMES[n]).collect();
    for set in ["bounding", "effective", "permitted"] {
        b.config["process"]["capabilities"][set] = json!(all);
    }
    b.save()?;
    // The private runtime, its output in the bundle's out.txt and err.txt.
    let (attack_out, attack_err) = (b.path().join("out.txt"), b.path().join("err.txt"));
    let spawn = |args: &[&str]| {
        let mut command = b.command_of(runtime, args);
        command.env("BURROW_EXE_SEAL", seal);
        b.to_files_with(command)
    };
    let out = spawn(&["create", &id, "--bundle", &b.path().to_string_lossy()])?;
    ensure(out.code == Some(0), format!("create ({seal}) to succeed"), &out)?;
    let pid = b.pid(&id)?;
    let exe = std::fs::File::open(format!("/proc/{pid}/exe"))?;
    let fs = nix::sys::statfs::fstatfs(&exe).map(|fs| fs.filesystem_type());
    let read_only = nix::sys::statvfs::fstatvfs(&exe)
        .is_ok_and(|fs| fs.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY));
    drop(exe);
    let link =
        std::fs::read_link(format!("/proc/{pid}/exe")).map(|p| p.display().to_string()).unwrap_or_default();
    let (sealed, expected) = match seal {
        "overlay" => (fs == Ok(nix::sys::statfs::OVERLAYFS_SUPER_MAGIC) && read_only, "the overlay seal"),
        READ_ONLY => {
            let itself = std::fs::canonicalize(runtime).is_ok_and(|path| path == std::path::Path::new(&link));
            (itself && read_only, "the binary itself, on its read-only mount")
        }
        _ => (link.starts_with("/memfd:"), "the memfd seal"),
    };
    let seen = format!("{link}, {fs:?}, read-only: {read_only}");
    let hint = match seal {
        "overlay" => "before create/run/exec, re-execute from the binary opened through a detached overlayfs without an upper layer (fsopen, fsconfig lowerdir=DIR:SPARE, fsmount), then fexecve",
        READ_ONLY => "a binary on a read-only mount needs no seal: when fstatvfs of /proc/self/exe says ST_RDONLY, run on as started",
        _ => "BURROW_EXE_SEAL=memfd: copy /proc/self/exe into a memfd (MFD_ALLOW_SEALING), seal it (F_SEAL_SEAL, SHRINK, GROW, WRITE) and fexecve it",
    };
    ensure(sealed, format!("/proc/PID/exe of the waiting runtime: {expected}, not a writable file"), seen)
        .hint(hint)?;
    // The attacker: hold the runtime's exe, wait for the command, write.
    let attack = "exec 3</proc/1/exe && echo opened; \
                  while [ \"$(cat /proc/1/comm)\" != sleep ]; do usleep 10000; done; \
                  echo PWNED >> /proc/self/fd/3; echo \"write $?\"";
    let out = spawn(&["exec", "-d", &id, "sh", "-c", attack])?;
    let err = || std::fs::read_to_string(&attack_err).unwrap_or_default();
    ensure(out.code == Some(0), "exec -d of the attacker", &out)?;
    let opened = burrow_lab::wait_for(10.0, || {
        std::fs::read_to_string(&attack_out).ok().filter(|t| t.contains("opened"))
    });
    ensure(opened.is_some(), "the attacker to open /proc/1/exe", err())?;
    let out = b.burrow(&["start", &id])?;
    ensure(out.code == Some(0), "start to succeed", &out)?;
    let said = burrow_lab::wait_for(10.0, || {
        std::fs::read_to_string(&attack_out).ok().filter(|t| t.contains("write"))
    })
    .unwrap_or_default();
    let refused = said.contains("write") && !said.contains("write 0") && err().contains(refusal);
    ensure(
        refused,
        format!("the write through the held /proc/1/exe to fail: {refusal}"),
        format!("{said} {}", err()),
    )?;
    ensure(std::fs::read(runtime)? == before, "the runtime's binary on the host unchanged", "it changed")?;
    let out = b.burrow(&["delete", "--force", &id])?;
    ensure(out.code == Some(0), "delete --force", &out)?;
    b.nothing_left(&id, Some(pid))
}

/// The test profile: everything allowed but reading /secret.
const APPARMOR_PROFILE: &str = "profile burrow-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  deny /secret r,
}
";

#[test]
fn an_apparmor_profile_confines_the_command() {
    Check {
        id: "ch07/apparmor",
        what: "process.apparmorProfile: where AppArmor is on (the cgroup v2 VM's kernel), a profile loaded with apparmor_parser confines the command: /proc/self/attr/current names it, the path it denies cannot be read, the rest can; create with a profile the kernel does not have fails (125); where AppArmor is off, run refuses the field (exit 125, naming it) and leaves nothing",
        looks: "where AppArmor is on, loads a profile denying /secret with apparmor_parser, runs a container that prints /proc/self/attr/current and reads /secret and /public, unloads the profile and runs `create` again; where it is off (/sys/module/apparmor/parameters/enabled), runs a container whose process.apparmorProfile is set; reads exit codes, stdout and stderr",
        hint: "write \"exec PROFILE\" to /proc/self/attr/apparmor/exec before execve (the switch happens at execve); refuse the field when /sys/module/apparmor/parameters/enabled is not Y",
        book: "ch07-security.md#apparmor",
        // Where AppArmor is off, `run` refuses the field before anything runs.
        exercises: if burrow::apparmor::enabled() { DEFAULT_CONTAINER } else { &[] },
    }
    .run(|| {
        let id = burrow_lab::random_name("aa-");
        let mut b = Bundle::new("cat /proc/self/attr/current; echo; cat /secret; echo \"secret $?\"; cat /public")?;
        std::fs::write(b.path().join("rootfs/secret"), "s3cret\n")?;
        std::fs::write(b.path().join("rootfs/public"), "public\n")?;
        b.config["process"]["apparmorProfile"] = json!("burrow-test");
        if !burrow::apparmor::enabled() {
            let out = b.run(&id)?;
            let named = out.stderr.contains("apparmorProfile") && out.stderr.contains("burrow-test");
            ensure(out.code == Some(125) && named, "AppArmor off: exit 125, naming apparmorProfile", &out)?;
            return b.nothing_left(&id, None);
        }
        let profile = b.path().join("burrow-test.profile");
        std::fs::write(&profile, APPARMOR_PROFILE)?;
        let parser = |flag: &str| std::process::Command::new("apparmor_parser").args([flag, "-K"]).arg(&profile).output();
        let loaded: burrow_lab::Run = parser("-r")?.into();
        ensure(loaded.code == Some(0), "apparmor_parser -r to load the test profile", &loaded)?;
        let out = b.run(&id);
        let _ = parser("-R"); // unload it, whatever happened
        let out = out?;
        ensure(out.code == Some(0), "the container to run to its end", &out)?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        ensure(lines.first() == Some(&"burrow-test (enforce)"), "attr/current: burrow-test (enforce)", &out)?;
        ensure(out.stdout.contains("secret 1") && !out.stdout.contains("s3cret"), "/secret denied", &out)?;
        ensure(out.stderr.contains("Permission denied"), "cat /secret: Permission denied", &out)?;
        ensure(lines.last() == Some(&"public"), "/public readable", &out)?;
        b.nothing_left(&id, None)?;
        // Once unloaded, the profile cannot be asked for: create fails.
        let out = b.detached(&["create", &id])?;
        let named = out.stderr.contains("burrow-test") && out.stderr.contains("loaded");
        ensure(out.code == Some(125) && named, "create with a profile not loaded: 125, naming it", &out)?;
        b.nothing_left(&id, None)
    });
}

// ANCHOR: i386
/// A 32-bit x86 program, byte by byte: an ELF header, one program header
/// that loads the file, and the code `eax = nr; ebx = arg; int 0x80;
/// exit(-eax)`. Its exit status is 0 when the call returned 0, and the
/// errno when it failed.
fn i386_program(nr: u32, arg: u32) -> Vec<u8> {
    const BASE: u32 = 0x0804_8000; // where 32-bit programs are loaded
    const HEADERS: u32 = 52 + 32;
    let mut code = vec![0xb8]; // mov eax, nr
    code.extend(nr.to_le_bytes());
    code.push(0xbb); // mov ebx, arg
    code.extend(arg.to_le_bytes());
    code.extend([0xcd, 0x80]); // int 0x80
    code.extend([0x89, 0xc3, 0xf7, 0xdb]); // mov ebx, eax; neg ebx
    code.extend([0xb8, 1, 0, 0, 0, 0xcd, 0x80]); // exit(ebx)
    let size = HEADERS + code.len() as u32;
    let mut elf = b"\x7fELF\x01\x01\x01\0\0\0\0\0\0\0\0\0".to_vec(); // 32-bit, little-endian
    for half in [2u16, 3] {
        elf.extend(half.to_le_bytes()); // an executable, for the i386
    }
    for word in [1, BASE + HEADERS, 52, 0, 0] {
        elf.extend(word.to_le_bytes()); // version, entry, program headers at, no sections, flags
    }
    for half in [52u16, 32, 1, 0, 0, 0] {
        elf.extend(half.to_le_bytes()); // the sizes of the headers, one program header
    }
    for word in [1, 0, BASE, BASE, size, size, 5, 0x1000] {
        elf.extend(word.to_le_bytes()); // PT_LOAD the file at BASE, readable and executable
    }
    elf.extend(code);
    elf
}
// ANCHOR_END: i386
