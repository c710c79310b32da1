//! Smoke tests: every program in `examples/` runs to completion with the
//! exit status its header promises (0, or 1 for the deadlock demonstration).
//! One trial per example (`cargo test --test examples -- pipeline`). The
//! servers never finish and `wc` needs input, so they are left to
//! tests/io_examples.rs and tests/http_examples.rs, which drive them.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn check(path: &Path) -> Result<(), Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg(path)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run weft: {e}"))?;
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let deadlock = path.file_name().is_some_and(|n| n == "deadlock.weft");
    let expected = if deadlock { 1 } else { 0 };
    if code != expected {
        return Err(format!(
            "status {code}, expected {expected}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        )
        .into());
    }
    if stdout.is_empty() {
        return Err("printed nothing".into());
    }
    if deadlock && !stderr.contains("deadlock") {
        return Err(format!("no deadlock report:\n{stderr}").into());
    }
    if !deadlock && !stderr.is_empty() {
        return Err(format!("wrote to stderr:\n{stderr}").into());
    }
    Ok(())
}

/// Examples that do not run to completion on their own.
const DRIVEN_ELSEWHERE: &[&str] = &[
    "echo_server",
    "chat_server",
    "tcp_proxy",
    "wc",
    "http_hello",
    "todo_api",
    "sse_clock",
];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| {
        p.extension().is_some_and(|e| e == "weft")
            && !p
                .file_stem()
                .is_some_and(|s| DRIVEN_ELSEWHERE.iter().any(|d| s == *d))
    });
    paths.sort();
    let trials = paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Trial::test(name, move || check(&p))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
