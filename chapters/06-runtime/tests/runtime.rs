//! Chapter 6's lab checks, second part: the runtime. Each check makes a real
//! bundle (the busybox rootfs and the runtime's `spec` config.json edited for
//! the check), drives `ch06-runtime` (or `BURROW_CH06_BIN`) through its command line
//! only, with a state directory of its own (`--root`), and asserts what the
//! kernel shows: /proc, the mount table, cgroup files.

mod common;

/// Set it to a runtime of your own to check it: `scripts/lab 6 --bin PATH`.
const BIN_VAR: &str = "BURROW_CH06_BIN";
const REFERENCE: &str = env!("CARGO_BIN_EXE_ch06-runtime");

use burrow_lab::{ensure, wait_for, Check, Failure, Hint, Run};
use common::{alive, bin, receive_fd, status_of, Bundle};
use serde_json::{json, Value};
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The hints of the assertions about the lifecycle, whichever check makes them.
const START: &str = "start opens ROOT/ID/exec.fifo for reading: the container's process, blocked opening it for writing, goes on; read its byte, then end-of-file (its execve), and remove the fifo";
const DELETE: &str = "delete: SIGKILL the process if it still runs, remove its cgroup, wait until it is gone, then remove ROOT/ID (a created or stopped container without --force)";
const KILL: &str = "kill ID SIGNAL: kill(2) the pid state.json names with the signal (KILL, SIGKILL and 9 are one); the status is stopped once /proc/PID is gone or a zombie";
const STATE: &str = "the status comes from the kernel: stopped when /proc/PID is gone, a zombie, or another start time; created while ROOT/ID/exec.fifo exists; paused when the cgroup is frozen";

#[test]
fn lifecycle_create_start_kill_delete() {
    Check {
        id: "ch06/lifecycle",
        what: "create leaves the process blocked before exec (status created, --pid-file), start runs it (running), kill KILL stops it (stopped), delete removes state, cgroup and process, and leaves the cgroup's parent for the next container",
        looks: "runs `TOOL --root R create ID --bundle B --pid-file F` (the process: `exec sleep 1000`), then state, start, start again, delete, kill ID KILL, delete and state; reads F, /proc/PID/comm before and after start, and the process's pids cgroup (from /proc/PID/cgroup) before and after delete",
        hint: "create: the child opens ROOT/ID/exec.fifo for writing and blocks; start opens it for reading; the status comes from /proc/PID and the fifo",
        book: "ch06-burrow.md#the-lifecycle",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("life-");
        let b = Bundle::new("exec sleep 1000")?;
        let pid_file = b.path().join("pid");
        let out = b.detached(&["create", &id, "--pid-file", &pid_file.to_string_lossy()])?;
        ensure(out.code == Some(0), "create to succeed", &out)?;
        let state = b.state(&id);
        let pid = b.pid(&id)?;
        ensure(status_of(&state) == "created" && state["id"] == id.as_str(), "status created, the id", &state)?;
        let written = std::fs::read_to_string(&pid_file).unwrap_or_default();
        ensure(written.trim() == pid.to_string(), format!("--pid-file to hold {pid}"), &written).hint("create writes the container process's pid to --pid-file once it exists (a temporary file, renamed)")?;
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        ensure(comm.trim() != "sleep", "the command not yet executed before start", comm.trim()).hint("create leaves the process blocked before execve: it opens ROOT/ID/exec.fifo for writing, and that open waits for start")?;
        let out = b.burrow(&["start", &id])?;
        ensure(out.code == Some(0), "start to succeed", &out).hint(START)?;
        let executed = wait_for(5.0, || {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            (comm.trim() == "sleep").then_some(())
        });
        let state = b.state(&id);
        ensure(executed.is_some() && status_of(&state) == "running", "sleep running, status running", state)?;
        let cgroup = burrow_lab::cgroup_dir(pid, "pids").unwrap_or_default();
        let out = b.burrow(&["start", &id])?;
        ensure(out.code == Some(125), "a second start to fail", &out).hint("only a created container can be started: once start has removed the fifo it is running, and a second start is 125")?;
        let out = b.burrow(&["delete", &id])?;
        ensure(out.code == Some(125) && out.stderr.contains("running"), "delete of a running container to fail", &out).hint("delete without --force refuses a running container (125, naming its status)")?;
        let out = b.burrow(&["kill", &id, "KILL"])?;
        ensure(out.code == Some(0), "kill KILL to succeed", &out).hint(KILL)?;
        let stopped = wait_for(5.0, || (status_of(&b.state(&id)) == "stopped").then_some(()));
        ensure(stopped.is_some(), "status stopped after kill", "not stopped within 5 s").hint(KILL)?;
        let out = b.burrow(&["delete", &id])?;
        ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
        let out = b.burrow(&["state", &id])?;
        ensure(out.code == Some(125) && out.stderr.contains("does not exist"), "state of a deleted id: does not exist", &out).hint("delete removes ROOT/ID; state of an id without ROOT/ID/state.json: 125, saying it does not exist")?;
        let kept = cgroup.parent().filter(|p| p.ends_with("burrow") && p.is_dir());
        ensure(cgroup.ends_with(format!("burrow/{id}")), "the container's cgroup: burrow/ID", cgroup.display()).hint("the container's cgroup is burrow/ID in every hierarchy, made by create")?;
        ensure(!cgroup.exists() && kept.is_some(), "the container's cgroup removed, its parent burrow/ kept", cgroup.display()).hint("delete rmdirs the container's cgroup, and leaves burrow/ for the next container")?;
        b.nothing_left(&id, Some(pid))
    });
}

#[test]
fn run_in_the_foreground_like_runc_run() {
    Check {
        id: "ch06/run",
        what: "run: create + start + wait; the output is the container's, the exit status is the process's, the hostname is config.json's, and nothing is left",
        looks: "runs `TOOL run ID` in the foreground, the process `sh -c 'hostname; echo pid $$; exit 7'` with a random hostname in config.json; reads its stdout and exit code, then looks for ROOT/ID, a cgroup named ID and the process",
        hint: "run is create, start, pid1::supervise, delete in one process",
        book: "ch06-burrow.md#try-it",
        exercises: &[],
    }
    .run(|| {
        let (id, host) = (burrow_lab::random_name("run-"), burrow_lab::random_name("h-"));
        let mut b = Bundle::new("hostname; echo pid $$; exit 7")?;
        b.config["hostname"] = json!(host);
        let out = b.run(&id)?;
        ensure(out.code == Some(7), "exit status 7, the process's", &out).hint("run is create, start, a wait for the process and delete in one process: it exits with the process's status")?;
        ensure(out.stdout == format!("{host}\npid 1\n"), format!("{host}, pid 1"), &out.stdout).hint("config.json's hostname: sethostname(2) in the child, in its new uts namespace; the process is PID 1 of its new PID namespace")?;
        b.nothing_left(&id, None)
    });
}

#[test]
fn namespaces_new_and_joined_by_path() {
    Check {
        id: "ch06/namespaces",
        what: "every namespace in config.json is new (its /proc/PID/ns link differs from the host's), and a network namespace given by path is joined: two containers share it",
        looks: "creates a container with pid, network, ipc, uts, mount and cgroup namespaces and compares its /proc/PID/ns/* with the check's own; a second whose network namespace has the path /proc/PID/ns/net of the first; a third joining the mount and uts namespaces that an `unshare --mount --uts sleep` holds, with a hostname (read back with nsenter)",
        hint: "no path: a clone(2) flag; a path: open it and setns(2) in the child (for pid: in the parent, before clone)",
        book: "ch06-burrow.md#configjson-field-by-field",
        exercises: &[],
    }
    .run(|| {
        let (a, b_id) = (burrow_lab::random_name("nsa-"), burrow_lab::random_name("nsb-"));
        let mut first = Bundle::new("exec sleep 1000")?;
        let namespaces = json!([{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]);
        first.config["linux"]["namespaces"] = namespaces;
        let out = first.detached(&["create", &a])?;
        ensure(out.code == Some(0), "create to succeed", &out)?;
        let pid = first.pid(&a)?.to_string();
        for kind in ["pid", "net", "ipc", "uts", "mnt", "cgroup"] {
            let (ours, host) = (burrow_lab::namespace_of(&pid, kind), burrow_lab::namespace_of("self", kind));
            ensure(!ours.is_empty() && ours != host, format!("a new {kind} namespace"), format!("{ours} (host {host})"))?;
        }
        let second = Bundle::new("exec sleep 1000")?;
        let mut second = second;
        let net_path = format!("/proc/{pid}/ns/net");
        second.config["linux"]["namespaces"] = json!([{"type": "pid"}, {"type": "mount"}, {"type": "network", "path": net_path}]);
        second.config["hostname"] = Value::Null;
        let out = second.detached(&["create", &b_id])?;
        ensure(out.code == Some(0), "create with a network namespace path to succeed", &out)?;
        let other = second.pid(&b_id)?.to_string();
        let (theirs, joined) = (burrow_lab::namespace_of(&pid, "net"), burrow_lab::namespace_of(&other, "net"));
        ensure(theirs == joined, format!("the second container in {theirs}"), &joined)?;
        let uts = (burrow_lab::namespace_of(&other, "uts"), burrow_lab::namespace_of("self", "uts"));
        ensure(uts.0 == uts.1, "no uts namespace when config.json lists none", format!("{uts:?}")).hint("make only the namespaces config.json lists: no uts entry, no CLONE_NEWUTS")?;
        for (bundle, id) in [(&second, &b_id), (&first, &a)] {
            let out = bundle.burrow(&["delete", id])?;
            ensure(out.code == Some(0), "delete of a created container to succeed", &out).hint(DELETE)?;
        }
        first.nothing_left(&a, pid.parse().ok())?;
        joined_mount_and_uts_namespaces()
    });
}

#[test]
fn time_namespace_with_offsets() {
    Check {
        id: "ch06/time",
        what: "a time namespace with linux.timeOffsets boottime 86400 s and monotonic 3600 s: the process's /proc/PID/ns/time is new, /proc/uptime inside is a day more than the host's, timens_offsets says both; a prestart hook still has the host's time namespace; exec joins the container's; features lists time; timeOffsets without a time namespace, or a clock realtime: 125, nothing left",
        looks: "`run -d` with a time namespace, linux.timeOffsets (boottime 86400 s, monotonic 3600 s) and a prestart hook that saves its readlink /proc/self/ns/time; compares /proc/PID/ns/time with the host's and the hook's, reads the /proc/uptime and timens_offsets the process printed into out.txt, runs `exec ID readlink /proc/self/ns/time` and features; then creates with timeOffsets and no time namespace, and with a realtime clock",
        hint: "clone(2) has no room for CLONE_NEWTIME: unshare(CLONE_NEWTIME) before the clone, write /proc/self/timens_offsets, clone, then setns back to your own time namespace so hooks and helpers keep the host's clocks; exec joins /proc/PID/ns/time",
        book: "ch06-burrow.md#configjson-field-by-field",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("time-");
        let mut b = Bundle::new("cat /proc/uptime /proc/self/timens_offsets; exec sleep 1000")?;
        let seen_by_hook = b.path().join("hook-time-ns");
        let hook = format!("readlink /proc/self/ns/time > {}", seen_by_hook.display());
        b.config["hooks"] = json!({"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", hook]}]});
        b.config["linux"]["namespaces"].as_array_mut().expect("namespaces").push(json!({"type": "time"}));
        b.config["linux"]["timeOffsets"] = json!({"boottime": {"secs": 86400}, "monotonic": {"secs": 3600, "nanosecs": 0}});
        let host_uptime = || {
            let text = std::fs::read_to_string("/proc/uptime").unwrap_or_default();
            text.split_whitespace().next().and_then(|s| s.parse::<f64>().ok()).unwrap_or(-1.0)
        };
        let before = host_uptime();
        let out = b.detached(&["run", "-d", &id])?;
        ensure(out.code == Some(0), "run -d to succeed", &out)?;
        let pid = b.pid(&id)?;
        let host_ns = burrow_lab::namespace_of("self", "time");
        let ours = burrow_lab::namespace_of(&pid.to_string(), "time");
        ensure(!ours.is_empty() && ours != host_ns, "a new time namespace", format!("{ours} (host {host_ns})"))?;
        let hook_ns = std::fs::read_to_string(&seen_by_hook).unwrap_or_default();
        ensure(hook_ns.trim() == host_ns, "the prestart hook in the host's time namespace", &hook_ns)?;
        let printed = wait_for(5.0, || {
            let text = std::fs::read_to_string(b.path().join("out.txt")).unwrap_or_default();
            text.contains("boottime").then_some(text)
        });
        let printed = printed.unwrap_or_default();
        let inside: f64 = printed.split_whitespace().next().and_then(|s| s.parse().ok()).unwrap_or(-1.0);
        let after = host_uptime();
        // To /proc/uptime's hundredths, which a float sum can miss by a hair.
        let (low, high) = (before + 86400.0 - 0.011, after + 86400.0 + 0.011);
        ensure(inside >= low && inside <= high, "an uptime a day more than the host's", format!("{printed:?}: host {before} before, {after} after"))?;
        let offsets: Vec<Vec<&str>> = printed.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
        let want = vec![vec!["monotonic", "3600", "0"], vec!["boottime", "86400", "0"]];
        ensure(offsets == want, "timens_offsets: monotonic 3600, boottime 86400", &printed)?;
        let out = b.burrow(&["exec", &id, "readlink", "/proc/self/ns/time"])?;
        ensure(out.stdout.trim() == ours, format!("exec in the container's time namespace {ours}"), &out).hint("exec joins every namespace of the container by /proc/PID/ns/KIND, its time namespace too")?;
        let out = b.burrow(&["features"])?;
        ensure(out.stdout.contains("\"time\""), "features to list the time namespace", &out).hint("features: linux.namespaces lists every kind the runtime can make, \"time\" too")?;
        let out = b.burrow(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
        b.nothing_left(&id, Some(pid))?;
        let mut no_ns = b.config.clone();
        let list = no_ns["linux"]["namespaces"].as_array_mut().expect("namespaces");
        list.retain(|n| n["type"] != "time");
        let mut realtime = b.config.clone();
        realtime["linux"]["timeOffsets"] = json!({"realtime": {"secs": 5}});
        for (config, needle) in [(no_ns, "needs a new time namespace"), (realtime, "realtime")] {
            let id = burrow_lab::random_name("time-");
            b.config = config;
            let out = b.detached(&["create", &id])?;
            ensure(out.code == Some(125) && out.stderr.contains(needle), format!("125 naming {needle:?}"), &out)?;
            b.nothing_left(&id, None)?;
        }
        Ok(())
    });
}

/// A mount and a uts namespace held by a process of the check's own
/// (`unshare --mount --uts`), joined by path, with a hostname: the container
/// is in both, and sets the name of the uts namespace it joined.
fn joined_mount_and_uts_namespaces() -> Result<(), Failure> {
    let mut holder = Command::new("unshare")
        .args(["--mount", "--uts", "--propagation", "private", "sleep", "1000"])
        .spawn()?;
    let held = holder.id().to_string();
    let ready = wait_for(5.0, || {
        (burrow_lab::namespace_of(&held, "mnt") != burrow_lab::namespace_of("self", "mnt")).then_some(())
    });
    let result = (|| {
        ensure(ready.is_some(), "unshare to make its namespaces", "not within 5 s")?;
        let id = burrow_lab::random_name("nsj-");
        let name = burrow_lab::random_name("joined-");
        let mut b = Bundle::new("exec sleep 1000")?;
        b.config["linux"]["namespaces"] = json!([
            {"type": "pid"},
            {"type": "mount", "path": format!("/proc/{held}/ns/mnt")},
            {"type": "uts", "path": format!("/proc/{held}/ns/uts")}
        ]);
        b.config["hostname"] = json!(name);
        let out = b.detached(&["create", &id])?;
        ensure(
            out.code == Some(0),
            "create joining a mount and a uts namespace by path, with a hostname",
            &out,
        )?;
        let pid = b.pid(&id)?.to_string();
        for kind in ["mnt", "uts"] {
            let (ours, theirs) =
                (burrow_lab::namespace_of(&pid, kind), burrow_lab::namespace_of(&held, kind));
            ensure(
                ours == theirs,
                format!("the container in the {kind} namespace it was given"),
                format!("{ours} (given {theirs})"),
            )?;
        }
        let out: Run = Command::new("nsenter")
            .arg(format!("--uts=/proc/{held}/ns/uts"))
            .arg("hostname")
            .output()?
            .into();
        ensure(out.stdout.trim() == name, format!("the joined uts namespace named {name}"), &out)?;
        let out = b.burrow(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
        b.nothing_left(&id, pid.parse().ok())
    })();
    let _ = holder.kill();
    let _ = holder.wait();
    result
}

#[test]
fn without_a_mount_namespace_the_mounts_are_the_hosts() {
    Check {
        id: "ch06/host-mounts",
        what: "a config.json with no mount namespace: the container shares the host's (its /proc/PID/ns/mnt is ours), its /proc and /dev are mounts the host sees under the rootfs, `exec` runs inside its root; masked paths are refused (125, nothing made); a failed create, a create SIGKILLed after its mounts (then delete --force) and delete leave no mount on the host",
        looks: "creates containers with a pid namespace only (no mount namespace): with maskedPaths (refused), with a failing createRuntime hook, SIGKILLed in a createContainer hook (then delete --force), then a good one; compares /proc/PID/ns/mnt with the check's, lists the mounts under the rootfs in the check's /proc/self/mountinfo after each, runs `exec ID ls /` and delete --force",
        hint: "without CLONE_NEWNS: no propagation change, no pivot_root (chroot instead); save the mounts under the rootfs (/proc/self/mountinfo) in state.json before the setup, note those that appeared after it, and umount2(MNT_DETACH) them on delete and on failure",
        book: "ch06-burrow.md#without-a-mount-namespace",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("hm-");
        let marker = burrow_lab::random_name("marker-");
        let mut b = Bundle::new("exec sleep 1000")?;
        let rootfs = b.path().join("rootfs").canonicalize()?;
        std::fs::write(rootfs.join(&marker), "")?;
        let ours = |rootfs: &std::path::Path| -> Vec<String> {
            let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
            let under = |point: &str| std::path::Path::new(point).starts_with(rootfs);
            table.lines().filter_map(|l| l.split(' ').nth(4)).filter(|p| under(p)).map(String::from).collect()
        };
        b.config["linux"]["namespaces"] = json!([{"type": "pid"}]);
        b.config["hostname"] = Value::Null;
        let out = b.detached(&["create", &id])?;
        ensure(out.code == Some(125) && out.stderr.contains("linux.maskedPaths"), "maskedPaths without a mount namespace: refused, naming it", &out)?;
        ensure(ours(&rootfs).is_empty(), "no mount made for the refused config", format!("{:?}", ours(&rootfs)))?;
        for key in ["maskedPaths", "readonlyPaths"] {
            b.config["linux"][key] = json!([]);
        }
        b.config["root"]["readonly"] = json!(false);
        b.config["hooks"] = json!({"createRuntime": [{"path": "/bin/false"}]});
        let out = b.detached(&["create", &id])?;
        ensure(out.code == Some(125), "a failing createRuntime hook fails create", &out).hint("run each createRuntime hook (the state on its stdin); one that fails fails create, 125")?;
        ensure(ours(&rootfs).is_empty(), "the failed create left no mount on the host", format!("{:?}", ours(&rootfs)))?;
        // A create SIGKILLed once the mounts are made, by a createContainer
        // hook (a child of the container's process, a child of create).
        let killed = burrow_lab::random_name("hm-killed-");
        let kill_create = "kill -9 $(cut -d' ' -f4 /proc/$PPID/stat); sleep 1";
        b.config["linux"]["namespaces"] = json!([]);
        b.config["hooks"] = json!({"createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", kill_create]}]});
        let out = b.detached(&["create", &killed])?;
        ensure(out.code.is_none(), "create SIGKILLed in its createContainer hook", &out)?;
        ensure(!ours(&rootfs).is_empty(), "the killed create left its mounts", "none under the rootfs")?;
        let out = b.burrow(&["delete", "--force", &killed])?;
        ensure(out.code == Some(0), "delete --force of the killed create", &out)?;
        ensure(ours(&rootfs).is_empty(), "delete --force detached the killed create's mounts", format!("{:?}", ours(&rootfs)))?;
        b.nothing_left(&killed, None)?;
        b.config["linux"]["namespaces"] = json!([{"type": "pid"}]);
        b.config["hooks"] = Value::Null;
        let out = b.detached(&["create", &id])?;
        ensure(out.code == Some(0), "create with no mount namespace", &out)?;
        let pid = b.pid(&id)?;
        let (mnt, host) = (burrow_lab::namespace_of(&pid.to_string(), "mnt"), burrow_lab::namespace_of("self", "mnt"));
        ensure(mnt == host, "the container in the host's mount namespace", format!("{mnt} (host {host})"))?;
        let mounted = ours(&rootfs);
        let proc_point = rootfs.join("proc").display().to_string();
        ensure(mounted.contains(&proc_point), "its /proc a mount the host sees under the rootfs", format!("{mounted:?}"))?;
        let out = b.burrow(&["exec", &id, "ls", "/"])?;
        ensure(out.code == Some(0) && out.stdout.lines().any(|l| l == marker), "exec runs inside the container's root (ls / shows the marker)", &out).hint("exec without a mount namespace to join: chroot(2) into the container's rootfs (state.json has it) before execve")?;
        let out = b.burrow(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
        ensure(ours(&rootfs).is_empty(), "delete detached every mount under the rootfs", format!("{:?}", ours(&rootfs)))?;
        b.nothing_left(&id, Some(pid))
    });
}

#[test]
fn user_namespace_maps_and_a_non_root_user() {
    Check {
        id: "ch06/user",
        what: "a user namespace with uidMappings 0→100000 (65536 ids) and process.user 1000:1000 with additionalGids [20]: the host sees uid 101000, the process sees 1000; a second container joins that user namespace by path and owns the namespaces it makes (it can mount)",
        looks: "`run -d` with a user namespace (uidMappings and gidMappings 0 to 100000, 65536 ids) and process.user 1000:1000 with additionalGids [20]; reads Uid in /proc/PID/status, and what `id` and uid_map printed into out.txt; creates a second container whose user namespace is the path /proc/PID/ns/user, starts it, and reads its uid_map and whether it mounted a tmpfs",
        hint: "write linux.uidMappings/gidMappings to /proc/PID/uid_map and gid_map; setgroups, setgid, setuid just before exec; to join a user namespace, clone the container from a helper that joined it first",
        book: "ch06-burrow.md#configjson-field-by-field",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("user-");
        let mut b = Bundle::new("echo $(id -u) $(id -g) $(id -G); cat /proc/self/uid_map; exec sleep 1000")?;
        let namespaces = b.config["linux"]["namespaces"].as_array_mut().expect("namespaces");
        namespaces.push(json!({"type": "user"}));
        let map = json!([{"containerID": 0, "hostID": 100000, "size": 65536}]);
        b.config["linux"]["uidMappings"] = map.clone();
        b.config["linux"]["gidMappings"] = map;
        b.config["process"]["user"] = json!({"uid": 1000, "gid": 1000, "additionalGids": [20]});
        // The unprivileged user must be able to traverse the bundle to its rootfs.
        std::fs::set_permissions(b.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
        let out = b.detached(&["run", "-d", &id])?;
        ensure(out.code == Some(0), "run -d to succeed", &out)?;
        let pid = b.pid(&id)?;
        let uid = wait_for(5.0, || {
            let uid = burrow_lab::status_field(pid, "Uid")?;
            uid.starts_with("101000").then_some(uid)
        });
        ensure(uid.is_some(), "host uid 101000 (1000 inside + 100000)", burrow_lab::status_field(pid, "Uid").unwrap_or_default())?;
        let printed = wait_for(5.0, || {
            let text = std::fs::read_to_string(b.path().join("out.txt")).ok()?;
            text.contains("uid_map").then_some(()).or_else(|| (text.lines().count() >= 2).then_some(()))?;
            Some(text)
        })
        .unwrap_or_default();
        let first = printed.lines().next().unwrap_or_default();
        ensure(first == "1000 1000 1000 20", "id inside: 1000 1000 1000 20", first)?;
        let map_line: Vec<&str> = printed.lines().nth(1).unwrap_or_default().split_whitespace().collect();
        ensure(map_line == ["0", "100000", "65536"], "uid_map 0 100000 65536", format!("{map_line:?}"))?;
        // A second container in the first one's user namespace, joined by
        // path, with new namespaces of its own that it owns (it can mount).
        let second_id = burrow_lab::random_name("user2-");
        let mut second = Bundle::new("cat /proc/self/uid_map; mount -t tmpfs none /tmp && echo mounted")?;
        let user_ns = format!("/proc/{pid}/ns/user");
        let namespaces = second.config["linux"]["namespaces"].as_array_mut().expect("namespaces");
        namespaces.push(json!({"type": "user", "path": user_ns}));
        second.config["process"]["capabilities"]["bounding"].as_array_mut().expect("caps").push(json!("CAP_SYS_ADMIN"));
        second.config["process"]["capabilities"]["effective"].as_array_mut().expect("caps").push(json!("CAP_SYS_ADMIN"));
        second.config["process"]["capabilities"]["permitted"].as_array_mut().expect("caps").push(json!("CAP_SYS_ADMIN"));
        second.config["linux"]["seccomp"] = Value::Null;
        std::fs::set_permissions(second.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
        let out = second.detached(&["create", &second_id])?;
        ensure(out.code == Some(0), "create joining the user namespace by path", &out)?;
        let second_pid = second.pid(&second_id)?;
        let (theirs, ours) = (burrow_lab::namespace_of(&pid.to_string(), "user"), burrow_lab::namespace_of(&second_pid.to_string(), "user"));
        ensure(theirs == ours, format!("the first container's user namespace {theirs}"), &ours)?;
        let out = second.burrow(&["start", &second_id])?;
        ensure(out.code == Some(0), "start to succeed", &out).hint(START)?;
        let printed = wait_for(5.0, || {
            let text = std::fs::read_to_string(second.path().join("out.txt")).ok()?;
            text.contains("mounted").then_some(text)
        });
        let words: Vec<String> = printed.unwrap_or_default().split_whitespace().map(String::from).collect();
        ensure(words == ["0", "100000", "65536", "mounted"], "uid_map 0 100000 65536, and a mount of its own", format!("{words:?}"))?;
        let out = second.burrow(&["delete", "--force", &second_id])?;
        ensure(out.code == Some(0), "delete --force", &out).hint(DELETE)?;
        let out = b.burrow(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete --force of a running container", &out).hint(DELETE)?;
        b.nothing_left(&id, Some(pid))
    });
}

#[test]
fn mounts_readonly_root_devices_sysctl_rlimits() {
    Check {
        id: "ch06/mounts",
        what: "config.json's mounts are in the container's mount table (proc, read-only sysfs, devpts, mqueue, cgroup, a tmpfs with size and mode, a read-only bind); / is read-only; a linux.devices node exists with its mode; a net sysctl and RLIMIT_NOFILE are set",
        looks: "`run` with a tmpfs (nosuid,size=1m,mode=700), a read-only rbind of a directory of the check's, a linux.devices node, the sysctl net.ipv4.ip_forward and RLIMIT_NOFILE 123/456; the process prints its /proc/self/mountinfo lines, tries to write / and the bind, lists the node, and prints ip_forward and ulimit -n, -Hn; compares the host's ip_forward before and after",
        hint: "mount each entry under the rootfs before pivot_root (options → flags + data; bind then remount for ro); remount / MS_RDONLY after; mknod linux.devices; write /proc/sys; setrlimit",
        book: "ch06-burrow.md#configjson-field-by-field",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("mnt-");
        let script = "grep -E ' /(scratch|data|dev/mqueue|proc|sys|dev/pts|sys/fs/cgroup[^ ]*) ' /proc/self/mountinfo | cut -d' ' -f5-; \
             touch /x 2>/dev/null && echo root-writable; touch /data/y 2>/dev/null && echo data-writable; \
             ls -ln /dev/mynull | cut -c1-10; echo hi > /dev/mynull && echo null-ok; \
             cat /proc/sys/net/ipv4/ip_forward; ulimit -n; ulimit -Hn";
        let mut b = Bundle::new(script)?;
        let data = burrow_lab::temp_dir();
        let mounts = b.config["mounts"].as_array_mut().expect("mounts");
        mounts.push(json!({"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m", "mode=700"]}));
        mounts.push(json!({"destination": "/data", "type": "bind", "source": data.path(), "options": ["rbind", "ro"]}));
        b.config["linux"]["devices"] = json!([{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 0o620}]);
        b.config["linux"]["sysctl"] = json!({"net.ipv4.ip_forward": "1"});
        b.config["process"]["rlimits"] = json!([{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}]);
        let host_forward = std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward")?;
        let out = b.run(&id)?;
        ensure(out.code == Some(0), "run to succeed", &out)?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        let find = |dest: &str| lines.iter().find(|l| l.starts_with(&format!("{dest} "))).copied().unwrap_or("");
        let scratch = find("/scratch");
        ensure(scratch.contains("nosuid") && scratch.contains(" tmpfs ") && scratch.contains("size=1024k") && scratch.contains("mode=700"), "/scratch: tmpfs nosuid size=1024k mode=700", scratch)?;
        let bind = find("/data");
        let options = bind.split_whitespace().nth(1).unwrap_or("");
        ensure(options.split(',').any(|o| o == "ro"), "/data: a read-only bind", bind)?;
        ensure(find("/dev/mqueue").contains(" mqueue "), "/dev/mqueue: mqueue", &out.stdout)?;
        ensure(find("/proc").contains(" - proc "), "/proc: proc", &out.stdout)?;
        ensure(find("/sys").starts_with("/sys ro,") && find("/sys").contains(" - sysfs "), "/sys: sysfs, read-only", &out.stdout)?;
        ensure(find("/dev/pts").contains(" - devpts "), "/dev/pts: devpts", &out.stdout)?;
        let cgroup = lines.iter().any(|l| l.starts_with("/sys/fs/cgroup") && (l.contains(" - cgroup ") || l.contains(" - cgroup2 ")));
        ensure(cgroup, "/sys/fs/cgroup: cgroup (v1) or cgroup2 mounts", &out.stdout)?;
        ensure(!out.stdout.contains("root-writable") && !out.stdout.contains("data-writable"), "/ and /data read-only", &out.stdout)?;
        ensure(out.stdout.contains("crw--w----") && out.stdout.contains("null-ok"), "/dev/mynull crw--w---- and usable", &out.stdout)?;
        let tail: Vec<&str> = lines.iter().rev().take(3).rev().copied().collect();
        ensure(tail == ["1", "123", "456"], "ip_forward 1 inside, nofile 123/456", format!("{tail:?}"))?;
        let host_now = std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward")?;
        ensure(host_now == host_forward, "the host's ip_forward unchanged", &host_now)?;
        b.nothing_left(&id, None)
    });
}

/// A tmpfs the check mounts on the host (nosuid, nodev), with a second one
/// on its `sub/`: a tree of two mounts. Detached again when dropped.
struct HostTree {
    dir: tempfile::TempDir,
}

impl HostTree {
    fn new() -> Result<HostTree, Failure> {
        use nix::mount::{mount, MsFlags};
        let tree = HostTree { dir: burrow_lab::temp_dir() };
        let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
        let fail = |e: nix::Error| Failure::new("a tmpfs mounted on the host", e.to_string());
        mount(Some("tmpfs"), tree.path(), Some("tmpfs"), flags, Some("mode=755")).map_err(fail)?;
        std::fs::create_dir(tree.path().join("sub"))?;
        mount(Some("tmpfs"), &tree.path().join("sub"), Some("tmpfs"), flags, Some("mode=755"))
            .map_err(fail)?;
        Ok(tree)
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for HostTree {
    fn drop(&mut self) {
        for at in [self.path().join("sub"), self.path().to_path_buf()] {
            let _ = nix::mount::umount2(&at, nix::mount::MntFlags::MNT_DETACH);
        }
    }
}

#[test]
fn mount_targets_survive_a_symlink_swap() {
    Check {
        id: "ch06/mount-race",
        what: "while a thread keeps exchanging the rootfs's /swap, a directory, with a symlink to ../decoy (a directory of the bundle, outside the rootfs), 100 containers mount a tmpfs on /swap/x and on a new /swap/made-N/y: a createContainer hook (in the container's mount namespace, before pivot_root) never sees a mount under decoy, and no directory is made there; each create succeeds or fails with 125, and leaves nothing",
        looks: "a thread of the check exchanges rootfs/swap (a directory) and a symlink to ../decoy with renameat2(RENAME_EXCHANGE) in a loop while 100 creates mount a tmpfs on /swap/x and on a new /swap/made-N/y; a createContainer hook counts the mounts under decoy in its /proc/self/mountinfo; each create's exit code, delete --force, then what is in decoy",
        hint: "do not mount by a path string you resolved earlier (runc's CVE-2021-30465): open the target with openat2(RESOLVE_IN_ROOT) and mount on /proc/self/fd/N, then reopen it to change the new mount; make a missing mount point by name under its parent's fd (mkdirat)",
        book: "ch06-burrow.md#configjson-field-by-field",
        exercises: &[],
    }
    .run(|| {
        let mut b = Bundle::new("true")?;
        let (rootfs, decoy) = (b.path().join("rootfs"), b.path().join("decoy"));
        std::fs::create_dir_all(decoy.join("x"))?;
        std::fs::create_dir_all(rootfs.join("swap/x"))?;
        std::os::unix::fs::symlink("../decoy", rootfs.join("swap-link"))?;
        let seen = b.path().join("seen");
        let hook = format!("grep -c ' {}/' /proc/self/mountinfo >> {}; true", decoy.display(), seen.display());
        b.config["hooks"] = json!({"createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", hook]}]});
        b.config["mounts"].as_array_mut().expect("mounts").push(json!({"destination": "/swap/x", "type": "tmpfs", "source": "tmpfs"}));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let swapper = {
            let (stop, rootfs) = (stop.clone(), rootfs.clone());
            std::thread::spawn(move || {
                // RENAME_EXCHANGE: /swap is always there, the directory or the link.
                use nix::fcntl::{renameat2, RenameFlags};
                let (swap, link) = (rootfs.join("swap"), rootfs.join("swap-link"));
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = renameat2(None, &swap, None, &link, RenameFlags::RENAME_EXCHANGE);
                }
            })
        };
        let result = (|| -> Result<(), Failure> {
            let mounts = b.config["mounts"].as_array().cloned().unwrap_or_default();
            for round in 0..100 {
                let id = burrow_lab::random_name("race-");
                // And a mount point to make, a new one each round.
                let made = json!({"destination": format!("/swap/made-{round}/y"), "type": "tmpfs", "source": "tmpfs"});
                b.config["mounts"] = json!([&mounts[..], &[made]].concat());
                let out = b.detached(&["create", &id])?;
                ensure(matches!(out.code, Some(0) | Some(125)), format!("create {round}: 0 or 125"), &out)?;
                if out.code == Some(0) {
                    let out = b.burrow(&["delete", "--force", &id])?;
                    ensure(out.code == Some(0), "delete --force", &out).hint(DELETE)?;
                }
                b.nothing_left(&id, None)?;
            }
            Ok(())
        })();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = swapper.join();
        result?;
        let counts = std::fs::read_to_string(&seen).unwrap_or_default();
        let leaks = counts.lines().filter(|l| *l != "0").count();
        ensure(leaks == 0, "no mount under decoy in any container", format!("{leaks} of {} hooks saw one: {counts:?}", counts.lines().count()))?;
        let made: Vec<_> = std::fs::read_dir(&decoy)?.filter_map(|e| e.ok()).map(|e| e.file_name()).filter(|n| n != "x").collect();
        ensure(made.is_empty(), "no mount point made under decoy", format!("{made:?}"))
    });
}

#[test]
fn mount_options_recursive_copied_up_and_kept() {
    Check {
        id: "ch06/mount-options",
        what: "a host tree of two mounts bind mounted with rbind,ro (its lower mount stays writable) and with rbind,rro (read-only all the way down, by mount_setattr); a tmpfs on /etc with tmpcopyup holds the image's /etc; a read-only root in a user namespace on a rootfs under a nosuid,nodev mount (the remount keeps the locked flags); idmap and an option the filesystem does not know: 125 naming them",
        looks: "bind mounts a host tree of two tmpfs mounts (the check's own) with rbind,ro and with rbind,rro,rnosuid, and a tmpfs with tmpcopyup on /etc; the process writes into each and greps /etc/passwd and /proc/mounts; then `run` with a read-only root on a nosuid,nodev tmpfs in a user namespace, and creates with the options idmap and nosuchopt",
        hint: "r-options are mount_setattr(2) with AT_RECURSIVE after the mount; tmpcopyup: hold the mount point open, mount, copy from /proc/self/fd/N; a remount must pass again the flags the mount has (statvfs), or a user namespace refuses it (EPERM)",
        book: "ch06-burrow.md#mounts-options-the-kernel-does-not-know",
        exercises: &[],
    }
    .run(|| {
        let tree = HostTree::new()?;
        let host = tree.path().to_string_lossy().into_owned();
        let mut b = Bundle::new("touch /plain/sub/a && echo plain-sub-writable; touch /rec/sub/b || echo rec-sub-readonly; grep -c root /etc/passwd; grep ' /etc ' /proc/mounts")?;
        let mounts = b.config["mounts"].as_array_mut().expect("mounts");
        mounts.push(json!({"destination": "/plain", "type": "bind", "source": host, "options": ["rbind", "ro"]}));
        mounts.push(json!({"destination": "/rec", "type": "bind", "source": host, "options": ["rbind", "rro", "rnosuid"]}));
        mounts.push(json!({"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "tmpcopyup"]}));
        let out = b.run(&burrow_lab::random_name("mopt-"))?;
        for want in ["plain-sub-writable", "rec-sub-readonly", "tmpfs /etc tmpfs"] {
            ensure(out.stdout.contains(want), want, &out)?;
        }
        let copied = out.stdout.lines().find(|l| l.parse::<u32>().is_ok()).unwrap_or_default().to_string();
        ensure(copied != "0" && !copied.is_empty(), "the image's /etc/passwd in the tmpfs (a root line)", &out)?;
        ensure(!tree.path().join("sub/b").exists(), "nothing written through /rec", "sub/b exists")?;

        let mut user = Bundle::new("touch /x 2>&1; cat /proc/self/uid_map")?;
        let rootfs = tree.path().join("rootfs");
        common::copy_rootfs(&rootfs)?;
        user.config["root"] = json!({"path": rootfs, "readonly": true});
        user.config["linux"]["namespaces"].as_array_mut().expect("namespaces").push(json!({"type": "user"}));
        let map = json!([{"containerID": 0, "hostID": 100000, "size": 65536}]);
        user.config["linux"]["uidMappings"] = map.clone();
        user.config["linux"]["gidMappings"] = map;
        std::fs::set_permissions(user.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
        let id = burrow_lab::random_name("mopt-");
        let out = user.run(&id)?;
        ensure(out.stdout.contains("Read-only file system") && out.stdout.contains("100000"), "a read-only root in the user namespace", &out)?;
        user.nothing_left(&id, None)?;

        for (options, needle) in [(json!(["idmap"]), "idmap"), (json!(["nosuchopt"]), "nosuchopt")] {
            let mut bad = Bundle::new("true")?;
            let mounts = bad.config["mounts"].as_array_mut().expect("mounts");
            mounts.push(json!({"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": options}));
            let id = burrow_lab::random_name("mopt-");
            let out = bad.detached(&["create", &id])?;
            ensure(out.code == Some(125) && out.stderr.contains(needle), format!("125 naming {needle}"), &out)?;
            bad.nothing_left(&id, None)?;
        }
        Ok(())
    });
}

#[test]
fn resources_land_in_the_cgroup() {
    Check {
        id: "ch06/resources",
        what: "linux.resources (memory 64M, cpu quota 25000/50000, pids 20) in the cgroup files of the container's process, and cgroupsPath names that cgroup",
        looks: "creates with cgroupsPath ID-cg and linux.resources memory 64M, cpu quota 25000 per 50000, pids 20; reads memory.max (v1: memory.limit_in_bytes), pids.max and cpu.max (v1: cpu.cfs_quota_us and cpu.cfs_period_us) in the process's cgroup, found from /proc/PID/cgroup",
        hint: "chapter 3's Cgroup::create with the spec's resources; cgroupsPath relative: under burrow/",
        book: "ch06-burrow.md#configjson-field-by-field",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("res-");
        let mut b = Bundle::new("exec sleep 1000")?;
        b.config["linux"]["cgroupsPath"] = json!(format!("{id}-cg"));
        b.config["linux"]["resources"] = json!({
            "memory": {"limit": 67108864},
            "cpu": {"quota": 25000, "period": 50000},
            "pids": {"limit": 20}
        });
        let out = b.detached(&["create", &id])?;
        ensure(out.code == Some(0), "create to succeed", &out)?;
        let pid = b.pid(&id)?;
        let read = |controller: &str, v1: &str, v2: &str| -> String {
            let (dir, value) = common::cgroup_file(pid, controller, v1, v2);
            format!("{}:{value}", dir.display())
        };
        let memory = read("memory", "memory.limit_in_bytes", "memory.max");
        ensure(memory.ends_with(&format!("{id}-cg:67108864")), "memory limit 67108864 in burrow/ID-cg", &memory)?;
        let pids = read("pids", "pids.max", "pids.max");
        ensure(pids.ends_with(":20"), "pids.max 20", &pids)?;
        let cpu = match read("cpu", "cpu.cfs_quota_us", "cpu.max") {
            v if v.ends_with(":25000") => format!("{v} {}", read("cpu", "cpu.cfs_period_us", "cpu.max")),
            v => v,
        };
        ensure(cpu.ends_with("25000 50000") || cpu.ends_with(":50000"), "cpu quota 25000 per 50000", &cpu)?;
        let out = b.burrow(&["delete", &id])?;
        ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
        b.nothing_left(&format!("{id}-cg"), Some(pid))
    });
}

#[test]
fn memory_section_lands_in_the_cgroup() {
    Check {
        id: "ch06/memory",
        what: "linux.resources.memory's limit 64M, reservation 32M and swap 128M (memory + swap) in the cgroup's files (v1: limit_in_bytes, soft_limit_in_bytes, memsw; v2: memory.max, memory.low, memory.swap.max 64M), and on v1 swappiness 10, disableOOMKiller and kernelTCP 16M too (on v2, where they have no file, 125 naming swappiness); swap below the limit: 125; nothing left by a refusal",
        looks: "creates with linux.resources.memory limit 64M, reservation 32M, swap 128M (on v1 also swappiness, disableOOMKiller, kernelTCP); reads the memory cgroup's files of the process (from /proc/PID/cgroup); then creates with swap below the limit (and on v2 a swappiness): exit code and stderr, and what is left",
        hint: "reservation is v1's memory.soft_limit_in_bytes, v2's memory.low; config.json's swap counts memory and swap together as v1's memsw does, so v2's memory.swap.max is swap minus limit; swappiness, oom_control and kmem.tcp are v1 files: refuse them by name on v2",
        book: "ch06-burrow.md#configjson-field-by-field",
        exercises: &[],
    }
    .run(|| {
        let memory_at = hierarchies().into_iter().find(|(_, c)| c.iter().any(|c| c == "memory"));
        let v2 = memory_at.is_some_and(|(point, _)| point.join("cgroup.controllers").exists());
        let id = burrow_lab::random_name("mem-");
        let mut b = Bundle::new("exec sleep 1000")?;
        let mut memory = json!({"limit": 64 << 20, "reservation": 32 << 20, "swap": 128 << 20});
        if !v2 {
            memory["swappiness"] = json!(10);
            memory["disableOOMKiller"] = json!(true);
            memory["kernelTCP"] = json!(16 << 20);
        }
        b.config["linux"]["resources"] = json!({"memory": memory});
        let out = b.detached(&["create", &id])?;
        ensure(out.code == Some(0), "create to succeed", &out)?;
        let pid = b.pid(&id)?;
        let read = |v1: &str, v2: &str| common::cgroup_file(pid, "memory", v1, v2).1;
        let seen = [
            read("memory.limit_in_bytes", "memory.max"),
            read("memory.soft_limit_in_bytes", "memory.low"),
            read("memory.memsw.limit_in_bytes", "memory.swap.max"),
        ];
        let swap = if v2 { 64 << 20 } else { 128 << 20 };
        let want = [(64 << 20).to_string(), (32 << 20).to_string(), (swap as u64).to_string()];
        ensure(seen == want, format!("limit, reservation, swap {want:?}"), format!("{seen:?}"))?;
        if !v2 {
            let (_, oom) = common::cgroup_file(pid, "memory", "memory.oom_control", "-");
            let extra = [read("memory.swappiness", "-"), read("memory.kmem.tcp.limit_in_bytes", "-")];
            ensure(extra == ["10".to_string(), (16 << 20).to_string()], "swappiness 10, kmem.tcp 16M", format!("{extra:?}"))?;
            ensure(oom.contains("oom_kill_disable 1"), "oom_control: oom_kill_disable 1", &oom)?;
        }
        let out = b.burrow(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
        b.nothing_left(&id, Some(pid))?;
        let mut refusals = vec![(json!({"limit": 64 << 20, "swap": 32 << 20}), "swap")];
        if v2 {
            refusals.push((json!({"limit": 64 << 20, "swappiness": 10}), "swappiness"));
        }
        for (memory, name) in refusals {
            let id = burrow_lab::random_name("mem-");
            b.config["linux"]["resources"] = json!({"memory": memory});
            let out = b.detached(&["create", &id])?;
            ensure(out.code == Some(125) && out.stderr.contains(name), format!("125 naming {name}"), &out)?;
            b.nothing_left(&id, None)?;
        }
        Ok(())
    });
}

#[test]
fn cgroups_path_is_used_as_given() {
    Check {
        id: "ch06/cgroups-path",
        what: "cgroupsPath /NAME (a cgroup at the top of each hierarchy), /PARENT/NAME under a parent the check made in one hierarchy, and a relative a/b/NAME (under burrow/): each is the container's cgroup, with cpu.shares 1024 as given (v1; v2: weight 39) and cpuset.mems; delete removes every level burrow made and nothing else (the check's parent, burrow/)",
        looks: "creates three containers, with cgroupsPath /NAME, /PARENT/NAME (PARENT made by the check in the memory hierarchy only) and a/b/NAME; reads pids.max, cpu.shares (v2: cpu.weight) and cpuset.mems of the process's cgroup (from /proc/PID/cgroup), and after each delete --force lists what is left of the path in every hierarchy",
        hint: "an absolute cgroupsPath starts at each hierarchy's root, a relative one under burrow/; mkdir each missing level (noting which), never write the root; delete rmdirs the cgroup, then the levels it made; config.json's cpu.shares is v1's scale: write it as it is on v1",
        book: "ch06-burrow.md#the-cgroup-where-configjson-says",
        exercises: &[],
    }
    .run(|| {
        let top = burrow_lab::random_name("burrow-test-");
        // The check's own parent, in one hierarchy only: burrow makes it in the others.
        let held = hierarchies().into_iter().find(|(_, c)| c.iter().any(|c| c == "memory")).map(|(p, _)| p.join(&top));
        let held = held.ok_or_else(|| Failure::new("a memory hierarchy", "none mounted"))?;
        std::fs::create_dir(&held)?;
        let cases = [
            (format!("/{top}-alone"), format!("{top}-alone")),
            (format!("/{top}/c"), format!("{top}/c")),
            (format!("{top}-rel/a/c"), format!("burrow/{top}-rel/a/c")),
        ];
        let result = (|| {
            for (path, dir) in &cases {
                let id = burrow_lab::random_name("cgp-");
                let mut b = Bundle::new("exec sleep 1000")?;
                b.config["linux"]["cgroupsPath"] = json!(path);
                b.config["linux"]["resources"] = json!({"cpu": {"shares": 1024, "mems": "0"}, "pids": {"limit": 30}});
                let out = b.detached(&["create", &id])?;
                ensure(out.code == Some(0), format!("create with cgroupsPath {path}"), &out)?;
                let pid = b.pid(&id)?;
                let (at, pids) = common::cgroup_file(pid, "pids", "pids.max", "pids.max");
                ensure(at.ends_with(dir) && pids == "30", format!("the process in {dir}, pids.max 30"), format!("{}: {pids}", at.display()))?;
                let (_, shares) = common::cgroup_file(pid, "cpu", "cpu.shares", "cpu.weight");
                ensure(shares == "1024" || shares == "39", "cpu.shares 1024 as given (v2: cpu.weight 39)", &shares)?;
                let (_, mems) = common::cgroup_file(pid, "cpuset", "cpuset.mems", "cpuset.mems");
                ensure(mems == "0", "cpuset.mems 0", &mems)?;
                let out = b.burrow(&["delete", "--force", &id])?;
                ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
                let first = dir.split('/').next().unwrap_or_default().to_string();
                let left: Vec<PathBuf> = hierarchies()
                    .into_iter()
                    .map(|(point, _)| point.join(if first == "burrow" { dir.as_str() } else { first.as_str() }))
                    .filter(|d| d.exists() && *d != held)
                    .collect();
                ensure(left.is_empty(), format!("no level of {dir} left that burrow made"), format!("{left:?}"))?;
                ensure(held.is_dir(), format!("the check's own {} kept", held.display()), "it was removed")?;
            }
            Ok(())
        })();
        let _ = std::fs::remove_dir(&held);
        result
    });
}

/// The cgroup hierarchies mounted here that hold controllers (v1's named
/// systemd hierarchy holds none, and burrow makes nothing there).
fn hierarchies() -> Vec<(PathBuf, Vec<String>)> {
    burrow_lab::cgroup_mounts().into_iter().filter(|(_, c)| !c.is_empty()).collect()
}

#[test]
fn update_changes_the_limits_of_a_running_container() {
    Check {
        id: "ch06/update",
        what: "update of a running container: --memory 128M and --pids-limit 30, then --resources - with a CPU quota on stdin (as podman passes it), land in its cgroup files; a bad value, a limit to lift (-1) or an unknown id: 125, the limits unchanged",
        looks: "`run -d` with memory 64M and pids 20, then `update --memory 128M --pids-limit 30 ID`, `update --resources - ID` with a CPU quota as JSON on stdin, `--memory 12XB`, `--pids-limit -1` and an unknown id; reads memory.max (v1: memory.limit_in_bytes), pids.max and cpu.max (v1: cpu.cfs_quota_us) of the process's cgroup after each",
        hint: "open the container's cgroup from its state and write the new limits (chapter 3's apply); on v1 raise memory.memsw.limit_in_bytes before memory.limit_in_bytes",
        book: "ch06-burrow.md#update-new-limits-for-a-running-container",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("upd-");
        let mut b = Bundle::new("exec sleep 1000")?;
        b.config["linux"]["resources"] = json!({"memory": {"limit": 67108864}, "pids": {"limit": 20}});
        let out = b.detached(&["run", "-d", &id])?;
        ensure(out.code == Some(0), "run -d to succeed", &out)?;
        let pid = b.pid(&id)?;
        let read = |controller: &str, v1: &str, v2: &str| common::cgroup_file(pid, controller, v1, v2).1;
        let out = b.burrow(&["update", "--memory", "128M", "--pids-limit", "30", &id])?;
        ensure(out.code == Some(0), "update --memory 128M --pids-limit 30 to succeed", &out)?;
        let memory = read("memory", "memory.limit_in_bytes", "memory.max");
        ensure(memory == "134217728", "memory limit 134217728", &memory)?;
        ensure(read("pids", "pids.max", "pids.max") == "30", "pids.max 30", read("pids", "pids.max", "pids.max"))?;
        let mut update = Command::new(bin())
            .arg("--root")
            .arg(b.root.path())
            .args(["update", "--resources", "-", &id])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = update.stdin.take() {
            std::io::Write::write_all(&mut stdin, br#"{"cpu": {"quota": 20000, "period": 100000}}"#)?;
        }
        let out: Run = update.wait_with_output()?.into();
        ensure(out.code == Some(0), "update --resources - to succeed", &out)?;
        let cpu = read("cpu", "cpu.cfs_quota_us", "cpu.max");
        ensure(cpu == "20000" || cpu == "20000 100000", "a CPU quota of 20000 per 100000", &cpu)?;
        let out = b.burrow(&["update", "--memory", "12XB", &id])?;
        ensure(out.code == Some(125) && out.stderr.contains("12XB"), "125 naming 12XB", &out)?;
        let out = b.burrow(&["update", "--pids-limit", "-1", &id])?;
        ensure(out.code == Some(125) && out.stderr.contains("-1"), "--pids-limit -1 (no limit): 125, refused by name", &out)?;
        let out = b.burrow(&["update", "--memory", "1G", "no-such-id"])?;
        ensure(out.code == Some(125) && out.stderr.contains("does not exist"), "125: does not exist", &out)?;
        let memory = read("memory", "memory.limit_in_bytes", "memory.max");
        ensure(memory == "134217728", "the memory limit still 134217728", &memory)?;
        let out = b.burrow(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete --force to succeed", &out).hint(DELETE)?;
        b.nothing_left(&id, Some(pid))
    });
}

#[test]
fn hooks_run_in_order_with_the_state() {
    Check {
        id: "ch06/hooks",
        what: "createRuntime, createContainer, startContainer, poststart and poststop hooks run in that order, each with the state (id, pid, bundle) on stdin; a hook without env inherits the runtime's environment (startContainer: process.env), one with env gets only that; a failing startContainer hook fails start (no poststart); a hook past its timeout fails create and leaves nothing; with the bundle's config.json broken after create, start, exec and delete still work and poststart and poststop still run",
        looks: "`run` with a hook of each of the five stages appending its name and its stdin to a log (startContainer's through a bind mount into the container) and three hooks printing their environment; reads the log and the env file; then create, a broken bundle config.json, start, exec and delete --force; a failing startContainer hook; a createRuntime hook past its 1 s timeout",
        hint: "run each hook with Command, the state JSON on stdin; createContainer before pivot_root, startContainer after the exec fifo; keep config.json in the state directory at create, and read it there later",
        book: "ch06-burrow.md#hooks",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("hook-");
        let mut b = Bundle::new("true")?;
        let log = burrow_lab::temp_dir();
        std::fs::create_dir(b.path().join("rootfs/hooklog"))?;
        let hook = |stage: &str, dir: &str| json!({"path": "/bin/sh", "args": ["sh", "-c", format!("echo {stage} $(cat) >> {dir}/log")]});
        let host = log.path().display().to_string();
        b.config["hooks"] = json!({
            "createRuntime": [hook("createRuntime", &host)],
            "createContainer": [hook("createContainer", &host)],
            "startContainer": [hook("startContainer", "/hooklog")],
            "poststart": [hook("poststart", &host)],
            "poststop": [hook("poststop", &host)],
        });
        let mounts = b.config["mounts"].as_array_mut().expect("mounts");
        mounts.push(json!({"destination": "/hooklog", "type": "bind", "source": host, "options": ["bind"]}));
        // A hook without an env inherits: the runtime's environment, or for
        // startContainer the container process's; one with an env gets it alone.
        let env_hook = |stage: &str, dir: &str| json!({"path": "/bin/sh", "args": ["sh", "-c", format!("echo {stage} ${{HOOKMARK:-unset}} ${{HOOKHOST:-unset}} ${{GIVEN:-}} >> {dir}/env")]});
        b.config["hooks"]["createRuntime"].as_array_mut().expect("hooks").push(env_hook("createRuntime", &host));
        b.config["hooks"]["startContainer"].as_array_mut().expect("hooks").push(env_hook("startContainer", "/hooklog"));
        let mut given = env_hook("given", &host);
        given["env"] = json!(["GIVEN=only"]);
        b.config["hooks"]["createRuntime"].as_array_mut().expect("hooks").push(given);
        b.config["process"]["env"].as_array_mut().expect("env").push(json!("HOOKMARK=from-process"));
        b.save()?;
        let mut command = b.command_of(&bin(), &["run", &id, "--bundle", &b.path().to_string_lossy()]);
        command.env("HOOKHOST", "from-burrow");
        let out = b.to_files_with(command)?;
        ensure(out.code == Some(0), "run with hooks to succeed", &out)?;
        let env = std::fs::read_to_string(log.path().join("env")).unwrap_or_default();
        let env: Vec<&str> = env.lines().map(str::trim_end).collect();
        let wanted = ["createRuntime unset from-burrow", "given unset unset only", "startContainer from-process unset"];
        ensure(env == wanted, format!("hook environments {wanted:?}"), format!("{env:?}"))?;
        let text = std::fs::read_to_string(log.path().join("log")).unwrap_or_default();
        let stages: Vec<&str> = text.lines().filter_map(|l| l.split(' ').next()).collect();
        let wanted = ["createRuntime", "createContainer", "startContainer", "poststart", "poststop"];
        ensure(stages == wanted, format!("{wanted:?}"), format!("{stages:?}"))?;
        for line in text.lines() {
            let state: Value = serde_json::from_str(line.split_once(' ').map_or("", |(_, s)| s)).unwrap_or_default();
            let bundle = b.path().canonicalize()?;
            ensure(state["id"] == id.as_str() && state["bundle"] == json!(bundle), "the state with the id and bundle", line)?;
        }
        // The bundle's config.json changed after create: start, exec and
        // delete go by the copy create kept.
        std::fs::remove_file(log.path().join("log"))?;
        b.config["hooks"] = json!({"poststart": [hook("poststart", &host)], "poststop": [hook("poststop", &host)]});
        let command = b.config["process"]["args"].clone();
        b.config["process"]["args"] = json!(["sleep", "1000"]);
        let kept_id = burrow_lab::random_name("hookk-");
        let out = b.detached(&["create", &kept_id])?;
        ensure(out.code == Some(0), "create to succeed", &out)?;
        std::fs::write(b.path().join("config.json"), "{ broken")?;
        for args in [&["start", &kept_id][..], &["exec", &kept_id, "true"], &["delete", "--force", &kept_id]] {
            let out = b.burrow(args)?;
            ensure(out.code == Some(0), format!("{} with the bundle's config.json broken since create", args[0]), &out)?;
        }
        let text = std::fs::read_to_string(log.path().join("log")).unwrap_or_default();
        let stages: Vec<&str> = text.lines().filter_map(|l| l.split(' ').next()).collect();
        ensure(stages == ["poststart", "poststop"], "poststart and poststop from create's copy of config.json", format!("{stages:?}"))?;
        b.nothing_left(&kept_id, None)?;
        // A startContainer hook that fails: `start` (here in `run`) fails
        // too, as the spec says, and poststart does not run.
        std::fs::remove_file(log.path().join("log"))?;
        b.config["process"]["args"] = command;
        b.config["hooks"] = json!({
            "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}],
            "poststart": [hook("poststart", &host)],
        });
        let failed_id = burrow_lab::random_name("hookf-");
        let out = b.run(&failed_id)?;
        ensure(
            out.code == Some(125) && out.stderr.contains("failed before executing the command"),
            "run to fail: the startContainer hook failed (exit 125)",
            &out,
        )?;
        ensure(!log.path().join("log").exists(), "no poststart hook after a failed start", "it ran")?;
        b.nothing_left(&failed_id, None)?;
        let timeout_id = burrow_lab::random_name("hookt-");
        b.config["hooks"] = json!({"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]});
        let started = std::time::Instant::now();
        let out = b.detached(&["create", &timeout_id])?;
        ensure(out.code == Some(125) && out.stderr.contains("timeout"), "create to fail: the hook's timeout", &out)?;
        ensure(started.elapsed().as_secs() < 10, "the hook killed after its 1 s timeout", format!("{:?}", started.elapsed()))?;
        b.nothing_left(&timeout_id, None)
    });
}

/// An error line as git, cargo and runc's callers expect it: `NAME: error: ...`.
fn says_error(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|l| l.split_once(": error: ").is_some_and(|(name, _)| !name.is_empty() && !name.contains(' ')))
}

#[test]
fn bad_input_fails_clearly_and_leaves_nothing() {
    Check {
        id: "ch06/runtime-errors",
        what: "a malformed config.json, a missing rootfs, a bad mount, a relative process.cwd, an ociVersion not 1.x, a bad id, a duplicate id, a command not in PATH: exit 125 (127) naming the problem, and no state, cgroup or process left",
        looks: "creates with a malformed config.json, a missing rootfs, a mount of an unknown type, a command not in PATH, a relative process.cwd and ociVersion 0.9.0, then the id a/b and an id twice; reads each exit code and stderr, and looks for ROOT/ID, a cgroup named ID and the process",
        hint: "check what you can before creating anything; on a later failure kill the child, remove the cgroup and the state dir",
        book: "ch06-burrow.md#pitfalls",
        exercises: &[],
    }
    .run(|| {
        let b = Bundle::new("exec sleep 1000")?;
        let good = b.config.clone();
        let mut cases: Vec<(&str, Value, &str, i32)> = Vec::new();
        cases.push(("malformed", json!("not json at all"), "config.json", 125));
        let mut missing = good.clone();
        missing["root"]["path"] = json!("no-such-rootfs");
        cases.push(("rootfs", missing, "no-such-rootfs", 125));
        let mut bad_mount = good.clone();
        bad_mount["mounts"].as_array_mut().expect("mounts").push(json!({"destination": "/x", "type": "nosuchfs", "source": "none"}));
        cases.push(("mount", bad_mount, "/x", 125));
        let mut not_found = good.clone();
        not_found["process"]["args"] = json!(["no-such-command"]);
        cases.push(("command", not_found, "no-such-command", 127));
        let mut relative = good.clone();
        relative["process"]["cwd"] = json!("tmp");
        cases.push(("cwd", relative, "process.cwd \"tmp\" is relative", 125));
        let mut version = good.clone();
        version["ociVersion"] = json!("0.9.0");
        cases.push(("version", version, "ociVersion \"0.9.0\"", 125));
        let mut b = b;
        for (what, config, needle, code) in cases {
            let id = burrow_lab::random_name(&format!("bad{what}-"));
            b.config = config;
            let out = match b.config.is_string() {
                true => {
                    std::fs::write(b.path().join("config.json"), "{ not json")?;
                    b.burrow(&["create", &id, "--bundle", &b.path().to_string_lossy()])?
                }
                false => b.detached(&["create", &id])?,
            };
            ensure(out.code == Some(code) && out.stderr.contains(needle), format!("{what}: exit {code} naming {needle}"), &out)?;
            ensure(says_error(&out.stderr), format!("{what}: stderr saying RUNTIME: error: ..."), &out)?;
            b.nothing_left(&id, None)?;
        }
        b.config = good;
        let out = b.detached(&["create", "a/b"])?;
        ensure(out.code == Some(125) && out.stderr.contains("invalid container id"), "a bad id refused", &out)?;
        let id = burrow_lab::random_name("dup-");
        let out = b.detached(&["create", &id])?;
        ensure(out.code == Some(0), "create to succeed", &out)?;
        let out = b.detached(&["create", &id])?;
        ensure(out.code == Some(125) && out.stderr.contains("already exists"), "a second create with the id to fail", &out)?;
        let state = b.state(&id);
        ensure(status_of(&state) == "created", "the first container untouched", state).hint("a create whose id exists must fail before it touches anything: mkdir(2) of ROOT/ID claims the id")?;
        let pid = b.pid(&id)?;
        let out = b.burrow(&["delete", &id])?;
        ensure(out.code == Some(0), "delete of a created container", &out).hint(DELETE)?;
        b.nothing_left(&id, Some(pid))
    });
}

#[test]
fn a_failed_execve_always_says_why() {
    Check {
        id: "ch06/exec-failure",
        what: "burrow run of /bin/echo with 10 MB of arguments (execve fails with E2BIG), 6 times: each run exits 125 (start failed) and its stderr says `RUNTIME: error: ... Argument list too long`; with stdout and stderr on a pipe closed after 150 bytes (`2>&1 | head -c 150`), burrow still exits 125, never 101 (a panic)",
        looks: "runs `TOOL run ID` six times on /bin/echo with 100 arguments of 100 kB (execve fails with E2BIG) and reads each exit code and stderr; then once with stdout and stderr on a pipe the check closes after reading 150 bytes",
        hint: "the container process must say why before it tells start (through the exec fifo) that it failed, or run exits first; write errors with writeln! and ignore a failed write (eprintln! panics on EPIPE)",
        book: "ch06-burrow.md#pitfalls",
        exercises: &[],
    }
    .run(|| {
        let mut b = Bundle::new("true")?;
        let mut args = vec![json!("/bin/echo")];
        args.extend((0..100).map(|_| json!("x".repeat(100_000))));
        b.config["process"]["args"] = json!(args);
        for round in 0..6 {
            let id = burrow_lab::random_name("e2big-");
            let out = b.run(&id)?;
            let said = says_error(&out.stderr) && out.stderr.contains("Argument list too long");
            ensure(out.code == Some(125) && said, format!("run {round}: 125 and why"), &out)?;
            b.nothing_left(&id, None)?;
        }
        let id = burrow_lab::random_name("e2big-");
        let (mut reader, writer) = std::io::pipe()?;
        let mut command = b.command_of(&bin(), &["run", &id, "--bundle", &b.path().to_string_lossy()]);
        let mut child = command.stdout(writer.try_clone()?).stderr(writer).spawn()?;
        drop(command);
        let mut head = [0u8; 150];
        let got = std::io::Read::read(&mut reader, &mut head)?;
        drop(reader);
        let status = child.wait()?;
        let head = String::from_utf8_lossy(&head[..got]).into_owned();
        ensure(status.code() == Some(125), "exit 125 with its stderr closed early, no panic (101)", format!("{status}, first bytes {head:?}"))?;
        b.nothing_left(&id, None)
    });
}

#[test]
fn delete_force_cleans_up_after_anything() {
    Check {
        id: "ch06/killed-create",
        what: "delete --force of a created container whose state.json was made garbage, or removed: the waiting process killed, its cgroup and state dir gone; a create SIGKILLed inside its prestart hook, and others SIGKILLed 0 to 40 ms after they start: delete --force leaves no state dir, cgroup or process",
        looks: "creates, makes ROOT/ID/state.json garbage (or removes it) and runs delete --force; SIGKILLs one create from its prestart hook (kill -9 $PPID) and others 0 to 40 ms after they start, then delete --force each; looks for ROOT/ID, a cgroup named ID and the process",
        hint: "write state.json (status creating) as soon as the state dir is claimed and again once the cgroup and the process exist; without a readable state.json, find the process by who holds ROOT/ID/exec.fifo open and the cgroup by its default name burrow/ID",
        book: "ch06-burrow.md#pitfalls",
        exercises: &[],
    }
    .run(|| {
        let mut b = Bundle::new("exec sleep 1000")?;
        for broken in ["{ not json", ""] {
            let id = burrow_lab::random_name("broken-");
            let out = b.detached(&["create", &id])?;
            ensure(out.code == Some(0), "create to succeed", &out)?;
            let pid = b.pid(&id)?;
            let state = b.root.path().join(&id).join("state.json");
            match broken {
                "" => std::fs::remove_file(&state)?,
                text => std::fs::write(&state, text)?,
            }
            let out = b.burrow(&["delete", "--force", &id])?;
            let what = if broken.is_empty() { "a missing state.json" } else { "a state.json of garbage" };
            ensure(out.code == Some(0), format!("delete --force with {what}"), &out)?;
            b.nothing_left(&id, Some(pid))?;
        }
        // Killed inside the prestart hook: the process and the cgroup exist.
        b.config["hooks"] = json!({"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "kill -9 $PPID; sleep 1"]}]});
        let mut killed = vec![(burrow_lab::random_name("killed-"), None)];
        let bundle = b.path().to_string_lossy().into_owned();
        b.save()?;
        b.config["hooks"] = Value::Null;
        let _ = b.to_files(&["create", &killed[0].0, "--bundle", &bundle])?;
        // And at moments of create's own choosing.
        b.save()?;
        for ms in [0, 1, 2, 5, 10, 20, 40] {
            let id = burrow_lab::random_name("killed-");
            let mut child = b.command_of(&bin(), &["create", &id, "--bundle", &bundle]).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
            std::thread::sleep(std::time::Duration::from_millis(ms));
            let _ = child.kill();
            let _ = child.wait();
            killed.push((id, Some(ms)));
        }
        for (id, ms) in &killed {
            let when = ms.map_or("in its prestart hook".to_string(), |ms| format!("after {ms} ms"));
            let text = std::fs::read_to_string(b.root.path().join(id).join("state.json")).unwrap_or_default();
            let pid = serde_json::from_str::<Value>(&text).ok().and_then(|s| s["pid"].as_u64()).filter(|&p| p > 0);
            if b.root.path().join(id).exists() {
                let out = b.burrow(&["delete", "--force", id])?;
                ensure(out.code == Some(0), format!("delete --force of a create killed {when}"), &out)?;
            }
            b.nothing_left(id, pid.map(|p| p as u32)).map_err(|f| Failure::new(format!("a create killed {when}: {}", f.expected), f.seen))?;
        }
        Ok(())
    });
}

#[test]
fn terminal_through_the_console_socket() {
    Check {
        id: "ch06/terminal",
        what: "process.terminal with --console-socket: the pty master arrives over the socket (SCM_RIGHTS); a shell on it says tty /dev/pts/0 (the container's devpts) and runs what is typed; `run` with a terminal proxies its own",
        looks: "creates a `sh` with process.terminal and --console-socket (a unix socket the check listens on), receives the pty master (SCM_RIGHTS), starts it, types `tty; echo $((6*7)); exit 4` into the master and reads until the shell exits; then runs `TOOL run` under script(1), typing the same",
        hint: "in the child after pivot_root: posix_openpt, grantpt, unlockpt, open the slave, sendmsg the master with SCM_RIGHTS, setsid, TIOCSCTTY, dup2 the slave to 0 1 2",
        book: "ch06-burrow.md#terminals",
        exercises: &[],
    }
    .run(|| {
        use std::io::{Read, Write};
        let id = burrow_lab::random_name("tty-");
        let mut b = Bundle::new("")?;
        b.config["process"]["terminal"] = json!(true);
        b.config["process"]["args"] = json!(["sh"]);
        let socket = b.path().join("console.sock");
        let listener = std::os::unix::net::UnixListener::bind(&socket)?;
        let out = b.detached(&["create", &id, "--console-socket", &socket.to_string_lossy()])?;
        ensure(out.code == Some(0), "create with --console-socket to succeed", &out)?;
        let (stream, _) = listener.accept()?;
        let mut master = receive_fd(&stream)?;
        let out = b.burrow(&["start", &id])?;
        ensure(out.code == Some(0), "start to succeed", &out).hint(START)?;
        master.write_all(b"tty; echo $((6*7)); exit 4\n")?;
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // Read until the shell exits: the last slave closes, and read gives EIO.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&seen).replace('\r', "");
        ensure(text.contains("\n/dev/pts/0\n") && text.contains("\n42\n"), "tty /dev/pts/0 and 42 from the shell", &text)?;
        let stopped = wait_for(5.0, || (status_of(&b.state(&id)) == "stopped").then_some(()));
        ensure(stopped.is_some(), "stopped after exit", "not stopped within 5 s").hint(STATE)?;
        let out = b.burrow(&["delete", &id])?;
        ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
        b.nothing_left(&id, None)?;

        // `run` in a terminal (script(1) gives it one): burrow proxies the pty itself.
        let run_id = burrow_lab::random_name("ttyrun-");
        b.save()?;
        let command = format!("{} --root {} run {run_id} --bundle {}", bin().display(), b.root.path().display(), b.path().display());
        let mut script = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = script.stdin.take().expect("piped stdin");
        std::thread::sleep(std::time::Duration::from_millis(500));
        stdin.write_all(b"echo $((6*7)); tty; exit 4\n")?;
        let out: Run = script.wait_with_output()?.into();
        drop(stdin);
        let text = out.stdout.replace('\r', "");
        ensure(out.code == Some(4) && text.contains("\n42\n") && text.contains("/dev/pts/0"), "run: 42, /dev/pts/0, exit 4", &out)?;
        b.nothing_left(&run_id, None)
    });
}

#[test]
fn exec_joins_a_running_container() {
    Check {
        id: "ch06/exec",
        what: "exec runs a process in the running container: the same namespaces and cgroup as its PID 1 (a pid other than 1 inside), its exit status; -d with --pid-file leaves it running; -p process.json; an unknown command is 127",
        looks: "`run -d` a sleep, then `exec ID sh -c 'echo $$; exit 6'`, `exec -d --pid-file F ID sleep 999` (its /proc/PID/ns/* and /proc/PID/cgroup against the first process's), `ps --format json`, `exec -p process.json` (cwd, env, user) and an unknown command; reads exit codes and output",
        hint: "open /proc/PID/ns/* of the container's process; setns(pid) before clone, the others (mnt last) in the child; write the child's pid to the cgroup before it executes",
        book: "ch06-burrow.md#exec",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("exec-");
        let b = Bundle::new("exec sleep 1000")?;
        let out = b.detached(&["run", "-d", &id])?;
        ensure(out.code == Some(0), "run -d to succeed", &out)?;
        let pid = b.pid(&id)?;
        let out = b.burrow(&["exec", &id, "sh", "-c", "echo $$; exit 6"])?;
        ensure(out.code == Some(6) && out.stdout.trim() != "1" && !out.stdout.trim().is_empty(), "exit 6, and a pid other than 1 inside", &out)?;
        let pid_file = b.path().join("exec.pid");
        let out = b.to_files(&["exec", "-d", "--pid-file", &pid_file.to_string_lossy(), &id, "sleep", "999"])?;
        ensure(out.code == Some(0), "exec -d to succeed", &out)?;
        let exec_pid: u32 = std::fs::read_to_string(&pid_file)?.trim().parse().unwrap_or(0);
        ensure(exec_pid > 0 && alive(exec_pid), "the exec -d process alive, its pid in --pid-file", exec_pid)?;
        for kind in ["pid", "net", "ipc", "uts", "mnt", "cgroup"] {
            let (theirs, ours) = (burrow_lab::namespace_of(&pid.to_string(), kind), burrow_lab::namespace_of(&exec_pid.to_string(), kind));
            ensure(theirs == ours, format!("the container's {kind} namespace {theirs}"), &ours)?;
        }
        let cgroup = |p: u32| std::fs::read_to_string(format!("/proc/{p}/cgroup")).unwrap_or_default();
        ensure(cgroup(pid) == cgroup(exec_pid), format!("the container's cgroup {}", cgroup(pid)), cgroup(exec_pid))?;
        let out = b.burrow(&["ps", &id, "--format", "json"])?;
        let pids: Vec<u32> = serde_json::from_str(&out.stdout).unwrap_or_default();
        ensure(pids.contains(&pid) && pids.contains(&exec_pid), "ps lists both processes", &out).hint("ps: the pids in the container's cgroup.procs")?;
        let process = b.path().join("process.json");
        let json = json!({"args": ["sh", "-c", "echo $GREETING from $(pwd) as $(id -u)"], "cwd": "/etc", "env": ["PATH=/bin", "GREETING=hi"], "user": {"uid": 1000, "gid": 1000}});
        std::fs::write(&process, json.to_string())?;
        let out = b.burrow(&["exec", "-p", &process.to_string_lossy(), &id])?;
        ensure(out.code == Some(0) && out.stdout == "hi from /etc as 1000\n", "hi from /etc as 1000", &out)?;
        let out = b.burrow(&["exec", &id, "no-such-command"])?;
        ensure(out.code == Some(127) && out.stderr.contains("no-such-command"), "127 naming the command", &out)?;
        let out = b.burrow(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete --force to succeed", &out).hint(DELETE)?;
        b.nothing_left(&id, Some(exec_pid))
    });
}

#[test]
fn device_cgroup_allows_only_listed_devices() {
    Check {
        id: "ch06/devices",
        what: "with burrow spec's deny-all device rule: the usual devices and a linux.devices node work, while a block device node made inside (mknod is allowed) cannot be opened: EPERM from the device cgroup",
        looks: "reads linux.resources.devices in spec's config.json, then `run`s a process that writes /dev/null and a linux.devices node /dev/mykmsg, mknods a block device /dev/loopy and reads it; reads what it printed",
        hint: "v1: write the rules to devices.deny/devices.allow; v2: load a BPF_PROG_TYPE_CGROUP_DEVICE program and attach it to the cgroup (later rules win)",
        book: "ch06-burrow.md#devices",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("dev-");
        let script = "echo x > /dev/null && echo null-ok; echo burrow-devices-check > /dev/mykmsg && echo listed-ok; \
                      mknod /dev/loopy b 7 0 && echo mknod-ok; head -c1 /dev/loopy 2>&1; true";
        let mut b = Bundle::new(script)?;
        b.config["linux"]["devices"] = json!([{"path": "/dev/mykmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 0o600}]);
        let rules = &b.config["linux"]["resources"]["devices"];
        ensure(rules == &json!([{"allow": false, "access": "rwm"}]), "burrow spec: devices [{allow: false, access: rwm}] (runc's default)", rules)?;
        let out = b.run(&id)?;
        ensure(out.code == Some(0), "run to succeed", &out)?;
        for wanted in ["null-ok", "listed-ok", "mknod-ok", "Operation not permitted"] {
            ensure(out.stdout.contains(wanted), format!("{wanted:?} in the output"), &out.stdout)?;
        }
        b.nothing_left(&id, None)
    });
}

#[test]
fn pause_resume_kill_all_list_features() {
    Check {
        id: "ch06/control",
        what: "pause freezes the cgroup (status paused, the freezer says frozen), resume thaws it; kill --all signals every process of the cgroup; list --format json and features print JSON",
        looks: "`run -d` `sh -c 'sleep 1000 & exec sleep 1001'`; ps --format json, pause (then state, and freezer.state or cgroup.events of the process's cgroup), resume, list --format json, `kill --all ID KILL` (polling both pids in /proc), delete and features",
        hint: "pause/resume: chapter 3's Cgroup::freeze; kill --all: every pid in cgroup.procs; features: the runtime spec's features document",
        book: "ch06-burrow.md#the-lifecycle",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("ctl-");
        let b = Bundle::new("sleep 1000 & exec sleep 1001")?;
        let out = b.detached(&["run", "-d", &id])?;
        ensure(out.code == Some(0), "run -d to succeed", &out)?;
        let pid = b.pid(&id)?;
        let two = wait_for(5.0, || {
            let out = b.burrow(&["ps", &id, "--format", "json"]).ok()?;
            let pids: Vec<u32> = serde_json::from_str(&out.stdout).ok()?;
            (pids.len() == 2).then_some(pids)
        });
        ensure(two.is_some(), "ps: two processes (sleep 1000 and sleep 1001)", "fewer").hint("ps: the pids in the container's cgroup.procs, with --format json a JSON list of numbers")?;
        let out = b.burrow(&["pause", &id])?;
        let state = b.state(&id);
        ensure(out.code == Some(0) && status_of(&state) == "paused", "pause: status paused", format!("{out} {state}"))?;
        let freezer = burrow_lab::cgroup_dir(pid, "freezer").map(|d| std::fs::read_to_string(d.join("freezer.state")).unwrap_or_default());
        let v2 = burrow_lab::cgroup_dir(pid, "pids").map(|d| std::fs::read_to_string(d.join("cgroup.events")).unwrap_or_default());
        let frozen = freezer.as_deref().is_some_and(|s| s.trim() == "FROZEN") || v2.as_deref().is_some_and(|e| e.contains("frozen 1"));
        ensure(frozen, "the cgroup frozen (freezer.state FROZEN or cgroup.events frozen 1)", format!("{freezer:?} {v2:?}"))?;
        let out = b.burrow(&["resume", &id])?;
        let state = b.state(&id);
        ensure(out.code == Some(0) && status_of(&state) == "running", "resume: status running", format!("{out} {state}"))?;
        let out = b.burrow(&["list", "--format", "json"])?;
        let list: Value = serde_json::from_str(&out.stdout).unwrap_or_default();
        let entry = list.as_array().and_then(|l| l.iter().find(|e| e["id"] == id.as_str()).cloned()).unwrap_or_default();
        ensure(entry["status"] == "running" && entry["pid"] == pid, "list --format json: the container, running, its pid", &out).hint("list: every container under --root; --format json prints [{id, pid, status, bundle, ...}]")?;
        let out = b.burrow(&["kill", "--all", &id, "KILL"])?;
        ensure(out.code == Some(0), "kill --all to succeed", &out).hint("kill --all: the signal to every pid in the container's cgroup.procs")?;
        let gone = wait_for(5.0, || two.iter().flatten().all(|p| !alive(*p)).then_some(()));
        ensure(gone.is_some(), "both processes killed", format!("{two:?}")).hint("kill --all: the signal to every pid in the container's cgroup.procs")?;
        let out = b.burrow(&["delete", &id])?;
        ensure(out.code == Some(0), "delete to succeed", &out).hint(DELETE)?;
        let out = b.burrow(&["features"])?;
        let features: Value = serde_json::from_str(&out.stdout).unwrap_or_default();
        let hooks = features["hooks"].as_array().map_or(0, Vec::len);
        ensure(features["ociVersionMax"].is_string() && hooks == 6 && features["linux"]["namespaces"].is_array(), "features: ociVersionMax, 6 hooks, namespaces", &out)?;
        b.nothing_left(&id, Some(pid))
    });
}

#[test]
fn process_and_root_details() {
    Check {
        id: "ch06/details",
        what: "process.oomScoreAdj, user.umask, domainname, linux.rootfsPropagation shared, and --no-pivot (MS_MOVE + chroot) as the kernel shows them; a failing poststart or poststop hook only warns, and the hooks after it run",
        looks: "`run` with process.oomScoreAdj 500, user.umask 027, domainname, linux.rootfsPropagation shared, and a failing poststart and poststop hook each followed by one that logs; reads the output, stderr and the log; then `run --no-pivot` and the process's first line of /proc/self/mountinfo and ls /",
        hint: "write /proc/PID/oom_score_adj from the parent; umask(2) with the user; setdomainname(2); mount(\"/\", MS_SHARED) after the pivot",
        book: "ch06-burrow.md#configjson-field-by-field",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("det-");
        let script = "cat /proc/self/oom_score_adj; umask; cat /proc/sys/kernel/domainname; awk '$5 == \"/\"' /proc/self/mountinfo | grep -c shared:";
        let mut b = Bundle::new(script)?;
        b.config["process"]["oomScoreAdj"] = json!(500);
        b.config["process"]["user"]["umask"] = json!(0o027);
        b.config["domainname"] = json!("burrow.example");
        b.config["linux"]["rootfsPropagation"] = json!("shared");
        let log = b.path().join("hooks.log");
        let echo = |stage: &str| json!({"path": "/bin/sh", "args": ["sh", "-c", format!("echo {stage} >> {}", log.display())]});
        let fail = json!({"path": "/bin/false"});
        b.config["hooks"] = json!({"poststart": [fail, echo("poststart")], "poststop": [fail, echo("poststop")]});
        let out = b.run(&id)?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        ensure(out.code == Some(0) && lines == ["500", "0027", "burrow.example", "1"], "500, 0027, burrow.example, / shared (exit 0)", &out)?;
        let warned = out.stderr.contains("warning: Poststart") && out.stderr.contains("warning: Poststop");
        ensure(warned, "a warning for each failing hook (poststart, poststop)", &out)?;
        let ran = std::fs::read_to_string(&log).unwrap_or_default();
        ensure(ran == "poststart\npoststop\n", "the hook after each failing one ran all the same", &ran)?;
        b.nothing_left(&id, None)?;
        let pivotless = burrow_lab::random_name("nopivot-");
        b.config["hooks"] = Value::Null;
        b.config["process"]["args"] = json!(["sh", "-c", "cat /proc/self/mountinfo | head -1 | cut -d' ' -f4,5; ls /"]);
        b.save()?;
        let out = b.burrow(&["run", "--no-pivot", &pivotless, "--bundle", &b.path().to_string_lossy()])?;
        ensure(out.code == Some(0) && out.stdout.contains("bin") && out.stdout.contains("proc"), "run --no-pivot: the rootfs is /", &out)?;
        b.nothing_left(&pivotless, None)
    });
}

#[test]
fn only_the_preserved_fds_reach_the_process() {
    Check {
        id: "ch06/preserve-fds",
        what: "fds the caller leaves open do not reach the container: without --preserve-fds fds 3 and 4 are closed inside; with --preserve-fds 1 (run and exec) fd 3 is open and reads the caller's file, fd 4 stays closed; a cwd through a preserved host directory (/proc/self/fd/3) is refused",
        looks: "starts `run -d`, `exec` and `run` with fds 3 and 4 open on files of the bundle (not close-on-exec), with and without --preserve-fds 1; the process writes what /proc/self/fd/3 and 4 read into out.txt; then `exec --preserve-fds 1 --cwd /proc/self/fd/3` with fd 3 open on the bundle directory",
        hint: "before execve, close_range(3 + N, ~0, CLOSE_RANGE_CLOEXEC): every other fd closes on exec; after chdir, getcwd(2) fails (ENOENT) when the cwd is outside the root (runc's CVE-2024-21626)",
        book: "ch06-burrow.md#which-file-descriptors-get-in",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("fds-");
        let probe = "for n in 3 4; do if [ -e /proc/self/fd/$n ]; then echo \"fd $n: $(cat <&$n)\"; else echo \"fd $n: closed\"; fi; done";
        let mut b = Bundle::new(&format!("{probe}; exec sleep 1000"))?;
        b.save()?;
        std::fs::write(b.path().join("three.txt"), "three")?;
        std::fs::write(b.path().join("four.txt"), "four")?;
        let bundle = b.path().to_string_lossy().into_owned();
        let out = with_open_fds(&b, "three.txt", &["run", "-d", &id, "--bundle", &bundle])?;
        ensure(out.code == Some(0), "run -d to succeed", &out)?;
        let pid = b.pid(&id)?;
        let said = wait_for(5.0, || Some(out_txt(&b)).filter(|t| t.lines().count() == 2));
        ensure(said.as_deref() == Some("fd 3: closed\nfd 4: closed\n"), "fd 3: closed, fd 4: closed", format!("{said:?}"))?;
        let out = with_open_fds(&b, "three.txt", &["exec", "--preserve-fds", "1", &id, "sh", "-c", probe])?;
        ensure(out_txt(&b) == "fd 3: three\nfd 4: closed\n", "exec --preserve-fds 1: fd 3: three, fd 4: closed", &out)?;
        // CVE-2024-21626's shape: a host directory open as fd 3, and a cwd through it.
        let args = ["exec", "--preserve-fds", "1", "--cwd", "/proc/self/fd/3", &id, "pwd"];
        let out = with_open_fds(&b, ".", &args)?; // the bundle: the rootfs's parent
        let refused = out.code == Some(125) && out.stderr.contains("outside the container's root");
        ensure(refused, "--cwd /proc/self/fd/3 on a host directory: 125, outside the container's root", &out)?;
        let out = b.burrow(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete --force to succeed", &out).hint(DELETE)?;
        b.config["process"]["args"] = json!(["sh", "-c", probe]);
        b.save()?;
        let out = with_open_fds(&b, "three.txt", &["run", "--preserve-fds", "1", &id, "--bundle", &bundle])?;
        let said = out_txt(&b);
        ensure(out.code == Some(0) && said == "fd 3: three\nfd 4: closed\n", "run --preserve-fds 1: fd 3: three, fd 4: closed", format!("{said:?} {out}"))?;
        b.nothing_left(&id, Some(pid))
    });
}

fn out_txt(b: &Bundle) -> String {
    std::fs::read_to_string(b.path().join("out.txt")).unwrap_or_default()
}

/// `burrow ARGS` with `three` (in the bundle) and four.txt open as fds 3
/// and 4, not close-on-exec, as a caller that passes fds leaves them; output
/// in files.
fn with_open_fds(b: &Bundle, three: &str, args: &[&str]) -> Result<Run, Failure> {
    let (fd3, fd4) = (File::open(b.path().join(three))?, File::open(b.path().join("four.txt"))?);
    let (raw3, raw4) = (fd3.as_raw_fd(), fd4.as_raw_fd());
    let mut command = b.command_of(&bin(), args);
    // SAFETY: fcntl and dup2 are async-signal-safe, and the closure touches
    // nothing else. Copies above 10 first: the files may already be 3 or 4.
    unsafe {
        command.pre_exec(move || {
            for (from, to) in
                [(raw3, 3), (raw4, 4)].map(|(from, to)| (libc::fcntl(from, libc::F_DUPFD_CLOEXEC, 10), to))
            {
                if from < 0 || libc::dup2(from, to) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    b.to_files_with(command)
}

#[test]
fn a_user_who_is_not_root_runs_a_container() {
    Check {
        id: "ch06/rootless",
        what: "uid 65534 writes `spec --rootless` and runs it: root inside (id 0), uid 65534 on the host (uid_map 0 65534 1), pid 1, no cgroup; run -d, exec into it, delete --force; a memory limit, or a map of more ids than its own, is 125 saying why; nothing is left",
        looks: "as uid 65534 (setpriv): `spec --rootless`, `run` (id -u, uid_map, $$), `run -d` a sleep, `exec ID sh -c 'id -u; echo $$'`, delete --force, then run with a memory limit and with a map of 65536 more ids; reads output and exit codes, and what is left under --root and in the cgroups",
        hint: "clone with CLONE_NEWUSER and the rest at once; write setgroups deny, then a one-line uid_map/gid_map of your own ids; make no cgroup; bind /sys instead of mounting sysfs; refuse what only root (or chapter 7's newuidmap) can do",
        book: "ch07-security.md#rootless-containers",
        exercises: &[],
    }
    .run(|| {
        let id = burrow_lab::random_name("rl-");
        let rootless = common::Rootless::new()?;
        let bundle = rootless.bundle_arg();
        let script = "id -u; cat /proc/self/uid_map; echo pid $$";
        rootless.edit(|c| c["process"]["args"] = json!(["sh", "-c", script]))?;
        let out = rootless.run(&["run", &id, "--bundle", &bundle])?;
        let lines: Vec<String> = out.stdout.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        ensure(out.code == Some(0) && lines.len() >= 3, "run as uid 65534 to succeed", &out)?;
        ensure(lines[..3] == ["0", "0 65534 1", "pid 1"], "uid 0 inside, uid_map 0 65534 1, pid 1", format!("{lines:?}"))?;
        // A detached one, and `exec` into it (which must join the user
        // namespace before the PID namespace: only its root may).
        rootless.edit(|c| c["process"]["args"] = json!(["sleep", "1000"]))?;
        let status = rootless.command(&["run", "-d", &id, "--bundle", &bundle]).stdout(Stdio::null()).status()?;
        ensure(status.success(), "run -d as uid 65534", status)?;
        let out = rootless.run(&["exec", &id, "sh", "-c", "id -u; echo $$"])?;
        let words: Vec<&str> = out.stdout.split_whitespace().collect();
        ensure(out.code == Some(0) && words.first() == Some(&"0") && words.get(1) != Some(&"1"), "exec: uid 0, a pid other than 1", &out)?;
        let out = rootless.run(&["delete", "--force", &id])?;
        ensure(out.code == Some(0), "delete --force as uid 65534", &out)?;
        rootless.edit(|c| {
            c["process"]["args"] = json!(["true"]);
            c["linux"]["resources"] = json!({"memory": {"limit": 67108864}});
        })?;
        let out = rootless.run(&["run", &id, "--bundle", &bundle])?;
        ensure(out.code == Some(125) && out.stderr.contains("linux.resources"), "a memory limit without root: 125, saying why", &out)?;
        rootless.edit(|c| {
            c["linux"]["resources"] = Value::Null;
            let maps = json!([{"containerID": 0, "hostID": 65534, "size": 1}, {"containerID": 1, "hostID": 400000, "size": 65536}]);
            c["linux"]["uidMappings"] = maps.clone();
            c["linux"]["gidMappings"] = maps;
        })?;
        let out = rootless.run(&["run", &id, "--bundle", &bundle])?;
        let named = out.stderr.contains("uidMappings");
        ensure(out.code == Some(125) && named, "a map of 65536 more ids: 125, naming linux.uidMappings", &out)?;
        rootless.nothing_left(&id)
    });
}
