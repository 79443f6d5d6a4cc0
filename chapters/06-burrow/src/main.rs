//! `burrow`: an OCI runtime, with runc's command line.

use anyhow::{bail, Result};
use burrow::{log, spec};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// An OCI runtime: makes containers out of bundles (a rootfs and a
/// config.json), with the command line that containerd, podman and Docker
/// use to call runc.
#[derive(Parser, Debug)]
#[command(version, after_help = "Example: mkdir b && cd b && burrow spec && cat config.json")]
struct Cli {
    /// Also write errors to FILE (podman passes this, and shows what it finds there).
    #[arg(long, value_name = "FILE", global = true)]
    log: Option<PathBuf>,

    /// The format of --log: text, or JSON lines (level, msg, time) as runc writes them.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,

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
}

fn run(cli: Cli) -> Result<i32> {
    if cli.systemd_cgroup {
        bail!("--systemd-cgroup: burrow manages cgroups through cgroupfs only; drop the flag (podman: --cgroup-manager=cgroupfs)");
    }
    match cli.command {
        Command::Spec { bundle, rootless } => {
            let ids = rootless.then(|| (nix::unistd::geteuid().as_raw(), nix::unistd::getegid().as_raw()));
            spec::write(&bundle, &spec::default_spec(ids)?)?;
            Ok(0)
        }
    }
}

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    let (log, format) = (cli.log.clone(), cli.log_format);
    let result = run(cli);
    if let (Err(e), Some(path)) = (&result, log) {
        log::error(&path, matches!(format, LogFormat::Json), &format!("{e:#}"));
    }
    ch01_unshare::exit_with("burrow", result)
}
