//! `ch03-cgroups`: run a command in new namespaces, limited by a cgroup.

use anyhow::Result;
use ch01_unshare::cli::RunArgs;
use ch01_unshare::explain;
use ch03_cgroups::cli::LimitArgs;
use ch03_cgroups::{stats, Cgroup, Layout, PARENT};
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Run CMD in new namespaces (and a rootfs, with --rootfs), limited by a new
/// cgroup; print what it used against its limits when it ends.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Example: ch03-cgroups --memory 32M -- tail /dev/zero   (tail keeps looking for a newline: exit 137, OOM)"
)]
struct Cli {
    #[command(flatten)]
    limits: LimitArgs,

    /// Run inside this root filesystem (chapter 2); without it, CMD sees the
    /// host's files.
    #[arg(long, value_name = "DIR")]
    rootfs: Option<PathBuf>,

    #[command(flatten)]
    run: RunArgs,
}

// ANCHOR: main
fn run(cli: Cli) -> Result<i32> {
    if cli.run.explain {
        explain::enable();
    }
    let res = cli.limits.resources()?;
    let rootfs = cli.rootfs.as_deref().map(ch02_chroot::check_rootfs).transpose()?;
    let layout = Layout::detect()?;
    let mode = layout.mode()?;
    explain!("cgroup layout: {mode}; cgroup2 at {:?}; v1 controllers {:?}", layout.unified, layout.v1.keys());
    let cgroup = Cgroup::create(&layout, PARENT, &format!("ch03-{}", std::process::id()), &res)?;
    cgroup.apply(&res)?;

    // The cgroup namespace is made *after* the child joined its cgroup, so
    // that cgroup is the root of its view (as runc does it).
    let mut namespaces = ch02_chroot::NAMESPACES;
    namespaces.cgroup = false;
    let container = cli.run.into_container(namespaces);
    let flags = container.clone_flags();
    let start = Instant::now();
    let code = ch01_unshare::run_placed(&container, &mut |pid| cgroup.add(pid), &mut || {
        ch03_cgroups::unshare_cgroup_namespace()?;
        match &rootfs {
            Some(rootfs) => ch02_chroot::enter_rootfs(rootfs, ch02_chroot::Mode::Pivot),
            None => ch01_unshare::mount_fresh_proc(flags),
        }
    })?;
    let summary = stats::summary(&cgroup.stats(), code, start.elapsed());
    eprint!("--- ch03-cgroups: cgroup {} ({mode})\n{summary}", cgroup.path.display());
    Ok(code)
}
// ANCHOR_END: main

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    ch01_unshare::exit_with("ch03-cgroups", run(cli))
}
