//! `--log FILE`: where a runtime's caller looks for its errors.
//!
//! containerd and podman run the runtime with its stderr going nowhere a
//! user sees, and read the log file instead; with `--log-format json` each
//! line is an object with `level`, `msg` and `time`, as runc writes it.

use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

static TOOL: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Set once, by `cli::main`: the name the runtime's messages start with.
pub fn set_tool(name: &'static str) {
    let _ = TOOL.set(name);
}

/// `ch06-runtime` or `burrow`, as in `burrow: error: ...`.
pub fn tool() -> &'static str {
    TOOL.get().copied().unwrap_or("ch06-runtime")
}

/// Append one error line to `path` (best effort: the error also goes to stderr).
pub fn error(path: &Path, json: bool, msg: &str) {
    let time = rfc3339(SystemTime::now());
    let line = match json {
        true => serde_json::json!({"level": "error", "msg": msg, "time": time}).to_string(),
        false => format!("time=\"{time}\" level=error msg={msg:?}"),
    };
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(file, "{line}");
    }
}

/// `2026-11-23T14:05:09Z`: UTC, from the seconds since 1970 (the civil
/// calendar from a day count, as in Howard Hinnant's `civil_from_days`).
pub fn rfc3339(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        let at = |s| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_795_439_109), "2026-11-23T13:05:09Z");
    }
}
