//! `ch05-overlay`: images, and containers made from them.

use anyhow::{bail, Context, Result};
use ch01_unshare::{explain, Container};
use ch03_cgroups::cli::LimitArgs;
use ch04_veth::network::NetArgs;
use ch04_veth::outside::Outside;
use ch05_overlay::commit::commit;
use ch05_overlay::detach;
use ch05_overlay::diff::diff;
use ch05_overlay::layout::Layout;
use ch05_overlay::overlay::Overlay;
use ch05_overlay::prune::prune;
use ch05_overlay::registry::{pull, Reference};
use ch05_overlay::store::Store;
use ch05_overlay::unpack::Limits;
use ch05_overlay::{config, Containers};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Import OCI images into a store and run containers on overlayfs from them.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Example:\n  ch05-overlay import ./busybox-oci:latest busybox\n  ch05-overlay run --rm busybox sh -c 'echo hi > /new; rm /bin/ls'"
)]
struct Cli {
    /// Where images, layers and containers are kept.
    #[arg(long, default_value = "/var/lib/burrow", value_name = "DIR", global = true)]
    store: PathBuf,

    /// Narrate each kernel step (mounts, verifications, clone, ...) on stderr.
    #[arg(long, global = true)]
    explain: bool,

    #[command(subcommand)]
    command: Command,
}

// Parsed once, at startup: that `Run` is bigger than the others costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Copy an image from an OCI image layout directory (DIR or DIR:REF)
    /// into the store, as NAME: blobs verified, layers unpacked once.
    Import { source: String, name: String },
    /// Pull an image from a registry (OCI distribution API), as NAME
    /// (default: the reference as given). HTTP for a registry on localhost
    /// or 127.0.0.1, else HTTPS.
    Pull {
        /// REGISTRY/REPOSITORY[:TAG|@DIGEST], e.g. 127.0.0.1:5000/busybox:latest
        reference: String,
        #[arg(long = "as", value_name = "NAME")]
        name: Option<String>,
        /// NAME:PASSWORD, for a registry that wants HTTP basic auth.
        #[arg(long, value_name = "NAME:PASSWORD")]
        user: Option<String>,
        /// Plain HTTP, whatever the registry's name.
        #[arg(long)]
        insecure: bool,
    },
    /// List the images in the store.
    Images,
    /// Run CMD (default: the image's Entrypoint and Cmd) in a new container
    /// made from IMAGE: the image's layers under a writable upper layer.
    Run {
        /// Remove the container (its upper layer) when it ends.
        #[arg(long)]
        rm: bool,
        /// Detach: run in the background, output to the container's log
        /// (`logs NAME`), and print its name.
        #[arg(short = 'd', long)]
        detach: bool,
        /// (The supervisor of a detached run: `run -d` starts it.)
        #[arg(long, hide = true)]
        supervise: bool,
        /// The container's name (default: ch05-<pid>).
        #[arg(long)]
        name: Option<String>,
        /// Run a tiny init as PID 1 (chapter 1).
        #[arg(long)]
        init: bool,
        /// The container's hostname (default: its name).
        #[arg(long)]
        hostname: Option<String>,
        #[command(flatten)]
        network: NetArgs,
        #[command(flatten)]
        limits: LimitArgs,
        image: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// What container NAME changed: A added, C changed, D deleted.
    Diff { name: String },
    /// Remove container NAME (its upper layer and work dir).
    Rm { name: String },
    /// Print what a detached container NAME wrote.
    Logs { name: String },
    /// Stop container NAME: SIGTERM, then SIGKILL after --time seconds.
    Stop {
        name: String,
        #[arg(long, default_value_t = 10)]
        time: u64,
    },
    /// Make image IMAGE from container NAME: its image plus one layer, the
    /// container's changes.
    Commit { name: String, image: String },
    /// List the containers: name, image, running or stopped.
    Ps,
    /// Remove the name IMAGE (its blobs and layers stay until prune).
    Rmi { image: String },
    /// Remove stopped containers, then every blob and layer no image or
    /// running container uses.
    Prune,
}

// ANCHOR: run
/// Run a container from `image_name`: chapter 5's overlay as its root, with
/// chapter 4's network and chapter 3's cgroup (when a limit is given).
fn run_container(
    store: &Store,
    name: String,
    image_name: &str,
    rm: bool,
    base: Container,
    opts: &RunOpts,
) -> Result<i32> {
    let image = store.image(image_name)?;
    let process = config::Process::of(&image.config, &base.command)?;
    let containers = Containers::new(store);
    let dirs = containers.create(&name, image_name, &image.manifest_digest)?;
    let outside = match Outside::prepare(&opts.network, &opts.limits, &format!("ch05-{name}")) {
        Ok(outside) => outside,
        Err(e) => {
            containers.remove(&name)?;
            return Err(e);
        }
    };
    let overlay =
        Overlay { lowers: store.lowers(&image)?, upper: dirs.upper.clone(), work: dirs.work.clone() };
    let namespaces = outside.namespaces(base.namespaces);
    let container = Container { command: process.args.clone(), namespaces, ..base };
    if opts.supervise {
        detach::become_supervisor(&containers, &name)?;
    }
    containers.started(&name, std::process::id())?;
    let result = ch01_unshare::run_placed(&container, &mut |pid| outside.place(pid), &mut || {
        outside.inside()?;
        // The overlay is mounted in the container's own mount namespace: it
        // goes away with the namespace, however the container ends.
        ch01_unshare::mount::make_root_private()?;
        overlay.mount(&dirs.merged)?;
        ch02_chroot::enter_rootfs(&dirs.merged, ch02_chroot::Mode::Pivot)?;
        process.apply()
    });
    let removed = outside.remove();
    containers.stopped(&name);
    if rm {
        containers.remove(&name)?;
    }
    let code = result?;
    removed?;
    Ok(code)
}
// ANCHOR_END: run

/// `run`'s chapter 3 and 4 flags, and whether this is a detached run's
/// supervisor.
struct RunOpts {
    network: NetArgs,
    limits: LimitArgs,
    supervise: bool,
}

fn run(cli: Cli) -> Result<i32> {
    if cli.explain {
        explain::enable();
    }
    let store = Store::open(&cli.store)?;
    match cli.command {
        Command::Import { source, name } => {
            let (dir, reference) = match source.rsplit_once(':') {
                Some((dir, r)) if !r.contains('/') => (dir.to_string(), Some(r.to_string())),
                _ => (source.clone(), None),
            };
            let image = store.import(
                &Layout::open(&PathBuf::from(&dir))?,
                reference.as_deref(),
                &name,
                Limits::default(),
            )?;
            println!("{name} {}", image.manifest_digest);
            Ok(0)
        }
        Command::Pull { reference, name, user, insecure } => {
            let parsed = Reference::parse(&reference)?;
            let host = parsed.registry.split(':').next().unwrap_or("");
            let insecure = insecure || host == "localhost" || host.starts_with("127.");
            let name = name.unwrap_or_else(|| reference.clone());
            let image = pull(&store, &parsed, &name, user.as_deref(), insecure)?;
            println!("{name} {}", image.manifest_digest);
            Ok(0)
        }
        Command::Images => {
            println!("{:<24} {:<19} {:>6} {:>12}", "NAME", "MANIFEST", "LAYERS", "SIZE");
            for (name, desc) in store.images()? {
                // SIZE: the layers as stored and sent (compressed), as `docker images` counts them.
                let image = store.layout().load(&desc)?;
                let size: u64 = image.manifest.layers().iter().map(|l| l.size()).sum();
                let short = &desc.digest().to_string()[..19];
                println!("{name:<24} {short} {:>6} {:>12}", image.manifest.layers().len(), size);
            }
            Ok(0)
        }
        Command::Run { rm, detach, supervise, name, init, hostname, network, limits, image, command } => {
            let name = name.unwrap_or_else(|| format!("ch05-{}", std::process::id()));
            if detach {
                // Again, as the supervisor, without -d, with the name fixed.
                let mut args: Vec<String> =
                    std::env::args().skip(1).filter(|a| a != "-d" && a != "--detach").collect();
                let at = args.iter().position(|a| a == "run").map_or(0, |i| i + 1);
                args.insert(at, detach::SUPERVISE_FLAG.into());
                if !args.iter().any(|a| a == "--name" || a.starts_with("--name=")) {
                    args.splice(at..at, ["--name".to_string(), name.clone()]);
                }
                return detach::start(&Containers::new(&store), &name, args);
            }
            let hostname = Some(hostname.unwrap_or_else(|| name.clone()));
            let base = Container {
                namespaces: ch02_chroot::NAMESPACES,
                hostname,
                init,
                command,
                ..Default::default()
            };
            let opts = RunOpts { network, limits, supervise };
            run_container(&store, name, &image, rm, base, &opts)
        }
        Command::Diff { name } => {
            let containers = Containers::new(&store);
            let image = store.image(&containers.image_of(&name)?)?;
            for change in diff(&containers.dirs(&name).upper, &store.lowers(&image)?)? {
                println!("{change}");
            }
            Ok(0)
        }
        Command::Commit { name, image } => {
            let containers = Containers::new(&store);
            let base = store.image(&containers.image_of(&name)?)?;
            let comment = format!("ch05-overlay commit {name}");
            let digest = commit(&store, &base, &containers.dirs(&name).upper, &image, &comment)?;
            println!("{image} {digest}");
            Ok(0)
        }
        Command::Ps => {
            let containers = Containers::new(&store);
            println!("{:<24} {:<16} STATUS", "NAME", "IMAGE");
            for name in containers.names()? {
                let status = match containers.running(&name) {
                    Some(pid) => format!("running (pid {pid})"),
                    None => "stopped".to_string(),
                };
                println!("{name:<24} {:<16} {status}", containers.image_of(&name).unwrap_or_default());
            }
            Ok(0)
        }
        Command::Rmi { image } => {
            store.untag(&image)?;
            Ok(0)
        }
        Command::Prune => {
            let pruned = prune(&store)?;
            println!(
                "removed {} containers, {} blobs, {} layers: {} bytes",
                pruned.containers.len(),
                pruned.blobs,
                pruned.layers,
                pruned.bytes
            );
            Ok(0)
        }
        Command::Logs { name } => {
            let path = Containers::new(&store).dirs(&name).root.join("log");
            let log =
                std::fs::read(&path).with_context(|| format!("no log for {name:?} (was it run with -d?)"))?;
            std::io::Write::write_all(&mut std::io::stdout(), &log)?;
            Ok(0)
        }
        Command::Stop { name, time } => {
            detach::stop(&Containers::new(&store), &name, std::time::Duration::from_secs(time))?;
            Ok(0)
        }
        Command::Rm { name } => {
            let containers = Containers::new(&store);
            if !containers.dirs(&name).root.exists() {
                bail!("no container {name:?} in {}", store.root.display());
            }
            if let Some(pid) = containers.running(&name) {
                bail!("container {name:?} is running (pid {pid}): stop it first (kill {pid})");
            }
            containers.remove(&name).context("remove the container")?;
            Ok(0)
        }
    }
}

fn main() -> ExitCode {
    let cli: Cli = ch01_unshare::parse_args();
    ch01_unshare::exit_with("ch05-overlay", run(cli))
}
