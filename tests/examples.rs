//! Smoke tests: every program in `examples/` runs to completion with the
//! exit status its header promises (0, or 1 for the deadlock demonstration).

use std::path::Path;
use std::process::{Command, Stdio};

fn run(name: &str) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg(root.join("examples").join(name))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("weft runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_example_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".weft"))
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        let (code, stdout, stderr) = run(&name);
        let expected = if name == "deadlock.weft" { 1 } else { 0 };
        assert_eq!(
            code, expected,
            "{name}: status {code}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        assert!(!stdout.is_empty(), "{name} printed nothing");
        if expected == 0 {
            assert!(stderr.is_empty(), "{name} wrote to stderr:\n{stderr}");
        } else {
            assert!(stderr.contains("deadlock"), "{name}:\n{stderr}");
        }
    }
}
