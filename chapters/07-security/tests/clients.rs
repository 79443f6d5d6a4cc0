//! Chapter 7's lab checks, second part: real container engines drive burrow
//! in runc's place. podman (through conmon) and containerd's `ctr` call the
//! runtime's command line exactly as they call runc's; each check reads what
//! the kernel shows of the container they made.
//!
//! podman keeps its images and containers under temp dirs of the check's own
//! (`--root`, `--runroot`, the vfs driver: no mounts to leave behind) and runs
//! in a network namespace made for the check. These checks need podman,
//! conmon and containerd (scripts/provision.sh installs them); they run on
//! the host, not in the cgroup v2 VM, which has no podman.

#[path = "../../06-runtime/tests/common/mod.rs"]
mod common;

/// Set it to a runtime of your own to check it: `scripts/lab 7 --bin PATH`.
const BIN_VAR: &str = "BURROW_CH07_BIN";
const REFERENCE: &str = env!("CARGO_BIN_EXE_burrow");

use burrow_lab::{ensure, wait_for, Check, Failure, Hint, Run};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const IMAGE: &str = "localhost/burrow-busybox";

/// What a container of podman's config.json goes through: its capabilities
/// (7.1, 7.2), the order of the steps before the user (7.3), and podman's
/// seccomp profile compiled (7.4, 7.5) and installed (7.6).
const CONFINED: &[&str] = &["7.1", "7.2", "7.3", "7.4", "7.5", "7.6"];

/// Fail unless each of `tools` is on PATH.
fn installed(tools: &[&str], package: &str) -> Result<(), Failure> {
    for tool in tools {
        let found = Command::new("sh").args(["-c", &format!("command -v {tool}")]).output()?.status.success();
        ensure(found, format!("{tool} installed ({package}; scripts/provision.sh installs it)"), "not found")
            .hint(
                "the check drives a real engine: install it (scripts/provision.sh), then run the lab again",
            )?;
    }
    Ok(())
}

/// A podman with its own storage, configuration and network namespace.
struct Podman {
    dir: tempfile::TempDir,
    netns: String,
}

impl Podman {
    fn new() -> Result<Podman, Failure> {
        installed(&["podman", "conmon"], "packages podman and conmon")?;
        let dir = burrow_lab::temp_dir();
        // conmon passes --log-format json only to runtimes listed here.
        let conf = "[engine]\ncgroup_manager = \"cgroupfs\"\nruntime_supports_json = [\"burrow\"]\n\
                    [containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n";
        std::fs::write(dir.path().join("containers.conf"), conf)?;
        let netns = burrow_lab::random_name("burrow-podman-");
        let status = Command::new("ip").args(["netns", "add", &netns]).status()?;
        ensure(status.success(), format!("ip netns add {netns}"), status)?;
        let podman = Podman { dir, netns };
        Command::new("ip").args(["-n", &podman.netns, "link", "set", "lo", "up"]).status()?;
        // The image: the busybox rootfs as one layer, from a tar on stdin.
        let tar = Command::new("tar")
            .arg("-C")
            .arg(burrow_lab::rootfs())
            .args(["-c", "."])
            .stdout(Stdio::piped())
            .spawn()?;
        let out: Run = podman
            .command(&["import", "-", IMAGE])
            .stdin(tar.stdout.ok_or_else(|| Failure::new("tar's stdout", "none"))?)
            .output()?
            .into();
        ensure(out.code == Some(0), "podman import of the busybox rootfs", &out)
            .hint("podman itself failed before it ran the runtime: read its stderr")?;
        Ok(podman)
    }

    /// `podman` with burrow as its runtime, in the check's netns and storage.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("nsenter");
        command
            .arg(format!("--net=/run/netns/{}", self.netns))
            .args(["podman", "--root"])
            .arg(self.dir.path().join("storage"))
            .arg("--runroot")
            .arg(self.dir.path().join("run"))
            .args(["--storage-driver", "vfs", "--runtime"])
            .arg(common::bin())
            .args(args)
            .env("CONTAINERS_CONF", self.dir.path().join("containers.conf"))
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Result<Run, Failure> {
        Ok(self.command(args).output()?.into())
    }

    /// `podman inspect -f FORMAT NAME`, trimmed.
    fn inspect(&self, name: &str, format: &str) -> String {
        self.run(&["inspect", "-f", format, name]).map(|r| r.stdout.trim().to_string()).unwrap_or_default()
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.run(&["rm", "--all", "--force", "--time", "0"]);
        let _ = self.run(&["rmi", "--all", "--force"]);
        let _ = Command::new("ip").args(["netns", "del", &self.netns]).status();
    }
}

#[test]
fn podman_runs_containers_with_burrow() {
    Check {
        id: "ch07/podman",
        what: "podman --runtime burrow: run --rm (output, exit status); run -d with --memory/--cpus/--pids-limit landing in the cgroup; update of those limits; logs; exec; stop (SIGTERM, and SIGKILL after the timeout for a process that ignores it); rm",
        looks: "imports the busybox rootfs into a podman of its own (temp --root and --runroot, the vfs driver, a network namespace made for the check) with `--runtime TOOL`; runs `run --rm`, `run -d` with --memory 64m --cpus 0.5 --pids-limit 20 and reads memory.max, cpu.max and pids.max of the container's cgroup (from /proc/PID/cgroup), `update`, `logs`, `exec`, `stop` of a shell trapping TERM and of `sleep` (timed, and its exit code), `rm`, and whether the container's process is gone",
        hint: "conmon calls `create --bundle B --pid-file P [--console-socket S] ID`, then podman `start`, `state`, `kill ID 15`, `delete --force`, and `exec --process F --detach --pid-file P`",
        book: "ch07-security.md#real-clients-podman-and-containerd",
        exercises: CONFINED,
    }
    .run(|| {
        let podman = Podman::new()?;
        let out = podman.run(&["run", "--rm", "--network", "none", IMAGE, "sh", "-c", "echo hello from podman; exit 3"])?;
        ensure(out.code == Some(3) && out.stdout == "hello from podman\n", "run --rm: its output, exit 3", &out)?;

        let script = "echo started; trap 'echo got TERM; exit 0' TERM; while :; do sleep 1; done";
        let limits = ["--memory", "64m", "--cpus", "0.5", "--pids-limit", "20"];
        let out = podman.run(&[&["run", "-d", "--name", "web", "--network", "none"][..], &limits, &[IMAGE, "sh", "-c", script]].concat())?;
        ensure(out.code == Some(0), "run -d with limits", &out)?;
        let runtime = podman.inspect("web", "{{.OCIRuntime}}");
        ensure(runtime == common::bin().display().to_string(), "podman's OCIRuntime: burrow", &runtime)?;
        let pid: u32 = podman.inspect("web", "{{.State.Pid}}").parse().unwrap_or(0);
        let read = |controller: &str, v1: &str, v2: &str| common::cgroup_file(pid, controller, v1, v2).1;
        ensure(read("memory", "memory.limit_in_bytes", "memory.max") == "67108864", "memory limit 64M in the cgroup", read("memory", "memory.limit_in_bytes", "memory.max"))
            .hint("the limits are config.json's linux.resources, written into the container's cgroup (chapter 6, with chapter 3's files)")?;
        ensure(read("pids", "pids.max", "pids.max") == "20", "pids.max 20", read("pids", "pids.max", "pids.max"))?;
        let cpu = read("cpu", "cpu.cfs_quota_us", "cpu.max");
        ensure(cpu == "50000" || cpu.starts_with("50000 "), "cpu quota 50000 (--cpus 0.5)", &cpu)?;
        // podman update writes linux.resources to a file: `burrow update --resources F`.
        let out = podman.run(&["update", "--memory", "128m", "--cpus", "0.25", "web"])?;
        ensure(out.code == Some(0), "podman update --memory 128m --cpus 0.25", &out)?;
        let memory = read("memory", "memory.limit_in_bytes", "memory.max");
        ensure(memory == "134217728", "memory limit 128M in the cgroup after podman update", &memory)
            .hint("podman update runs `TOOL update --resources FILE ID`: read linux.resources from FILE (JSON) and write them into the container's cgroup")?;
        let cpu = read("cpu", "cpu.cfs_quota_us", "cpu.max");
        ensure(cpu == "25000" || cpu.starts_with("25000 "), "cpu quota 25000 after podman update", &cpu)?;
        let logs = wait_for(5.0, || podman.run(&["logs", "web"]).ok().filter(|r| r.stdout.contains("started")));
        ensure(logs.is_some(), "podman logs: started", "nothing")?;
        let out = podman.run(&["exec", "web", "sh", "-c", "echo exec as $(id -u) in $(hostname)"])?;
        ensure(out.code == Some(0) && out.stdout.starts_with("exec as 0 in "), "podman exec: a process in the container", &out)?;
        let started = std::time::Instant::now();
        let out = podman.run(&["stop", "--time", "10", "web"])?;
        ensure(out.code == Some(0) && started.elapsed().as_secs() < 5, "stop: SIGTERM handled at once", format!("{out} after {:?}", started.elapsed()))
            .hint("podman stop runs `TOOL kill ID 15`: a numeric signal, sent to the container's PID 1; then `state` must say stopped")?;
        let logs = podman.run(&["logs", "web"])?;
        ensure(logs.stdout.contains("got TERM"), "the container saw SIGTERM", &logs)?;

        // PID 1 without a handler ignores SIGTERM: stop kills it after --time.
        let out = podman.run(&["run", "-d", "--name", "stubborn", "--network", "none", IMAGE, "sleep", "1000"])?;
        ensure(out.code == Some(0), "run -d sleep", &out)?;
        let started = std::time::Instant::now();
        let out = podman.run(&["stop", "--time", "1", "stubborn"])?;
        let took = started.elapsed();
        let code = podman.inspect("stubborn", "{{.State.ExitCode}}");
        ensure(out.code == Some(0) && took.as_millis() >= 1000 && code == "137", "stop --time 1: SIGKILL after 1 s, exit 137", format!("{out}, {took:?}, exit {code}"))
            .hint("a PID 1 without a handler ignores SIGTERM; podman then runs `TOOL kill ID 9`, and conmon, the subreaper, reports 128+9")?;
        let out = podman.run(&["rm", "web", "stubborn"])?;
        ensure(out.code == Some(0), "rm", &out)?;
        let gone = wait_for(5.0, || (!common::alive(pid)).then_some(()));
        ensure(gone.is_some(), "the container's process gone", pid)
    });
}

#[test]
fn podman_everyday_flags() {
    Check {
        id: "ch07/podman-flags",
        what: "podman with burrow: --read-only with --tmpfs /x and --mount type=tmpfs,destination=/y,tmpfs-size=1m (the root refuses a write, /y is 1024 KiB, both tmpfs); --tmpfs /etc is filled from the image (tmpcopyup); --privileged (a tmpfs mounts inside, the host's block devices are in /dev); --uidmap/--gidmap 0:100000:65536 (uid_map inside, uid 0), without a cgroup namespace on a cgroup v1 host",
        looks: "podman run --rm with --read-only --tmpfs /x --mount type=tmpfs,destination=/y,tmpfs-size=1m, with --tmpfs /etc, with --privileged, and with --uidmap/--gidmap 0:100000:65536; reads what the container prints: a write to /, df -k /y, /proc/mounts, /etc/passwd, a tmpfs mounted inside, /dev/DISK, uid_map and id -u",
        hint: "podman passes runc's own mount options (tmpcopyup): take them out of the filesystem's data; --privileged lists devpts' own ptmx among the devices: a node that is already that device is fine; in a user namespace without a cgroup namespace, bind mount the container's cgroup directories (a cgroup v1 mount there is EPERM)",
        book: "ch07-security.md#real-clients-podman-and-containerd",
        exercises: CONFINED,
    }
    .run(|| {
        let podman = Podman::new()?;
        let run = |flags: &[&str], script: &str| {
            podman.run(&[&["run", "--rm", "--network", "none"][..], flags, &[IMAGE, "sh", "-c", script]].concat())
        };
        let tmpfs = ["--read-only", "--tmpfs", "/x", "--mount", "type=tmpfs,destination=/y,tmpfs-size=1m"];
        let out = run(&tmpfs, "touch /w 2>&1; df -k /y | tail -1; grep -E ' /(x|y) ' /proc/mounts")?;
        ensure(out.code == Some(0) && out.stdout.contains("Read-only file system"), "--read-only: a write to / refused", &out)?;
        let size = out.stdout.lines().find(|l| l.ends_with(" /y")).and_then(|l| l.split_whitespace().nth(1)).unwrap_or_default();
        ensure(size == "1024", "/y a tmpfs of 1024 KiB (tmpfs-size=1m)", &out)?;
        ensure(out.stdout.contains("tmpfs /x tmpfs") && out.stdout.contains("tmpfs /y tmpfs"), "/x and /y are tmpfs", &out)?;
        let out = run(&["--tmpfs", "/etc"], "grep -c root /etc/passwd; grep ' /etc ' /proc/mounts")?;
        let copied = out.stdout.lines().next().and_then(|l| l.parse::<u32>().ok()).unwrap_or(0) > 0;
        ensure(copied && out.stdout.contains("tmpfs /etc tmpfs"), "--tmpfs /etc holding the image's passwd (tmpcopyup)", &out)?;
        let block = std::fs::read_dir("/sys/block").ok().into_iter().flatten().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).find(|n| !n.starts_with("loop") && !n.starts_with("ram"));
        let block = block.unwrap_or_else(|| "null".into());
        let out = run(&["--privileged"], &format!("mkdir /m && mount -t tmpfs t /m && echo mounted; ls /dev/{block}"))?;
        ensure(out.code == Some(0) && out.stdout.contains("mounted") && out.stdout.contains(&format!("/dev/{block}")), format!("--privileged: a tmpfs mounted inside, /dev/{block} there"), &out)?;
        let ids = ["--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536"];
        let out = run(&ids, "cat /proc/self/uid_map; id -u; ls /sys/fs/cgroup | head -1")?;
        let map: Vec<&str> = out.stdout.lines().next().unwrap_or_default().split_whitespace().collect();
        ensure(out.code == Some(0) && map == ["0", "100000", "65536"] && out.stdout.lines().nth(1) == Some("0"), "--uidmap: uid_map 0 100000 65536, uid 0 inside", &out)
    });
}

#[test]
fn podman_gives_a_terminal() {
    Check {
        id: "ch07/podman-tty",
        what: "podman run -it with burrow: conmon receives the pty over the console socket; the shell says tty /dev/pts/0, computes, and its exit status is podman's",
        looks: "runs `podman run -it --rm IMAGE sh` under script(1), which gives podman a pty, types `tty; echo $((6*7)); exit 3` after 2 s, and reads the output and podman's exit status",
        hint: "--console-socket: open the pty in the container, send the master with SCM_RIGHTS",
        book: "ch07-security.md#real-clients-podman-and-containerd",
        exercises: CONFINED,
    }
    .run(|| {
        use std::io::Write;
        let podman = Podman::new()?;
        let mut line: Vec<String> = podman.command(&["run", "-it", "--rm", "--network", "none", IMAGE, "sh"])
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        line.insert(0, "nsenter".into());
        let quoted: Vec<String> = line.iter().map(|a| format!("'{a}'")).collect();
        let conf = podman.dir.path().join("containers.conf");
        let mut script = Command::new("script")
            .args(["-qec", &quoted.join(" "), "/dev/null"])
            .env("CONTAINERS_CONF", &conf)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = script.stdin.take().ok_or_else(|| Failure::new("stdin", "none"))?;
        std::thread::sleep(std::time::Duration::from_secs(2));
        stdin.write_all(b"tty; echo $((6*7)); exit 3\n")?;
        let out: Run = script.wait_with_output()?.into();
        drop(stdin);
        let text = out.stdout.replace('\r', "");
        ensure(out.code == Some(3) && text.contains("/dev/pts/0") && text.contains("\n42\n"), "tty /dev/pts/0, 42, exit 3", &out)
    });
}

/// A private containerd: config, root, state and socket under a temp dir.
struct Containerd {
    dir: tempfile::TempDir,
    daemon: std::process::Child,
}

impl Containerd {
    fn start() -> Result<Containerd, Failure> {
        let dir = burrow_lab::temp_dir();
        let p = |name: &str| dir.path().join(name).display().to_string();
        let config = format!(
            "version = 2\nroot = \"{}\"\nstate = \"{}\"\n[grpc]\n  address = \"{}\"\n",
            p("root"),
            p("state"),
            p("containerd.sock")
        );
        std::fs::write(dir.path().join("config.toml"), config)?;
        let daemon = Command::new("containerd")
            .arg("--config")
            .arg(dir.path().join("config.toml"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("containerd.log"))?)
            .spawn()?;
        let containerd = Containerd { dir, daemon };
        let up = wait_for(10.0, || containerd.ctr(&["version"]).ok().filter(|r| r.code == Some(0)));
        ensure(
            up.is_some(),
            "containerd to answer on its socket",
            std::fs::read_to_string(containerd.dir.path().join("containerd.log")).unwrap_or_default(),
        )?;
        Ok(containerd)
    }

    fn ctr(&self, args: &[&str]) -> Result<Run, Failure> {
        let out = Command::new("ctr")
            .arg("--address")
            .arg(self.dir.path().join("containerd.sock"))
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        Ok(out.into())
    }
}

impl Drop for Containerd {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        // The snapshotter's mounts live under the temp dir: undo them, deepest first.
        let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let mut mounts: Vec<&str> = table
            .lines()
            .filter_map(|l| l.split(' ').nth(4))
            .filter(|m| Path::new(m).starts_with(self.dir.path()))
            .collect();
        mounts.sort_by_key(|m| std::cmp::Reverse(m.len()));
        for mount in mounts {
            let _ = nix::mount::umount2(mount, nix::mount::MntFlags::MNT_DETACH);
        }
    }
}

#[test]
fn containerd_runs_a_container_with_burrow() {
    Check {
        id: "ch07/ctr",
        what: "containerd's ctr run --runc-binary burrow: an OCI image (umoci, skopeo's oci-archive) imported and run, its output and exit status",
        looks: "starts a containerd of its own (temp config, root, state and socket), makes an OCI archive of the busybox rootfs with umoci and skopeo, `ctr images import`s it and runs `ctr run --rm --runc-binary TOOL IMAGE ID sh -c ...`; reads its output and exit status",
        hint: "containerd's shim calls create (with --pid-file, --log), start, state, kill and delete, as podman's conmon does",
        book: "ch07-security.md#real-clients-podman-and-containerd",
        // containerd's default config.json has capabilities, and no seccomp profile.
        exercises: &["7.1", "7.2", "7.3"],
    }
    .run(|| {
        installed(&["containerd", "ctr", "umoci", "skopeo"], "packages containerd, umoci and skopeo")?;
        let containerd = Containerd::start()?;
        let work = containerd.dir.path();
        let image = burrow_lab::random_name("bb-");
        let sh = |script: &str| -> Result<Run, Failure> { Ok(Command::new("sh").args(["-c", script]).current_dir(work).output()?.into()) };
        let out = sh(&format!(
            "umoci init --layout img && umoci new --image img:latest && umoci unpack --image img:latest b && \
             cp -a {}/. b/rootfs/ && umoci repack --image img:latest b && rm -rf b && \
             skopeo copy oci:img:latest oci-archive:bb.tar:docker.io/library/{image}:latest",
            burrow_lab::rootfs().display()
        ))?;
        ensure(out.code == Some(0), "an OCI archive of the busybox rootfs (umoci, skopeo)", &out)
            .hint("the check's own image could not be made (umoci, skopeo): read their output")?;
        let archive = work.join("bb.tar").display().to_string();
        let out = containerd.ctr(&["images", "import", &archive])?;
        ensure(out.code == Some(0), "ctr images import", &out)?;
        let reference = format!("docker.io/library/{image}:latest");
        let runtime: PathBuf = common::bin();
        let out = containerd.ctr(&["run", "--rm", "--runc-binary", &runtime.to_string_lossy(), &reference, &image, "sh", "-c", "echo hello from ctr; exit 4"])?;
        ensure(out.code == Some(4) && out.stdout.contains("hello from ctr"), "ctr run: the output, exit 4", &out)
    });
}

#[test]
fn podman_publishes_a_port() {
    Check {
        id: "ch07/podman-publish",
        what: "podman run -p 8080:80 with burrow, in the check's network namespace: podman's own networking (CNI bridge, portmap) wires the container burrow made, and a web server in it answers on the namespace's port 8080",
        looks: "runs `podman run -d -p 8080:80 -v DIR:/www:ro IMAGE httpd` in the check's network namespace, with a random page in DIR, and fetches http://127.0.0.1:8080/ there with busybox wget for up to 10 s",
        hint: "podman makes the network namespace and passes it in config.json by path: join it with setns(2)",
        book: "ch07-security.md#real-clients-podman-and-containerd",
        exercises: CONFINED,
    }
    .run(|| {
        let podman = Podman::new()?;
        let www = podman.dir.path().join("www");
        std::fs::create_dir(&www)?;
        let page = burrow_lab::random_name("page-");
        std::fs::write(www.join("index.html"), &page)?;
        let volume = format!("{}:/www:ro", www.display());
        let out = podman.run(&["run", "-d", "--name", "web", "-p", "8080:80", "-v", &volume, IMAGE, "httpd", "-f", "-p", "80", "-h", "/www"])?;
        ensure(out.code == Some(0), "run -d -p 8080:80", &out)?;
        let fetch = |url: &str| -> Option<String> {
            let out = Command::new("nsenter")
                .arg(format!("--net=/run/netns/{}", podman.netns))
                .args(["timeout", "5", "busybox", "wget", "-qO-", url])
                .output()
                .ok()?;
            Some(String::from_utf8_lossy(&out.stdout).into_owned()).filter(|t| t.contains(&page))
        };
        let answered = wait_for(10.0, || fetch("http://127.0.0.1:8080/"));
        ensure(answered.is_some(), format!("the page {page} on 127.0.0.1:8080 of the check's netns"), "no answer")?;
        let out = podman.run(&["rm", "--force", "--time", "0", "web"])?;
        ensure(out.code == Some(0), "rm --force", &out)
    });
}

/// Ids 400000 to 465535 granted to `user` in /etc/subuid and /etc/subgid,
/// for as long as this lives; the files are put back as they were.
struct SubIds {
    saved: Vec<(&'static str, Option<String>)>,
}

impl SubIds {
    fn grant(user: &str) -> Result<SubIds, Failure> {
        let mut sub = SubIds { saved: Vec::new() };
        for file in ["/etc/subuid", "/etc/subgid"] {
            let before = std::fs::read_to_string(file).ok();
            sub.saved.push((file, before.clone()));
            std::fs::write(file, format!("{}{user}:400000:65536\n", before.unwrap_or_default()))?;
        }
        Ok(sub)
    }
}

impl Drop for SubIds {
    fn drop(&mut self) {
        for (file, before) in &self.saved {
            let _ = match before {
                Some(text) => std::fs::write(file, text),
                None => std::fs::remove_file(file),
            };
        }
    }
}

#[test]
fn newuidmap_maps_the_ids_a_user_owns() {
    Check {
        id: "ch07/rootless",
        what: "uid 65534 runs a `spec --rootless` bundle with 65536 more ids (1 to 65536 inside, 400000 up outside): refused with 125 naming /etc/subuid while they are not its own; once /etc/subuid and /etc/subgid grant them, uid_map has both lines and a file chowned to 1000 inside is 1000 there; nothing is left",
        looks: "as uid 65534 (setpriv), runs a `TOOL spec --rootless` bundle whose maps add 1 to 65536 inside onto 400000 up: first while /etc/subuid and /etc/subgid do not grant them (its exit code and stderr), then with a line for the user added to each (put back after); reads uid_map, gid_map and the owner of a file chowned to 1000 inside, and what is left under --root",
        hint: "run newuidmap PID 0 UID 1 400000 65536 (and newgidmap) from the parent while the child waits; they check /etc/subuid, /etc/subgid",
        book: "ch07-security.md#rootless-containers",
        // Without root: the memfd seal (7.8), and the maps by newuidmap (7.7).
        exercises: &["7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8"],
    }
    .run(|| {
        installed(&["newuidmap", "newgidmap"], "package uidmap")?;
        let id = burrow_lab::random_name("rl-");
        let rootless = common::Rootless::new()?;
        let bundle = rootless.bundle_arg();
        let script = "cat /proc/self/uid_map /proc/self/gid_map; touch /dev/f; chown 1000:1000 /dev/f; stat -c '%u %g' /dev/f";
        rootless.edit(|c| {
            c["process"]["args"] = serde_json::json!(["sh", "-c", script]);
            let maps = serde_json::json!([{"containerID": 0, "hostID": 65534, "size": 1}, {"containerID": 1, "hostID": 400000, "size": 65536}]);
            c["linux"]["uidMappings"] = maps.clone();
            c["linux"]["gidMappings"] = maps;
        })?;
        let out = rootless.run(&["run", &id, "--bundle", &bundle])?;
        ensure(out.code == Some(125) && out.stderr.contains("/etc/subuid"), "ids not granted: 125, naming /etc/subuid", &out)
            .hint("without root, the runtime starts from a sealed memfd (no overlay), then has newuidmap and newgidmap write the maps; when they fail, exit 125 naming /etc/subuid")?;
        rootless.nothing_left(&id)?;
        let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(65534)).ok().flatten();
        let user = user.map(|u| u.name).unwrap_or_else(|| "65534".into());
        let granted = SubIds::grant(&user)?;
        let out = rootless.run(&["run", &id, "--bundle", &bundle])?;
        drop(granted);
        let lines: Vec<String> = out.stdout.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        let map = ["0 65534 1", "1 400000 65536"];
        let wanted = [&map[..], &map[..], &["1000 1000"]].concat();
        ensure(out.code == Some(0) && lines == wanted, format!("{wanted:?}"), &out)?;
        rootless.nothing_left(&id)
    });
}
