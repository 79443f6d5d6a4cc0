//! Chapter 4's lab checks. Each creates its own network namespace to play the
//! host (`ip netns add burrow-test-...`), runs `ch04-veth` (or the learner's
//! binary named by `BURROW_CH04_BIN`) in it, and asserts what the kernel's
//! network stack shows: links, addresses, routes, rules, packets that
//! arrive. The machine's real network is never touched.

use burrow_lab::{ensure, random_name, Check, Failure, Hint, Run};
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
        ensure(made.status.success(), "ip netns add to work", String::from_utf8_lossy(&made.stderr))
            .hint("the check's own scratch namespace: it needs root and `ip netns` (iproute2)")?;
        let host = Host { name, state: burrow_lab::temp_dir() };
        host.sh("ip link set lo up")?;
        Ok(host)
    }

    /// The tool, run in this host's namespace with its lease directory.
    /// (nsenter changes only the network namespace: `ip netns exec` also
    /// mounts a new /sys, which hides the cgroup filesystems under it.)
    fn tool(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.arg(format!("--net=/run/netns/{}", self.name))
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

    /// Fail unless the host is clean: no link but lo (and the test's own
    /// `uplink` to [`Internet`]), no nftables table, no lease file: what a
    /// finished container must not leave behind.
    fn nothing_left(&self) -> Result<(), Failure> {
        let links =
            self.sh("ip -o link show | cut -d: -f2 | grep -v -e '^ lo$' -e '^ uplink@' || true")?.stdout;
        let tables = self.sh("nft list tables || echo 'nft list tables failed'")?.stdout;
        let leases =
            self.sh(&format!("ls {}/ipam/* 2>/dev/null || true", self.state.path().display()))?.stdout;
        let left = format!("{}{}{}", links.trim(), tables.trim(), leases.trim());
        ensure(left.is_empty(), "no veth, bridge, table or lease left in the host", left).hint(
            "after the command, whatever happened: delete the nft table, the host end of the veth (its peer goes \
             with it), the bridge if you made it and nothing is plugged into it, and the lease file",
        )
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

/// A network namespace playing "the internet", wired to the host by a veth
/// pair (`uplink` 192.0.2.1 on the host, 192.0.2.2 here), with a web server
/// whose `/cgi-bin/ip` answers the address the request came from.
struct Internet {
    name: String,
    server: Child,
    _www: tempfile::TempDir,
}

impl Internet {
    fn new(host: &Host) -> Result<Internet, Failure> {
        let name = random_name("burrow-test-");
        let made = Command::new("ip").args(["netns", "add", &name]).output()?;
        ensure(made.status.success(), "ip netns add to work", String::from_utf8_lossy(&made.stderr))
            .hint("the check's own scratch namespace: it needs root and `ip netns` (iproute2)")?;
        let www = web_root("the internet")?;
        let server = Command::new("ip")
            .args(["netns", "exec", &name, "busybox", "httpd", "-f", "-p", "80", "-h"])
            .arg(www.path())
            .spawn()?;
        let internet = Internet { name, server, _www: www };
        let wired = host.sh(&format!(
            "ip link add uplink type veth peer name eth0 netns {0} && ip addr add 192.0.2.1/24 dev uplink \
             && ip link set uplink up && ip netns exec {0} sh -c \
             'ip link set lo up && ip addr add 192.0.2.2/24 dev eth0 && ip link set eth0 up'",
            internet.name
        ))?;
        ensure(wired.code == Some(0), "the uplink to the internet namespace", &wired)
            .hint("the check's own wiring, before the tool runs: it needs `ip` and a kernel with veth")?;
        let up = burrow_lab::wait_for(5.0, || {
            host.sh("timeout 1 busybox wget -qO- http://192.0.2.2/").ok().filter(|r| r.code == Some(0))
        });
        ensure(up.is_some(), "the internet's web server to answer the host", "no answer in 5 s")
            .hint("the check's own server, before the tool runs: it needs busybox (httpd, wget)")?;
        Ok(internet)
    }
}

impl Drop for Internet {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

/// A directory for busybox httpd: `index.html` says `hello from WHO`, and
/// the CGI script `cgi-bin/ip` prints the client's address (REMOTE_ADDR).
fn web_root(who: &str) -> Result<tempfile::TempDir, Failure> {
    use std::os::unix::fs::PermissionsExt;
    let www = burrow_lab::temp_dir();
    std::fs::write(www.path().join("index.html"), format!("hello from {who}\n"))?;
    std::fs::create_dir(www.path().join("cgi-bin"))?;
    let cgi = www.path().join("cgi-bin/ip");
    std::fs::write(&cgi, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' \"$REMOTE_ADDR\"\n")?;
    std::fs::set_permissions(&cgi, std::fs::Permissions::from_mode(0o755))?;
    Ok(www)
}

/// The address a web server saw, without the IPv6 dress busybox puts on it
/// (`[::ffff:192.0.2.1]`).
fn client_address(answer: &str) -> &str {
    answer.trim().trim_start_matches("[::ffff:").trim_end_matches(']')
}

/// Start a container whose script prints `ready` when it is, and return it then.
fn start(host: &Host, args: &[&str], script: &str) -> Result<Child, Failure> {
    let args = [args, &["--init", "--", "sh", "-c", script]].concat();
    let mut child = host.tool(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut line = String::new();
    if let Some(out) = child.stdout.as_mut() {
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
    }
    if line.trim() != "ready" {
        // It did not come up: show how the tool ended, and what it said.
        if burrow_lab::wait_for(5.0, || child.try_wait().ok().flatten()).is_none() {
            let _ = child.kill();
        }
        let out = Run::from(child.wait_with_output()?);
        let expected = format!("the container {args:?} to come up (print \"ready\")");
        return Err(Failure::new(expected, format!("first line {line:?}; {out}")));
    }
    Ok(child)
}

/// Start a container that waits, and return it once its eth0 is configured.
fn start_waiting(host: &Host, ip: &str) -> Result<Child, Failure> {
    let script = "while ! ip -o addr show eth0 2>/dev/null | grep -q inet; do sleep 0.05; done; echo ready; exec sleep 30";
    start(host, &["--ip", ip], script)
}

/// Start a container serving `www` with busybox httpd on `listen`, e.g. "80".
fn start_server(host: &Host, args: &[&str], listen: &str, www: &std::path::Path) -> Result<Child, Failure> {
    let script = format!("busybox httpd -p {listen} -h {} && echo ready && exec sleep 30", www.display());
    start(host, args, &script)
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
        looks: "makes a scratch netns to play the host (ip netns add burrow-test-...), runs `TOOL --net none -- sh -c 'ip -o link show'` in it (nsenter --net) and reads the links and their flags",
        hint: "a new network namespace has lo, down: send RTM_NEWLINK lo with IFF_UP",
        book: "ch04-veth.md#network-modes",
        exercises: &["4.1"],
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
        looks: "makes a veth burrow-h0 in the scratch host netns, runs `TOOL --net host -- sh -c 'readlink /proc/self/ns/net; ip -o link show'` and compares the namespace with the host shell's",
        hint: "leave CLONE_NEWNET out of the clone flags",
        book: "ch04-veth.md#network-modes",
        exercises: &[],
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
        looks: "runs `TOOL --ip 10.99.0.7 -- sh -c 'ip -o -4 addr show eth0; ip route show default; ping -c1 10.99.0.1'` in a scratch host netns, then lists the host's links, `nft list tables` and the lease files in --state-dir",
        hint: "in the parent: the bridge with 10.99.0.1/24, up; a veth pair, the host end plugged into the bridge and up, its peer eth0 made in the child's netns (by pid); in the child: 10.99.0.7/24 on eth0, eth0 up, the default route",
        book: "ch04-veth.md#the-packets-path",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"],
    }
    .run(|| {
        let host = Host::new()?;
        let script = "ip -o -4 addr show eth0 | cut -d' ' -f7; ip route show default | cut -d' ' -f1-3; ping -c1 -W2 10.99.0.1 >/dev/null && echo pong";
        let out = host.run(&["--ip", "10.99.0.7", "--", "sh", "-c", script])?;
        let lines: Vec<&str> = out.stdout.lines().collect();
        ensure(lines.first() == Some(&"10.99.0.7/24"), "eth0 inside with 10.99.0.7/24", &out)?;
        ensure(lines.get(1) == Some(&"default via 10.99.0.1"), "the default route via 10.99.0.1", &out)
            .hint("in the child, after eth0 is up: RTM_NEWROUTE with RTA_GATEWAY 10.99.0.1, the bridge's address (ip route add default via 10.99.0.1)")?;
        ensure(lines.get(2) == Some(&"pong"), "the host (10.99.0.1) answers a ping", &out).hint(
            "the bridge up with 10.99.0.1/24; the host end of the veth plugged into it (IFLA_MASTER) and up; eth0 \
             up, and its carrier seen (operstate UP) before the command runs",
        )?;
        host.nothing_left()
    });
}

#[test]
fn two_containers_ping_each_other() {
    Check {
        id: "ch04/two",
        what:
            "two containers on the bridge ping each other; after both end, no veth, bridge or lease is left",
        looks: "starts `TOOL --ip 10.99.0.10 --init -- sh -c '...; sleep 30'`, runs a second container that pings 10.99.0.10, SIGTERMs the first tool and reads its exit code, then lists the host's links, tables and leases",
        hint: "both host ends must be plugged into the same bridge (IFLA_MASTER), and up",
        book: "ch04-veth.md#the-packets-path",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"],
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
        )
        .hint("SIGTERM to the tool goes to the container through --init; the tool then exits 128+15, after removing the network without an error")?;
        host.nothing_left()
    });
}

#[test]
fn many_containers_at_once_get_distinct_addresses() {
    Check {
        id: "ch04/ipam",
        what: "20 containers started at once get 20 distinct addresses",
        looks: "starts 20 `TOOL -- sh -c 'ip -o -4 addr show eth0; sleep 4'` at once, in one scratch host netns with one --state-dir, and compares the addresses they print",
        hint: "take leases under an exclusive flock, one file per address",
        book: "ch04-veth.md#ipam-one-address-each",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"],
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
        let mut runs: Vec<Run> = Vec::new();
        for child in children {
            runs.push(Run::from(child.wait_with_output()?));
        }
        let addrs: Vec<String> = runs.iter().map(|r| r.stdout.trim().to_string()).collect();
        if let Some(failed) = runs.iter().find(|r| r.stdout.trim().is_empty()) {
            return ensure(false, "each of the 20 containers to print its address", failed).hint(
                "a container that prints no address did not get its eth0: its stderr (seen) says which step failed; \
                 runs at the same time share one bridge, so making it and plugging in must take turns",
            );
        }
        let mut distinct = addrs.clone();
        distinct.sort();
        distinct.dedup();
        ensure(
            distinct.len() == 20 && !distinct.contains(&String::new()),
            "20 distinct addresses",
            format!("{addrs:?}"),
        )?;
        host.nothing_left()
    });
}

#[test]
fn bad_addresses_fail_clearly_and_leave_nothing() {
    Check {
        id: "ch04/errors",
        what: "--ip outside the subnet, --ip taken, a bad --subnet: exit 125 naming the value; a failing command: its code; nothing left",
        looks: "runs TOOL with --ip 192.168.77.5, with --subnet 10.99.0.0/33, with --ip 10.99.0.20 while another container holds it, and `-- sh -c 'exit 3'`; reads each exit code and stderr, then the host's links, tables and leases",
        hint: "check the address against the subnet and take the lease before clone; unplug and release also when the command fails",
        book: "ch04-veth.md#pitfalls",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"],
    }
    .run(|| {
        let host = Host::new()?;
        let out = host.run(&["--ip", "192.168.77.5", "--", "true"])?;
        ensure(out.code == Some(125) && out.stderr.contains("192.168.77.5"), "125 naming 192.168.77.5", &out)
            .hint("before clone(2), check --ip against --subnet (a container address: .2 to the last before the broadcast); a usage error is 125, its message naming the value")?;
        let out = host.run(&["--subnet", "10.99.0.0/33", "--", "true"])?;
        ensure(out.code == Some(125) && out.stderr.contains("10.99.0.0/33"), "125 naming 10.99.0.0/33", &out)
            .hint("parse --subnet before clone(2): A.B.C.D/N, N from 8 to 30; 125 naming it")?;
        let first = start_waiting(&host, "10.99.0.20")?;
        let out = host.run(&["--ip", "10.99.0.20", "--", "true"]);
        stop(first);
        let out = out?;
        ensure(out.code == Some(125) && out.stderr.contains("taken"), "125: 10.99.0.20 is taken", &out)
            .hint("while the first container runs, its lease STATE/ipam/burrow0/10.99.0.20 holds its tool's pid: a second --ip 10.99.0.20 fails with 125, saying \"taken\"")?;
        let out = host.run(&["--", "sh", "-c", "exit 3"])?;
        ensure(out.code == Some(3), "exit 3 from the command", &out)
            .hint("the command's exit code is the tool's, once the network is undone without an error")?;
        host.nothing_left()
    });
}

#[test]
fn masquerade_gives_the_world_the_hosts_address() {
    Check {
        id: "ch04/nat",
        what: "a container reaches a server in a third namespace (\"the internet\"), which sees the host's address 192.0.2.1, not the container's",
        looks: "wires a second netns, \"the internet\" (192.0.2.2, a busybox httpd), to the scratch host by a veth `uplink` (192.0.2.1), runs `TOOL --ip 10.99.0.9 -- busybox wget http://192.0.2.2/cgi-bin/ip` and reads the client address the server saw",
        hint: "ip_forward=1 in the host's namespace, and an nftables nat postrouting rule: ip saddr ADDR oifname != BRIDGE masquerade",
        book: "ch04-veth.md#nat-the-way-out-and-the-way-in",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"],
    }
    .run(|| {
        let host = Host::new()?;
        let _internet = Internet::new(&host)?;
        let out = host.run(&["--ip", "10.99.0.9", "--", "timeout", "3", "busybox", "wget", "-qO-", "http://192.0.2.2/cgi-bin/ip"])?;
        ensure(client_address(&out.stdout) == "192.0.2.1", "the internet sees 192.0.2.1 (the host's uplink)", &out)?;
        host.nothing_left()
    });
}

#[test]
fn a_published_port_answers_from_everywhere() {
    Check {
        id: "ch04/publish",
        what: "-p 8080:80: a web server in the container answers on the host's port 8080 from the host (127.0.0.1), the internet (seeing the client's own address) and another container; killed with SIGKILL, it leaves nothing",
        looks: "starts `TOOL -p 8080:80 --ip 10.99.0.40 --init -- sh -c 'busybox httpd -p 80 ...'`, fetches port 8080 from the host's 127.0.0.1, from the internet netns at 192.0.2.1 and from a second container at 10.99.0.1, then SIGKILLs the container's PID 1 (the tool's child, in /proc/TOOL/task/TOOL/children) and reads the tool's exit code",
        hint: "DNAT in nat prerouting and output: fib daddr type local tcp dport 8080 dnat to ADDR:80; route_localnet=1 on the bridge and a masquerade for replies that must come back through the host",
        book: "ch04-veth.md#published-ports",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8"],
    }
    .run(|| {
        let host = Host::new()?;
        let internet = Internet::new(&host)?;
        let www = web_root("the container")?;
        let server = start_server(&host, &["-p", "8080:80", "--ip", "10.99.0.40"], "80", www.path())?;
        let from_host = host.sh("timeout 3 busybox wget -qO- http://127.0.0.1:8080/");
        let from_internet = Command::new("ip")
            .args(["netns", "exec", &internet.name, "timeout", "3", "busybox", "wget", "-qO-"])
            .arg("http://192.0.2.1:8080/cgi-bin/ip")
            .output()
            .map(Run::from);
        let from_container = host.run(&["--", "timeout", "3", "busybox", "wget", "-qO-", "http://10.99.0.1:8080/"]);
        let init = burrow_lab::wait_for(5.0, || burrow_lab::container_running(server.id(), "sleep"));
        if let Some(pid) = init {
            burrow_lab::send_signal(pid, libc::SIGKILL);
        }
        let code = Run::from(server.wait_with_output()?).code;
        let (from_host, from_internet, from_container) = (from_host?, from_internet?, from_container?);
        ensure(from_host.stdout == "hello from the container\n", "the host's 127.0.0.1:8080 answers", &from_host).hint(
            "the host's own connections pass the output hook, not prerouting: the DNAT rule in a nat output chain too; \
             route_localnet=1 on the bridge (127.0.0.1 may then leave by it) and the masquerade of ip saddr 127.0.0.0/8 \
             to the container (ct status dnat)",
        )?;
        ensure(
            client_address(&from_internet.stdout) == "192.0.2.2",
            "192.0.2.1:8080 answers the internet, and the server sees the client's address 192.0.2.2",
            &from_internet,
        )
        .hint("what arrives from the uplink passes prerouting: fib daddr type local tcp dport 8080 dnat to 10.99.0.40:80, then it is forwarded (ip_forward=1); masquerade only what comes from 127.0.0.0/8 or the containers' subnet, so the server sees 192.0.2.2")?;
        ensure(
            from_container.stdout == "hello from the container\n",
            "another container reaches 10.99.0.1:8080",
            &from_container,
        )
        .hint("another container's packet to 10.99.0.1:8080 arrives on the bridge (prerouting DNAT); masquerade it (ip saddr in the subnet, ct status dnat), or the reply goes straight back over the bridge, not un-DNATed")?;
        ensure(init.is_some(), "the container's PID 1, running sleep, as the tool's child", "not found in 5 s").hint(
            "the tool's child (in /proc/TOOL/task/TOOL/children) must be the container's PID 1, its command (or, \
             with --init, PID 1's child) running",
        )?;
        ensure(code == Some(137), "the tool exits 137 after its container's SIGKILL", format!("{code:?}"))
            .hint("the container's PID 1 died of SIGKILL: the tool exits 128+9, after removing the network without an error")?;
        host.nothing_left()
    });
}

#[test]
fn container_mode_shares_another_containers_network() {
    Check {
        id: "ch04/container",
        what: "--net container:PID: the second container is in the first one's network namespace and reaches its server on 127.0.0.1",
        looks: "starts a container whose busybox httpd listens on 127.0.0.1:80, finds its PID 1 in /proc/TOOL/task/TOOL/children, runs `TOOL --net container:PID -- sh -c 'readlink /proc/self/ns/net; wget http://127.0.0.1/'` and compares the namespace with /proc/PID/ns/net",
        hint: "open /proc/PID/ns/net before clone(2), leave CLONE_NEWNET out, and setns(fd, CLONE_NEWNET) in the child",
        book: "ch04-veth.md#network-modes",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"],
    }
    .run(|| {
        let host = Host::new()?;
        let www = web_root("the first container")?;
        let first = start_server(&host, &["--ip", "10.99.0.50"], "127.0.0.1:80", www.path())?;
        let pid = burrow_lab::wait_for(5.0, || burrow_lab::container_running(first.id(), "sleep"));
        let seen = pid.map(|pid| {
            let net = format!("container:{pid}");
            let script = "readlink /proc/self/ns/net; timeout 3 busybox wget -qO- http://127.0.0.1:80/";
            (burrow_lab::namespace_of(&pid.to_string(), "net"), host.run(&["--net", &net, "--", "sh", "-c", script]))
        });
        stop(first);
        let Some((netns, out)) = seen else {
            return ensure(false, "the first container's PID 1, running sleep, as the tool's child", "not found in 5 s")
                .hint("the tool's child (in /proc/TOOL/task/TOOL/children) must be the container's PID 1, with its command (or, under --init, PID 1's child) running");
        };
        let out = out?;
        let expected = format!("{netns}\nhello from the first container\n");
        ensure(out.stdout == expected, expected.trim_end().replace('\n', " / "), &out)?;
        host.nothing_left()
    });
}

#[test]
fn bad_ports_and_modes_fail_clearly_and_leave_nothing() {
    Check {
        id: "ch04/publish-errors",
        what: "a bad -p spec, -p without bridge, a host port taken by a host server or another container, container:PID with no such pid: exit 125 naming the value; nothing left",
        looks: "runs TOOL with -p 80, -p 8080:80/sctp, -p 8080:0, --net none -p 8080:80, --net container:4194305, --net bridges; then -p 9090:80 while a busybox httpd of the host listens on 9090, and -p 8080:81 while another container publishes 8080; reads each exit code and stderr, then the host's links, tables and leases",
        hint: "parse -p and bind every host port before clone(2); hold the sockets while the container runs",
        book: "ch04-veth.md#pitfalls",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8"],
    }
    .run(|| {
        let host = Host::new()?;
        for (args, named) in [
            (&["-p", "80"][..], "\"80\""),
            (&["-p", "8080:80/sctp"][..], "8080:80/sctp"),
            (&["-p", "8080:0"][..], "8080:0"),
            (&["--net", "none", "-p", "8080:80"][..], "needs --net bridge"),
            (&["--net", "container:4194305"][..], "4194305"),
            (&["--net", "bridges"][..], "bridges"),
        ] {
            let out = host.run(&[args, &["--", "true"]].concat())?;
            ensure(out.code == Some(125) && out.stderr.contains(named), format!("{args:?}: 125 naming {named}"), &out)
                .hint("check every flag before clone(2), each a usage error (125) naming the value: a -p that is not HOSTPORT:CONTAINERPORT[/tcp|udp] (ports 1 to 65535), -p with a --net other than bridge, a --net that is not bridge, none, host or container:PID, a PID whose /proc/PID/ns/net does not open")?;
        }
        let www = web_root("the host")?;
        let mut server = Command::new("ip")
            .args(["netns", "exec", &host.name, "busybox", "httpd", "-f", "-p", "9090", "-h"])
            .arg(www.path())
            .spawn()?;
        let listening = burrow_lab::wait_for(5.0, || {
            host.sh("timeout 1 busybox wget -qO- http://127.0.0.1:9090/").ok().filter(|r| r.code == Some(0))
        });
        let by_host = host.run(&["-p", "9090:80", "--", "true"]);
        let _ = server.kill();
        let _ = server.wait();
        ensure(listening.is_some(), "a host server on 9090", "no answer")
            .hint("the check's own server (busybox httpd in the host's netns), before the tool runs: it needs busybox")?;
        let by_host = by_host?;
        ensure(
            by_host.code == Some(125) && by_host.stderr.contains("host port 9090/tcp is taken"),
            "125: host port 9090/tcp is taken (by the host's server)",
            &by_host,
        )
        .hint("before clone(2), bind a socket of the port's protocol to 0.0.0.0:HOSTPORT, without SO_REUSEADDR: EADDRINUSE is exit 125, saying \"host port 9090/tcp is taken\"")?;
        let first = start(&host, &["-p", "8080:80"], "echo ready; exec sleep 30")?;
        let by_container = host.run(&["-p", "8080:81", "--", "true"]);
        stop(first);
        let by_container = by_container?;
        ensure(
            by_container.code == Some(125) && by_container.stderr.contains("host port 8080/tcp is taken"),
            "125: host port 8080/tcp is taken (by the first container)",
            &by_container,
        )
        .hint("keep the bound socket open while the container runs (close it only after): another tool's bind of the port must fail")?;
        host.nothing_left()
    });
}

#[test]
fn cgroup_limits_apply_to_a_networked_container() {
    Check {
        id: "ch04/limits",
        what: "--memory 32M --pids 16 with --net bridge: the container's cgroup files say so, it still reaches the host, and the cgroup is gone after",
        looks: "starts `TOOL --memory 32M --pids 16 --init -- sh -c 'ping -c1 10.99.0.1 && ... sleep 30'`, finds PID 1 in /proc/TOOL/task/TOOL/children, reads memory.max (v1: memory.limit_in_bytes) and pids.max in its cgroup (from /proc/PID1/cgroup), then SIGTERMs the tool and looks for those directories",
        hint: "chapter 3's cgroup: create it before clone(2), add the child in place() before plugging the network in, unshare(CLONE_NEWCGROUP) in the child",
        book: "ch04-veth.md#limits-too",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"],
    }
    .run(|| {
        let host = Host::new()?;
        let script = "ping -c1 -W2 10.99.0.1 >/dev/null && echo ready && exec sleep 30";
        let container = start(&host, &["--memory", "32M", "--pids", "16"], script)?;
        let pid1 = burrow_lab::wait_for(5.0, || burrow_lab::container_running(container.id(), "sleep"));
        let Some(pid1) = pid1 else {
            stop(container);
            return ensure(false, "the container's PID 1, running sleep, as the tool's child", "not found in 5 s")
                .hint("the tool's child (in /proc/TOOL/task/TOOL/children) must be the container's PID 1, with its command (or, under --init, PID 1's child) running");
        };
        let (memory, pids) = (burrow_lab::cgroup_dir(pid1, "memory"), burrow_lab::cgroup_dir(pid1, "pids"));
        let read = |dir: &Option<PathBuf>, files: &[&str]| {
            let dir = dir.clone().unwrap_or_default();
            files.iter().find_map(|f| std::fs::read_to_string(dir.join(f)).ok()).unwrap_or_default()
        };
        let seen = [read(&memory, &["memory.max", "memory.limit_in_bytes"]), read(&pids, &["pids.max"])];
        stop(container);
        let seen: Vec<&str> = seen.iter().map(|s| s.trim()).collect();
        let dirs = format!("{memory:?} {pids:?}");
        ensure(seen == ["33554432", "16"], format!("33554432 and 16 in {dirs}"), format!("{seen:?}"))?;
        let left: Vec<PathBuf> = [memory, pids].into_iter().flatten().filter(|d| d.exists()).collect();
        ensure(left.is_empty(), "the container's cgroup removed", format!("{left:?}"))
            .hint("after the container: remove its cgroup directories (rmdir, once no process is left in them)")?;
        host.nothing_left()
    });
}

/// A UDP socket bound to `addr` in the network namespace the file `ns` names
/// (`/proc/PID/ns/net`, `/run/netns/NAME`). It is made in a thread of its own
/// that joins the namespace first: setns(2) moves only the calling thread.
fn udp_socket_in(ns: String, addr: &str) -> std::io::Result<std::net::UdpSocket> {
    let addr = addr.to_string();
    let made = std::thread::spawn(move || {
        let file = std::fs::File::open(&ns)?;
        nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWNET).map_err(std::io::Error::from)?;
        std::net::UdpSocket::bind(addr)
    });
    made.join().unwrap_or_else(|_| Err(std::io::Error::other("the setns thread panicked")))
}

#[test]
fn a_published_udp_port_delivers_datagrams() {
    Check {
        id: "ch04/udp",
        what: "-p 5353:53/udp: a datagram sent to the host's 127.0.0.1:5353 arrives at port 53 in the container",
        looks: "starts `TOOL -p 5353:53/udp --ip 10.99.0.70 --init -- sleep 30`, binds UDP port 53 in the container's netns (/proc/PID1/ns/net, PID 1 found in /proc/TOOL/task/TOOL/children), sends a datagram from the host netns to 127.0.0.1:5353 and reads what arrives, and from where",
        hint: "the DNAT rules match the protocol: udp dport 5353 dnat to ADDR:53; reserve the host port with a UDP socket",
        book: "ch04-veth.md#published-ports",
        exercises: &["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8"],
    }
    .run(|| {
        let host = Host::new()?;
        let container = start(&host, &["-p", "5353:53/udp", "--ip", "10.99.0.70"], "echo ready; exec sleep 30")?;
        let pid1 = burrow_lab::wait_for(5.0, || burrow_lab::container_running(container.id(), "sleep"));
        let received = pid1.map(|pid1| -> std::io::Result<Option<(String, String)>> {
            let server = udp_socket_in(format!("/proc/{pid1}/ns/net"), "0.0.0.0:53")?;
            server.set_read_timeout(Some(std::time::Duration::from_secs(3)))?;
            let client = udp_socket_in(format!("/run/netns/{}", host.name), "127.0.0.1:0")?;
            client.send_to(b"hello over udp", "127.0.0.1:5353")?;
            let mut buf = [0u8; 64];
            match server.recv_from(&mut buf) {
                Ok((n, from)) => Ok(Some((String::from_utf8_lossy(&buf[..n]).into_owned(), from.ip().to_string()))),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None), // the 3 s timeout
                Err(e) => Err(e),
            }
        });
        stop(container);
        let Some(received) = received else {
            return ensure(false, "the container's PID 1, running sleep, as the tool's child", "not found in 5 s")
                .hint("the tool's child (in /proc/TOOL/task/TOOL/children) must be the container's PID 1, with its command (or, under --init, PID 1's child) running");
        };
        let Some((text, from)) = received? else {
            return ensure(false, "a datagram at port 53 in the container", "nothing in 3 s");
        };
        ensure(
            text == "hello over udp" && from == "10.99.0.1",
            "\"hello over udp\" from 10.99.0.1 (the host, masqueraded)",
            format!("{text:?} from {from}"),
        )
        .hint("a datagram from the host's 127.0.0.1 must leave by the bridge with the host's address: the masquerade of ip saddr 127.0.0.0/8 to the container (ct status dnat), and route_localnet=1 on the bridge")?;
        host.nothing_left()
    });
}
