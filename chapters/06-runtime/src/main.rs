//! `ch06-runtime`: chapter 6's OCI runtime, with runc's command line.

fn main() -> std::process::ExitCode {
    ch06_runtime::cli::main("ch06-runtime", &ch06_runtime::security::Unconfined)
}
