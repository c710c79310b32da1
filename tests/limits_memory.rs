//! Scripts that run into memory limits end with a catchable `ValueError`,
//! never an aborted process: the 1 GiB cap on single objects, and — under
//! an address-space limit lower than that, as a fuzzer or container would
//! set — allocation failures while building big lists, strings and text.
//!
//! These run the real executable; the limited ones use `ulimit -v` through
//! `sh`, so they are Linux-only. Each script prints what it caught, so a
//! crash shows as a signal or a missing line.

use std::process::{Command, Output, Stdio};

/// Runs `script` (written to a scratch file), under `ulimit -v kib` if given.
fn run(tag: &str, script: &str, limit_kib: Option<u64>) -> Output {
    let dir = std::env::temp_dir().join(format!("weft-memory-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let file = dir.join("script.weft");
    std::fs::write(&file, script).expect("scratch script");
    let exe = env!("CARGO_BIN_EXE_weft");
    let mut cmd = match limit_kib {
        Some(kib) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -v {kib} && exec \"$0\" \"$1\""))
                .arg(exe)
                .arg(&file);
            c
        }
        None => {
            let mut c = Command::new(exe);
            c.arg(&file);
            c
        }
    };
    let out = cmd
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("the weft executable runs");
    let _ = std::fs::remove_dir_all(&dir);
    out
}

fn check(out: &Output, expected: &[&str]) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "stdout:\n{stdout}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(line.starts_with(want), "expected {want:?}, got {line:?}");
    }
}

/// The issue's repro: a list pushed onto forever stops at the cap, 2^26
/// values of 16 bytes, with a ValueError the script can catch. (This one
/// really builds a 1 GiB list.)
#[test]
fn push_forever_stops_at_the_size_cap() {
    let out = run(
        "push",
        "let a = []\n\
         try { while true { a.push(0) } } catch e { print(e) }\n\
         print(len(a))\n",
        None,
    );
    check(
        &out,
        &[
            "ValueError: list too large: 1073741840 bytes, more than the 1 GiB limit",
            "67108864",
        ],
    );
}

/// Under a 512 MiB address-space limit every growing object runs out of
/// memory before the cap: each must still be a ValueError.
#[cfg(target_os = "linux")]
#[test]
fn running_out_of_memory_is_a_value_error() {
    let script = r#"
import json
fn show(what, f) {
    try { f(); print(what, "built") } catch e { print(what, type(e)) }
}
show("push", fn() { let a = []; while true { a.push(0) } })
show("insert", fn() { let a = [0]; while true { a.insert(-1, 1) } })
show("extend", fn() { let a = [1]; while true { a.extend(a) } })
show("string +", fn() { let s = "x"; for i in 0..40 { s = s + s } })
show("list +", fn() { let a = [1]; for i in 0..40 { a = a + a } })
show("bytes +", fn() { let b = "x".encode(); for i in 0..40 { b = b + b } })
show("map", fn() { let m = {}; let i = 0; while true { m[i] = i; i += 1 } })
let d = ["x".repeat(1048576)]
for i in 0..12 { d = [d, d] }
show("str", fn() => str(d))
show("repr", fn() => repr(d))
show("interpolation", fn() => "${d}")
show("print", fn() => print(d))
show("join", fn() => [d, d].join(""))
show("json", fn() => json.stringify(d))
show("after all that", fn() => [1, 2].join(","))
"#;
    let out = run("oom", script, Some(512 * 1024));
    check(
        &out,
        &[
            "push ValueError",
            "insert ValueError",
            "extend ValueError",
            "string + ValueError",
            "list + ValueError",
            "bytes + ValueError",
            "map ValueError",
            "str ValueError",
            "repr ValueError",
            "interpolation ValueError",
            "print ValueError",
            "join ValueError",
            "json ValueError",
            "after all that built",
        ],
    );
}

/// The issue's repro: catching 10,000 RecursionErrors used to keep 10,000
/// frames of trace each, uncounted by the collector, until the process
/// aborted. Now it fits in 256 MiB of address space.
#[cfg(target_os = "linux")]
#[test]
fn caught_recursion_errors_run_in_bounded_memory() {
    let script = "fn deep() { return deep() }\n\
                  for i in 0..10000 { try { deep() } catch e { } }\n\
                  print(\"done\")\n";
    let out = run("deep", script, Some(256 * 1024));
    check(&out, &["done"]);
}

/// Many small objects, none of them large: under an address-space limit the
/// heap's live size is capped at a quarter of it, and passing that is a
/// catchable error at the next safepoint (after a collection), never an
/// abort. Once the garbage is dropped, the program goes on.
#[test]
fn many_small_objects_under_a_memory_limit() {
    let out = run(
        "small",
        "fn grow() {\n\
           let a = []\n\
           while true { a.push([len(a), \"x${len(a)}\"]) }\n\
         }\n\
         try { grow() } catch e { print(str(e)[0:26]) }\n\
         let b = []\n\
         for i in 0..1000 { b.push([i]) }\n\
         print(len(b))\n",
        Some(1 << 20),
    );
    check(&out, &["ValueError: out of memory:", "1000"]);
}

/// Straight-line code has no safepoint, yet 70,000 string concatenations in
/// a row (about 5 GB of intermediate strings) run under a 1 GiB limit: the
/// instructions that allocate collect when the heap asks.
#[test]
fn straight_line_concatenation_collects() {
    let mut script = String::from("let s = \"ab\"\n");
    for _ in 0..70_000 {
        script.push_str("s += \"cd\"\n");
    }
    script.push_str("print(len(s))\n");
    let out = run("concat", &script, Some(1 << 20));
    check(&out, &["140002"]);
}
