//! Chapter 6's lab checks, first part: the bundle's config.json. `ch06-runtime`
//! (or the learner's runtime, `BURROW_CH06_BIN`) is driven through its
//! command line only, and compared with runc, the reference runtime.

use burrow_lab::{ensure, Check, Failure, Run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> PathBuf {
    burrow_lab::binary("BURROW_CH06_BIN", env!("CARGO_BIN_EXE_ch06-runtime"))
}

/// `RUNTIME spec ARGS --bundle DIR`, and the config.json it wrote.
fn spec(runtime: &Path, args: &[&str], bundle: &Path) -> Result<Value, Failure> {
    let out: Run = Command::new(runtime).arg("spec").args(args).arg("--bundle").arg(bundle).output()?.into();
    ensure(out.code == Some(0), format!("{} spec {args:?} to succeed", runtime.display()), &out)?;
    let text = std::fs::read_to_string(bundle.join("config.json"))?;
    serde_json::from_str(&text).map_err(|e| Failure::new("config.json to be JSON", e.to_string()))
}

/// The `type`s of linux.namespaces, and the mounts' destinations.
fn shape(config: &Value) -> (Vec<String>, Vec<String>) {
    let list = |v: &Value, key: &str| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|e| e[key].as_str().map(String::from)).collect()
    };
    (list(&config["linux"]["namespaces"], "type"), list(&config["mounts"], "destination"))
}

#[test]
fn spec_writes_a_default_config_like_runc() {
    Check {
        id: "ch06/spec",
        what: "burrow spec: a config.json with sh in rootfs (read-only, a terminal), pid/network/ipc/uts/mount namespaces and the same mounts as runc spec's",
        looks: "runs `TOOL spec --bundle DIR` and `runc spec --bundle DIR2`, and compares the two config.json files: ociVersion, process.args, process.terminal, root, the namespaces' types and the mounts' destinations",
        hint: "serialize an oci_spec::runtime::Spec; runc spec is the reference: compare with `runc spec --bundle DIR`",
        book: "ch06-burrow.md#the-bundle",
        exercises: &[],
    }
    .run(|| {
        let (ours, theirs) = (burrow_lab::temp_dir(), burrow_lab::temp_dir());
        let ours = spec(&bin(), &[], ours.path())?;
        let theirs = spec(Path::new("runc"), &[], theirs.path())?;
        let seen = (&ours["process"]["args"], &ours["process"]["terminal"], &ours["root"]);
        let wanted = serde_json::json!({"path": "rootfs", "readonly": true});
        ensure(
            ours["ociVersion"].as_str().is_some_and(|v| v.starts_with("1.")) && seen == (&serde_json::json!(["sh"]), &Value::Bool(true), &wanted),
            "ociVersion 1.x, args [sh], terminal, root rootfs read-only",
            format!("{} {seen:?}", ours["ociVersion"]),
        )?;
        let ((ns, mounts), (runc_ns, runc_mounts)) = (shape(&ours), shape(&theirs));
        let missing: Vec<&String> = runc_ns.iter().filter(|n| !ns.contains(n)).collect();
        ensure(missing.is_empty(), format!("runc's namespaces {runc_ns:?}"), format!("{ns:?}"))?;
        ensure(mounts == runc_mounts, format!("runc's mounts {runc_mounts:?}"), format!("{mounts:?}"))
    });
}

#[test]
fn rootless_spec_maps_the_caller() {
    Check {
        id: "ch06/spec-rootless",
        what: "burrow spec --rootless, run by uid 65534: a user namespace mapping 0 inside to 65534 outside, no network namespace (as runc spec --rootless)",
        looks: "runs `TOOL spec --rootless --bundle DIR` as uid 65534 (setpriv) and reads linux.uidMappings, linux.gidMappings and linux.namespaces in the config.json it wrote",
        hint: "uidMappings/gidMappings [{containerID 0, hostID your uid, size 1}], and a user namespace instead of a network one",
        book: "ch06-burrow.md#the-bundle",
        exercises: &[],
    }
    .run(|| {
        let bundle = burrow_lab::temp_dir();
        std::fs::set_permissions(bundle.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777))?;
        let out: Run = Command::new("setpriv")
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(bin())
            .args(["spec", "--rootless", "--bundle"])
            .arg(bundle.path())
            .output()?
            .into();
        ensure(out.code == Some(0), "spec --rootless as uid 65534", &out)?;
        let text = std::fs::read_to_string(bundle.path().join("config.json"))?;
        let config: Value = serde_json::from_str(&text).unwrap_or_default();
        let (ns, _) = shape(&config);
        let maps = (&config["linux"]["uidMappings"], &config["linux"]["gidMappings"]);
        let wanted = serde_json::json!([{"containerID": 0, "hostID": 65534, "size": 1}]);
        ensure(maps == (&wanted, &wanted), format!("uid and gid maps {wanted}"), format!("{maps:?}"))?;
        ensure(
            ns.contains(&"user".to_string()) && !ns.contains(&"network".to_string()),
            "a user namespace, no network namespace",
            format!("{ns:?}"),
        )
    });
}

#[test]
fn errors_are_clear_and_logged() {
    Check {
        id: "ch06/errors",
        what: "spec over an existing config.json and --systemd-cgroup: exit 125 saying why; with --log F --log-format json, the error is a JSON line in F",
        looks: "runs `TOOL --log F --log-format json spec` over an existing config.json and `TOOL --systemd-cgroup spec`, reads their exit codes and stderr, and the JSON line in F",
        hint: "never replace a config.json; write {\"level\":\"error\",\"msg\":...,\"time\":...} lines to --log",
        book: "ch06-burrow.md#pitfalls",
        exercises: &[],
    }
    .run(|| {
        let bundle = burrow_lab::temp_dir();
        let log = bundle.path().join("burrow.log");
        std::fs::write(bundle.path().join("config.json"), "{}")?;
        let out: Run = Command::new(bin())
            .arg("--log")
            .arg(&log)
            .args(["--log-format", "json", "spec", "--bundle"])
            .arg(bundle.path())
            .output()?
            .into();
        ensure(out.code == Some(125) && out.stderr.contains("exists"), "125: config.json exists", &out)?;
        let line = std::fs::read_to_string(&log).unwrap_or_default();
        let entry: Value = serde_json::from_str(line.trim()).unwrap_or_default();
        ensure(
            entry["level"] == "error" && entry["msg"].as_str().is_some_and(|m| m.contains("exists")) && entry["time"].is_string(),
            "a JSON line {level: error, msg: ...exists..., time}",
            line.trim(),
        )?;
        let out: Run = Command::new(bin()).args(["--systemd-cgroup", "spec", "--bundle"]).arg(bundle.path()).output()?.into();
        ensure(out.code == Some(125) && out.stderr.contains("cgroupfs"), "--systemd-cgroup: 125, cgroupfs only", &out)
    });
}
