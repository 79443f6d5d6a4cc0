//! Chapter 4's lab checks. Each creates its own network namespace to play the
//! host (`ip netns add burrow-test-...`), runs `ch04-veth` (or the learner's
//! binary named by `BURROW_CH04_BIN`) in it, and asserts what the kernel's
//! network stack shows: links, addresses, routes, packets that arrive. The
//! machine's real network is never touched.

use burrow_lab::{ensure, random_name, Check, Failure, Run};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

fn bin() -> PathBuf {
    burrow_lab::binary("BURROW_CH04_BIN", env!("CARGO_BIN_EXE_ch04-veth"))
}

/// A network namespace playing the host, with its own lease directory;
/// deleted (with every link left in it) when dropped.
struct Host {
    name: String,
    state: tempfile::TempDir,
}

impl Host {
    fn new() -> Result<Host, Failure> {
        let name = random_name("burrow-test-");
        let made = Command::new("ip").args(["netns", "add", &name]).output()?;
        ensure(made.status.success(), "ip netns add to work", String::from_utf8_lossy(&made.stderr))?;
        let host = Host { name, state: burrow_lab::temp_dir() };
        host.sh("ip link set lo up")?;
        Ok(host)
    }

    /// The tool, run in this host's namespace with its lease directory.
    fn tool(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name])
            .arg(bin())
            .arg("--state-dir")
            .arg(self.state.path())
            .args(args);
        cmd
    }

    fn run(&self, args: &[&str]) -> Result<Run, Failure> {
        Ok(self.tool(args).output()?.into())
    }

    /// A shell command in the host's namespace (the test observing).
    fn sh(&self, script: &str) -> Result<Run, Failure> {
        Ok(Command::new("ip").args(["netns", "exec", &self.name, "sh", "-c", script]).output()?.into())
    }

    /// Links, leases: what a finished container must not leave behind.
    fn leftovers(&self) -> Result<String, Failure> {
        let links = self.sh("ip -o link show | cut -d: -f2 | grep -v '^ lo$' || true")?.stdout;
        let leases =
            self.sh(&format!("ls {}/ipam/* 2>/dev/null || true", self.state.path().display()))?.stdout;
        Ok(format!("{}{}", links.trim(), leases.trim()))
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

/// Start a container that waits, and return it once its eth0 is configured.
fn start_waiting(host: &Host, ip: &str) -> Result<Child, Failure> {
    let script = "while ! ip -o addr show eth0 2>/dev/null | grep -q inet; do sleep 0.05; done; echo ready; exec sleep 30";
    let mut child =
        host.tool(&["--ip", ip, "--init", "--", "sh", "-c", script]).stdout(Stdio::piped()).spawn()?;
    let mut line = String::new();
    if let Some(out) = child.stdout.as_mut() {
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
    }
    ensure(line.trim() == "ready", format!("the container at {ip} to come up"), &line)?;
    Ok(child)
}

/// SIGTERM the tool (it forwards it through --init) and return its exit code:
/// 143 when the container ended and the tool cleaned up without an error.
fn stop(mut child: Child) -> Option<i32> {
    burrow_lab::send_signal(child.id(), libc::SIGTERM);
    if burrow_lab::wait_for(5.0, || child.try_wait().ok().flatten()).is_none() {
        let _ = child.kill();
    }
    child.wait().ok()?.code()
}

#[test]
fn none_has_only_lo() {
    Check {
        id: "ch04/none",
        what: "--net none: the only link is lo, and it is up",
        hint: "a new network namespace has lo, down: send RTM_NEWLINK lo with IFF_UP",
        book: "ch04-veth.md#network-modes",
    }
    .run(|| {
        let host = Host::new()?;
        let out = host.run(&["--net", "none", "--", "sh", "-c", "ip -o link show | cut -d' ' -f2,3"])?;
        ensure(out.stdout.trim() == "lo: <LOOPBACK,UP,LOWER_UP>", "only \"lo: <LOOPBACK,UP,LOWER_UP>\"", &out)
    });
}

#[test]
fn host_mode_shares_the_hosts_links() {
    Check {
        id: "ch04/host",
        what: "--net host: the container sees the host's own network namespace",
        hint: "leave CLONE_NEWNET out of the clone flags",
        book: "ch04-veth.md#network-modes",
    }
    .run(|| {
        let host = Host::new()?;
        let made = host.sh("ip link add burrow-h0 type veth peer name burrow-h1")?;
        ensure(made.code == Some(0), "a veth pair made in the host namespace", &made)?;
        let out = host.run(&[
            "--net",
            "host",
            "--",
            "sh",
            "-c",
            "readlink /proc/self/ns/net; ip -o link show | cut -d' ' -f2",
        ])?;
        let ns = host.sh("readlink /proc/self/ns/net")?.stdout;
        ensure(
            out.stdout.starts_with(ns.trim()) && out.stdout.contains("burrow-h0"),
            "the host's netns and its burrow-h0 link",
            &out,
        )
    });
}

#[test]
fn bridge_gives_an_address_a_route_and_reaches_the_host() {
    Check {
        id: "ch04/bridge",
        what: "--net bridge --ip 10.99.0.7: eth0 with 10.99.0.7/24, default via 10.99.0.1, the host answers a ping; nothing left after",
        hint: "veth pair, host end into the bridge (10.99.0.1/24, up), peer into the child's netns (by pid), renamed eth0, address, up, default route",
        book: "ch04-veth.md#the-packets-path",
    }
    .run(|| {
        let host = Host::new()?;
        let script = "ip -o -4 addr show eth0 | cut -d' ' -f7; ip route show default | cut -d' ' -f1-3; ping -c1 -W2 10.99.0.1 >/dev/null && echo pong";
        let out = host.run(&["--ip", "10.99.0.7", "--", "sh", "-c", script])?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        ensure(lines == ["10.99.0.7/24", "default via 10.99.0.1", "pong"], "10.99.0.7/24, default via 10.99.0.1, pong", &out)?;
        let left = host.leftovers()?;
        ensure(left.is_empty(), "no veth, bridge or lease left in the host", left)
    });
}

#[test]
fn two_containers_ping_each_other() {
    Check {
        id: "ch04/two",
        what:
            "two containers on the bridge ping each other; after both end, no veth, bridge or lease is left",
        hint: "both host ends must be plugged into the same bridge (IFLA_MASTER), and up",
        book: "ch04-veth.md#the-packets-path",
    }
    .run(|| {
        let host = Host::new()?;
        let first = start_waiting(&host, "10.99.0.10")?;
        let out = host.run(&[
            "--ip",
            "10.99.0.11",
            "--",
            "sh",
            "-c",
            "ping -c1 -W2 10.99.0.10 >/dev/null && echo pong",
        ]);
        let first_code = stop(first);
        let out = out?;
        ensure(out.stdout.trim() == "pong", "10.99.0.11 pings 10.99.0.10", &out)?;
        ensure(
            first_code == Some(143),
            "the first container's tool: exit 143 after SIGTERM",
            format!("{first_code:?}"),
        )?;
        let left = host.leftovers()?;
        ensure(left.is_empty(), "no veth, bridge or lease left in the host", left)
    });
}

#[test]
fn many_containers_at_once_get_distinct_addresses() {
    Check {
        id: "ch04/ipam",
        what: "20 containers started at once get 20 distinct addresses",
        hint: "take leases under an exclusive flock, one file per address",
        book: "ch04-veth.md#ipam-one-address-each",
    }
    .run(|| {
        let host = Host::new()?;
        // Long enough that all 20 hold their lease at once, even on a slow VM.
        let script = "ip -o -4 addr show eth0 | cut -d' ' -f7; sleep 4";
        let children: Vec<Child> = (0..20)
            .map(|_| {
                host.tool(&["--", "sh", "-c", script]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()
            })
            .collect::<Result<_, _>>()?;
        let mut addrs: Vec<String> = Vec::new();
        for child in children {
            let out = Run::from(child.wait_with_output()?);
            addrs.push(out.stdout.trim().to_string());
        }
        let mut distinct = addrs.clone();
        distinct.sort();
        distinct.dedup();
        ensure(
            distinct.len() == 20 && !distinct.contains(&String::new()),
            "20 distinct addresses",
            format!("{addrs:?}"),
        )?;
        let left = host.leftovers()?;
        ensure(left.is_empty(), "no veth, bridge or lease left in the host", left)
    });
}

#[test]
fn bad_addresses_fail_clearly_and_leave_nothing() {
    Check {
        id: "ch04/errors",
        what: "--ip outside the subnet, --ip taken, a bad --subnet: exit 125 naming the value; a failing command: its code; nothing left",
        hint: "check the address against the subnet and take the lease before clone; unplug and release also when the command fails",
        book: "ch04-veth.md#pitfalls",
    }
    .run(|| {
        let host = Host::new()?;
        let out = host.run(&["--ip", "192.168.77.5", "--", "true"])?;
        ensure(out.code == Some(125) && out.stderr.contains("192.168.77.5"), "125 naming 192.168.77.5", &out)?;
        let out = host.run(&["--subnet", "10.99.0.0/33", "--", "true"])?;
        ensure(out.code == Some(125) && out.stderr.contains("10.99.0.0/33"), "125 naming 10.99.0.0/33", &out)?;
        let first = start_waiting(&host, "10.99.0.20")?;
        let out = host.run(&["--ip", "10.99.0.20", "--", "true"]);
        stop(first);
        let out = out?;
        ensure(out.code == Some(125) && out.stderr.contains("taken"), "125: 10.99.0.20 is taken", &out)?;
        let out = host.run(&["--", "sh", "-c", "exit 3"])?;
        ensure(out.code == Some(3), "exit 3 from the command", &out)?;
        let left = host.leftovers()?;
        ensure(left.is_empty(), "no veth, bridge or lease left in the host", left)
    });
}
