//! `burrow features`: what this runtime supports, as the runtime spec's
//! features document (JSON) says it, so a caller can check before it asks.

use crate::mounts;
use crate::security::Security;
use crate::state::OCI_VERSION;

/// The features document.
pub fn document(security: &dyn Security) -> serde_json::Value {
    let mut options: Vec<&str> = mounts::option_names().collect();
    options.sort_unstable();
    let mut document = serde_json::json!({
        "ociVersionMin": "1.0.0",
        "ociVersionMax": OCI_VERSION,
        "hooks": ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        "mountOptions": options,
        "linux": {
            "namespaces": ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"],
            "cgroup": { "v1": true, "v2": true, "systemd": false, "systemdUser": false },
            "seccomp": { "enabled": false },
            "apparmor": { "enabled": false },
            "selinux": { "enabled": false },
        },
    });
    security.features(&mut document["linux"]);
    document
}
