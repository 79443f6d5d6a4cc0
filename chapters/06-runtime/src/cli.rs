//! The runtime's command line, runc's: `spec`, `create`, `start`, `state`,
//! `kill`, `delete`, `run`, `exec`, `update`, `list`, `ps`, `pause`,
//! `resume`, `features`. Chapter 6's binary runs it as it is, chapter 7's
//! with its [`Security`].

use crate::bundle::{self, Bundle};
use crate::create::{self, Options};
use crate::security::Security;
use crate::state::State;
use crate::{features, lifecycle, log, spec};
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// An OCI runtime: makes containers out of bundles (a rootfs and a
/// config.json), with the command line that containerd, podman and Docker
/// use to call runc.
#[derive(Parser, Debug)]
#[command(version)]
struct Cli {
    /// Where containers' state lives (a tmpfs: state must not outlive a reboot).
    /// Default /run/burrow; without root, $XDG_RUNTIME_DIR/burrow or /tmp/burrow-UID.
    #[arg(long, value_name = "DIR", global = true)]
    root: Option<PathBuf>,

    /// Also write errors to FILE (podman passes this, and shows what it finds there).
    #[arg(long, value_name = "FILE", global = true)]
    log: Option<PathBuf>,

    /// The format of --log: text, or JSON lines (level, msg, time) as runc writes them.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,

    /// Narrate each syscall on stderr (the same as --explain in chapters 1 to 5).
    #[arg(long, alias = "explain", global = true)]
    debug: bool,

    /// Manage cgroups through systemd (refused: burrow writes cgroupfs itself).
    #[arg(long, global = true)]
    systemd_cgroup: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum Format {
    #[default]
    Table,
    Json,
}

/// The flags `create` and `run` share.
#[derive(clap::Args, Debug)]
struct CreateArgs {
    /// The container's id: letters, digits, _ + - .
    id: String,
    /// The bundle: a directory with config.json and the rootfs.
    #[arg(short, long, default_value = ".", value_name = "DIR")]
    bundle: PathBuf,
    /// Write the container process's pid (as the host sees it) to FILE.
    #[arg(long, value_name = "FILE")]
    pid_file: Option<PathBuf>,
    /// With process.terminal: send the pty's master to this unix socket (SCM_RIGHTS).
    #[arg(long, value_name = "SOCKET")]
    console_socket: Option<PathBuf>,
    /// Do not pivot_root: move the rootfs onto / and chroot (for a rootfs on a ramdisk).
    #[arg(long)]
    no_pivot: bool,
    /// Accepted for runc's callers; burrow never creates a session keyring.
    #[arg(long)]
    no_new_keyring: bool,
    /// Keep N more fds open for the process, after stdio: 3, 4, ... (socket activation).
    #[arg(long, value_name = "N", default_value_t = 0)]
    preserve_fds: u32,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write a default config.json into the bundle (as `runc spec`).
    Spec {
        /// The bundle directory.
        #[arg(short, long, default_value = ".", value_name = "DIR")]
        bundle: PathBuf,
        /// A spec for a user who is not root: a user namespace mapping root
        /// inside to you outside, and no network namespace of its own.
        #[arg(long)]
        rootless: bool,
    },
    /// Build the container and leave its process waiting before execve (for `start`).
    Create(CreateArgs),
    /// Let a created container's process execute its command.
    Start { id: String },
    /// Print the container's state (JSON, as the runtime spec defines it).
    State { id: String },
    /// Send a signal to the container's process (default SIGTERM).
    Kill {
        id: String,
        #[arg(default_value = "SIGTERM")]
        signal: String,
        /// Signal every process in the container's cgroup.
        #[arg(short, long)]
        all: bool,
    },
    /// Remove a stopped container: its cgroup and state.
    Delete {
        id: String,
        /// SIGKILL a running container first.
        #[arg(short, long)]
        force: bool,
    },
    /// create + start; without -d, wait for the process and exit with its status.
    Run {
        #[command(flatten)]
        create: CreateArgs,
        /// Return once the process runs, and leave it running.
        #[arg(short, long)]
        detach: bool,
    },
    /// Run one more process in a running container (joins its namespaces and cgroup).
    Exec {
        id: String,
        /// The command and its arguments (config.json's env, user and cwd apply).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
        /// A runtime-spec process (JSON) to run instead of COMMAND.
        #[arg(short, long, value_name = "FILE")]
        process: Option<PathBuf>,
        /// Return once the process runs, and leave it running.
        #[arg(short, long)]
        detach: bool,
        /// Write the process's pid (as the host sees it) to FILE.
        #[arg(long, value_name = "FILE")]
        pid_file: Option<PathBuf>,
        /// With a terminal: send the pty's master to this unix socket (SCM_RIGHTS).
        #[arg(long, value_name = "SOCKET")]
        console_socket: Option<PathBuf>,
        #[command(flatten)]
        overrides: crate::exec::Overrides,
        /// Keep N more fds open for the process, after stdio: 3, 4, ...
        #[arg(long, value_name = "N", default_value_t = 0)]
        preserve_fds: u32,
    },
    /// Change the limits of a container that has not stopped (its cgroup's files).
    Update(crate::update::Args),
    /// List the containers under --root.
    List {
        #[arg(short, long, value_enum, default_value_t)]
        format: Format,
        /// Print the ids only.
        #[arg(short, long)]
        quiet: bool,
    },
    /// List the processes in the container's cgroup.
    Ps {
        id: String,
        #[arg(short, long, value_enum, default_value_t)]
        format: Format,
    },
    /// Freeze every process of the container (cgroup freezer).
    Pause { id: String },
    /// Thaw a paused container.
    Resume { id: String },
    /// Print what this runtime supports (JSON, as the runtime spec defines it).
    Features,
}

fn create_options<'a>(
    root: &'a Path,
    args: &'a CreateArgs,
    bundle: &'a Bundle,
    console: Option<RawFd>,
    security: &'a dyn Security,
) -> Options<'a> {
    Options {
        security,
        root,
        id: &args.id,
        bundle,
        pid_file: args.pid_file.as_deref(),
        no_pivot: args.no_pivot,
        console,
        preserve_fds: args.preserve_fds,
    }
}

/// `--console-socket PATH`: connect to the caller's socket; the container's
/// process inherits the connection and sends the pty's master on it.
fn connect_console(path: Option<&Path>) -> Result<Option<UnixStream>> {
    let Some(path) = path else { return Ok(None) };
    let stream = UnixStream::connect(path).with_context(|| {
        format!("connect to --console-socket {} (is the caller listening?)", path.display())
    })?;
    Ok(Some(stream))
}

/// Where the container's process sends its pty's master: the caller's
/// `--console-socket`, or, for a terminal in the foreground without one, a
/// socketpair whose other end burrow keeps (`ours`) to hold the master itself.
struct Console {
    socket: Option<UnixStream>,
    ours: Option<OwnedFd>,
    theirs: Option<OwnedFd>,
}

impl Console {
    fn new(path: Option<&Path>, own_terminal: bool) -> Result<Console> {
        let socket = connect_console(path)?;
        let pair = (own_terminal && socket.is_none()).then(crate::sync::pair).transpose()?;
        let (ours, theirs) = pair.unzip();
        Ok(Console { socket, ours, theirs })
    }

    /// The fd the container's process inherits and sends the master on.
    fn fd(&self) -> Option<RawFd> {
        self.socket.as_ref().map(|s| s.as_raw_fd()).or(self.theirs.as_ref().map(|t| t.as_raw_fd()))
    }

    /// burrow's own end, where the master will arrive (None with a socket).
    fn ours(&mut self) -> Option<OwnedFd> {
        self.ours.take()
    }
}

fn run(cli: Cli, security: &dyn Security) -> Result<i32> {
    if cli.systemd_cgroup {
        bail!("--systemd-cgroup: burrow manages cgroups through cgroupfs only; drop the flag (podman: --cgroup-manager=cgroupfs)");
    }
    if cli.debug {
        ch01_unshare::explain::enable();
    }
    let root_dir = cli.root.clone().unwrap_or_else(default_root);
    let root = root_dir.as_path();
    if matches!(cli.command, Command::Create(_) | Command::Run { .. } | Command::Exec { .. }) {
        // These put processes in a container: from a sealed binary only (CVE-2019-5736).
        std::fs::create_dir_all(root).with_context(|| format!("mkdir --root {}", root.display()))?;
        security.at_start(root)?;
    }
    match cli.command {
        Command::Spec { bundle, rootless } => {
            let ids = rootless.then(|| (nix::unistd::geteuid().as_raw(), nix::unistd::getegid().as_raw()));
            let mut default = spec::default_spec(ids)?;
            security.default_spec(&mut default)?;
            spec::write(&bundle, &default)?;
        }
        Command::Create(args) => {
            let old_mask = ch01_unshare::pid1::block_signals()?;
            let console = connect_console(args.console_socket.as_deref())?;
            let bundle = bundle::load_spec(&args.bundle)?;
            let console = console.as_ref().map(|c| c.as_raw_fd());
            create::create(&create_options(root, &args, &bundle, console, security), &old_mask)?;
        }
        Command::Start { id } => lifecycle::start(root, &id)?,
        Command::State { id } => {
            println!("{}", serde_json::to_string_pretty(&State::load(root, &id)?.spec_json())?);
        }
        Command::Kill { id, signal, all } => lifecycle::kill_container(root, &id, &signal, all)?,
        Command::Delete { id, force } => lifecycle::delete(root, &id, force)?,
        Command::Run { create: args, detach } => {
            let old_mask = ch01_unshare::pid1::block_signals()?;
            let bundle = bundle::load_spec(&args.bundle)?;
            let terminal = bundle.spec.process().as_ref().and_then(|p| p.terminal()).unwrap_or(false);
            let mut console = Console::new(args.console_socket.as_deref(), terminal && !detach)?;
            let state =
                create::create(&create_options(root, &args, &bundle, console.fd(), security), &old_mask)?;
            if detach {
                lifecycle::start_loaded(root, &state, &bundle.spec)?;
            } else {
                return lifecycle::run_foreground(root, &state, &bundle.spec, console.ours());
            }
        }
        Command::Exec { id, command, process, detach, pid_file, console_socket, overrides, preserve_fds } => {
            let old_mask = ch01_unshare::pid1::block_signals()?;
            let state = State::load(root, &id)?;
            let spec = state.config(root)?;
            let process = crate::exec::process_from(&spec, process.as_deref(), &command, &overrides)?;
            let terminal = process.terminal().unwrap_or(false);
            let mut console = Console::new(console_socket.as_deref(), terminal && !detach)?;
            let harden = security.prepare(&spec, &process)?;
            let opts = crate::exec::Options {
                root,
                id: &id,
                process,
                detach,
                pid_file: pid_file.as_deref(),
                console: console.fd(),
                spec: &spec,
                harden,
                preserve_fds,
            };
            return crate::exec::exec(&opts, console.ours(), &old_mask);
        }
        Command::Update(args) => crate::update::update(root, &args.id, &args.resources()?)?,
        Command::List { format, quiet } => print_list(&lifecycle::list(root)?, format, quiet)?,
        Command::Ps { id, format } => {
            let procs = lifecycle::ps(root, &id)?;
            match format {
                Format::Json => {
                    println!(
                        "{}",
                        serde_json::to_string(&procs.iter().map(|(pid, _)| pid).collect::<Vec<_>>())?
                    )
                }
                Format::Table => {
                    println!("{:>8}  CMD", "PID");
                    for (pid, cmd) in procs {
                        println!("{pid:>8}  {cmd}");
                    }
                }
            }
        }
        Command::Pause { id } => lifecycle::freeze(root, &id, true)?,
        Command::Resume { id } => lifecycle::freeze(root, &id, false)?,
        Command::Features => println!("{}", serde_json::to_string_pretty(&features::document(security))?),
    }
    Ok(0)
}

/// runc's choice: /run for root, the user's runtime directory otherwise.
fn default_root() -> PathBuf {
    if nix::unistd::geteuid().is_root() {
        return PathBuf::from("/run/burrow");
    }
    match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).filter(|d| d.is_dir()) {
        Some(dir) => dir.join("burrow"),
        None => PathBuf::from(format!("/tmp/burrow-{}", nix::unistd::geteuid())),
    }
}

fn print_list(all: &[State], format: Format, quiet: bool) -> Result<()> {
    if quiet {
        all.iter().for_each(|s| println!("{}", s.id));
        return Ok(());
    }
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = all
                .iter()
                .map(|s| {
                    let mut v = s.spec_json();
                    v["rootfs"] = s.rootfs.to_string_lossy().into();
                    v["created"] = s.created.clone().into();
                    v["owner"] = s.owner.clone().into();
                    v
                })
                .collect();
            println!("{}", serde_json::to_string(&list)?);
        }
        Format::Table => {
            println!("{:<20} {:>8} {:<8} {:<40} {:<20} OWNER", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
            for s in all {
                let pid = if s.status == crate::state::Status::Stopped { 0 } else { s.pid };
                println!(
                    "{:<20} {:>8} {:<8} {:<40} {:<20} {}",
                    s.id,
                    pid,
                    s.status,
                    s.bundle.display(),
                    s.created,
                    s.owner
                );
            }
        }
    }
    Ok(())
}

/// The runtime's `main`, as `tool` (the name its messages carry), with
/// `security` at the points chapter 6 offers.
pub fn main(tool: &'static str, security: &dyn Security) -> ExitCode {
    log::set_tool(tool);
    let cli = parse(tool);
    let (log, format) = (cli.log.clone(), cli.log_format);
    let result = run(cli, security);
    if let (Err(e), Some(path)) = (&result, log) {
        log::error(&path, matches!(format, LogFormat::Json), &format!("{e:#}"));
    }
    ch01_unshare::exit_with(tool, result)
}

/// The command line, with `tool` as the program's name in `--help`; a bad
/// one exits 125, as every failure does.
fn parse(tool: &'static str) -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .name(tool)
        .bin_name(tool)
        .after_help(format!("Example: cd bundle && {tool} spec && {tool} run demo"))
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.unwrap_or_else(|e| {
        let code = if e.use_stderr() { ch01_unshare::exec::TOOL_FAILED } else { 0 };
        let _ = e.print();
        std::process::exit(code)
    })
}
