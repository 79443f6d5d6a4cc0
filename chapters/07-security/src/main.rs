//! `burrow`: chapter 6's OCI runtime, with chapter 7's confinement.

fn main() -> std::process::ExitCode {
    ch06_runtime::cli::main("burrow", &burrow::confine::Confined)
}
