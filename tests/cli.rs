//! End-to-end tests of the `weft` command line: exit statuses, help text,
//! argument passing and `weft test`, checked by running the real executable.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn weft(args: &[&str], dir: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    cmd.output().expect("the weft executable runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("weft-cli-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn help_mentions_every_command() {
    let o = weft(&["--help"], None);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for word in ["run", "check", "test", "disasm", "--budget", "FILE"] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
}

#[test]
fn each_subcommand_has_help() {
    for sub in ["run", "check", "test", "disasm"] {
        let o = weft(&[sub, "--help"], None);
        assert_eq!(o.status.code(), Some(0), "{sub} --help");
        assert!(stdout(&o).contains("Usage: weft"), "{sub} --help");
    }
    let o = weft(&["test", "--help"], None);
    assert!(stdout(&o).contains("--bless"));
    assert!(stdout(&o).contains("NAME.out"));
}

#[test]
fn version_exits_zero() {
    let o = weft(&["--version"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("weft "), "{}", stdout(&o));
}

#[test]
fn usage_errors_exit_64() {
    for args in [
        &["--no-such-flag"][..],
        &["--budget", "0", "x.weft"],
        &["--budget", "lots", "x.weft"],
        &["run"],
        &["check"],
        &["disasm"],
        &["test", "--no-such-flag"],
    ] {
        let o = weft(args, None);
        assert_eq!(o.status.code(), Some(64), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} prints why");
    }
}

/// Runs `weft ARGS` from `dir` with `input` piped into its stdin.
fn weft_with_stdin(args: &[&str], dir: &Path, input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the weft executable runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn without_a_script_a_program_piped_into_stdin_runs() {
    let t = TempDir::new("stdin");
    t.file("lib.weft", "fn twice(x) { return x * 2 }");
    let program = "import \"./lib.weft\"\nimport os\nprint(lib.twice(21), os.args)\nawait sleep(1)\nprint(\"done\")\n";
    let o = weft_with_stdin(&[], &t.0, program);
    assert_eq!(stdout(&o), "42 []\ndone\n", "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0));

    // Errors name the program `<stdin>`, with its lines.
    let o = weft_with_stdin(&[], &t.0, "let x = 1\nx.nope()\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("<stdin>:2:1"), "{}", stderr(&o));
    assert!(stderr(&o).contains("x.nope()"), "{}", stderr(&o));
    let o = weft_with_stdin(&[], &t.0, "print(1 +)");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("<stdin>:1:10"), "{}", stderr(&o));

    // An empty stdin is an empty program.
    let o = weft(&[], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn dash_e_runs_code_and_passes_every_later_word_as_an_argument() {
    let o = weft(
        &["-e", "import os\nprint(os.args, 1 + 2)", "run", "--x", "-e"],
        None,
    );
    assert_eq!(
        stdout(&o),
        "[\"run\", \"--x\", \"-e\"] 3\n",
        "{}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(0));
    let o = weft(&["--budget", "7", "-e", "print(\"ok\")"], None);
    assert_eq!(stdout(&o), "ok\n", "{}", stderr(&o));

    let o = weft(&["-e", "print(1 +)"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("<-e>:1:10"), "{}", stderr(&o));
    let o = weft(&["-e", "exit(3)"], None);
    assert_eq!(o.status.code(), Some(3));
    let o = weft(&["-e"], None);
    assert_eq!(o.status.code(), Some(64));
    assert!(stderr(&o).contains("CODE"), "{}", stderr(&o));
}

#[test]
fn flags_after_the_script_belong_to_the_script() {
    let t = TempDir::new("flags");
    t.file("empty.weft", "");
    for args in [
        &["empty.weft", "--foo", "-x"][..],
        &["empty.weft", "--help"],
        &["empty.weft", "test", "--bless"],
        &["run", "empty.weft", "--version"],
        &["--budget", "3", "empty.weft", "--budget", "0"],
    ] {
        let o = weft(args, Some(&t.0));
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(!stdout(&o).contains("Usage"), "{args:?}");
    }
}

#[test]
fn script_receives_args_verbatim() {
    let t = TempDir::new("args");
    t.file("args.weft", "import os\nprint(os.args)\n");
    let o = weft(&["args.weft", "--foo", "-x", "--", "run"], Some(&t.0));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "[\"--foo\", \"-x\", \"--\", \"run\"]\n");
}

#[test]
fn missing_script_exits_64() {
    let t = TempDir::new("missing");
    for args in [
        &["nope.weft"][..],
        &["run", "nope.weft"],
        &["check", "nope.weft"],
        &["disasm", "nope.weft"],
    ] {
        let o = weft(args, Some(&t.0));
        assert_eq!(o.status.code(), Some(64), "{args:?}");
        assert!(stderr(&o).contains("nope.weft"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn weft_test_reports_failures_with_a_diff() {
    let t = TempDir::new("suite");
    // Independent of the interpreter: an empty script prints nothing and
    // exits 0, and no script prints exactly "x".
    t.file("cases/pass.weft", "");
    t.file("cases/pass.out", "");
    t.file("cases/sub/fail.weft", "print(\"y\")\n");
    t.file("cases/sub/fail.out", "x\n");
    // Not a case: no `.out`.
    t.file("cases/other.weft", "");

    let o = weft(&["test", "cases"], Some(&t.0));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("FAIL sub/fail\n"), "{out}");
    assert!(!out.contains("FAIL pass"), "{out}");
    assert!(out.contains("--- stdout (expected)"), "{out}");
    assert!(out.contains("-x\n"), "{out}");
    assert!(out.lines().any(|l| l == "1 passed, 1 failed"), "{out}");
    assert!(out.ends_with("1 passed, 1 failed\n"), "{out}");

    // The default root is `tests/`.
    t.file("tests/ok.weft", "");
    t.file("tests/ok.out", "");
    let o = weft(&["test"], Some(&t.0));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "1 passed, 0 failed\n");
}

#[test]
fn weft_test_bless_creates_expectations() {
    let t = TempDir::new("bless");
    t.file("new.weft", "");
    t.file("_helper.weft", "");
    t.file("stale.weft", "");
    t.file("stale.out", "old\n");
    t.file("stale.status", "3\n");

    let o = weft(&["test", "--bless", "."], Some(&t.0));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("blessed new"), "{}", stdout(&o));
    assert_eq!(fs::read_to_string(t.0.join("new.out")).unwrap(), "");
    assert!(!t.0.join("_helper.out").exists());
    assert_eq!(fs::read_to_string(t.0.join("stale.out")).unwrap(), "");
    assert!(!t.0.join("stale.status").exists());

    let o = weft(&["test", "."], Some(&t.0));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "2 passed, 0 failed\n");
}

#[test]
fn weft_test_on_a_missing_path_exits_64() {
    let t = TempDir::new("nopath");
    let o = weft(&["test", "no-such-dir"], Some(&t.0));
    assert_eq!(o.status.code(), Some(64));
    assert!(stderr(&o).contains("no-such-dir"), "{}", stderr(&o));
}

#[test]
fn tiny_budget_still_makes_progress() {
    let t = TempDir::new("budget");
    t.file(
        "b.weft",
        "async fn w(n) { for i in 0..3 { print(n, i) } }\nlet a = spawn w(\"a\")\nawait a\nprint(\"done\")\n",
    );
    let o = weft(&["--budget", "1", "b.weft"], Some(&t.0));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).ends_with("done\n"), "{}", stdout(&o));
}

#[test]
fn invalid_utf8_source_is_a_compile_error_at_the_bad_byte() {
    let t = TempDir::new("utf8");
    let p = t.0.join("bad.weft");
    fs::write(&p, b"print(1)\nlet s = \"caf\xe9\"\n").unwrap();
    for args in [
        &["bad.weft"][..],
        &["run", "bad.weft"],
        &["check", "bad.weft"],
    ] {
        let o = weft(args, Some(&t.0));
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("error: `bad.weft` is not valid UTF-8: byte 0xe9 at offset 21\n"),
            "{err}"
        );
        assert!(err.contains("bad.weft:2:13"), "{err}");
        assert!(stdout(&o).is_empty(), "nothing runs");
    }
}

#[test]
fn weft_test_refuses_a_file_that_is_not_a_script() {
    let t = TempDir::new("notweft");
    t.file("a.weft", "print(1)\n");
    t.file("a.out", "1\n");
    let o = weft(&["test", "a.out"], Some(&t.0));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(64), "{err}");
    assert!(err.contains("`a.out` is not a .weft script"), "{err}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    // The script itself is fine.
    let o = weft(&["test", "a.weft"], Some(&t.0));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn weft_test_without_tests_says_so_and_exits_64() {
    let t = TempDir::new("notests");
    fs::create_dir_all(t.0.join("emptydir")).unwrap();
    t.file("nout/script.weft", "print(1)\n");
    for dir in ["emptydir", "nout"] {
        let o = weft(&["test", dir], Some(&t.0));
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(64), "{dir}: {err}");
        assert!(
            err.starts_with(&format!("error: no tests found in {dir}\n")),
            "{err}"
        );
        assert!(err.contains("--bless"), "{err}");
        assert!(!stdout(&o).contains("passed"), "{}", stdout(&o));
    }
    // With tests elsewhere, an empty folder among the paths is fine.
    t.file("cases/ok.weft", "");
    t.file("cases/ok.out", "");
    let o = weft(&["test", "emptydir", "cases"], Some(&t.0));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "1 passed, 0 failed\n");
}

#[test]
fn check_reports_errors_of_every_file_in_order() {
    let t = TempDir::new("checkorder");
    t.file("lib.weft", "fn f() { return nope_in_lib }\n");
    t.file(
        "main.weft",
        "import \"./lib.weft\" as lib\nprint(nope_1)\nlet n = 99999999999999999999\nfn g() { return nope_2 }\n",
    );
    let o = weft(&["check", "main.weft"], Some(&t.0));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let heads: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        heads,
        [
            "error: undefined name `nope_1`",
            "error: integer literal `99999999999999999999` does not fit in 64 bits",
            "error: undefined name `nope_2`",
            "error: undefined name `nope_in_lib`",
        ],
        "{err}"
    );
}

#[test]
fn disasm_spells_out_fused_instructions_and_caches() {
    let dir = TempDir::new("disasm_fused");
    fs::write(
        dir.0.join("t.weft"),
        "class P {\n  fn init() { self.x = 1 }\n  fn get() { return self.x }\n}\n\
         fn main() {\n  let i = 0\n  let n = 10\n  while i < n {\n    i = i + 1\n  }\n  print(P().get())\n}\nmain()\n",
    )
    .unwrap();
    let o = weft(&["disasm", "t.weft"], Some(&dir.0));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "CmpJumpLL unless slot(1) < slot(2)",
        "AddLISet slot(1) = slot(1) + 1",
        "LoopLL ->(",
        "SetField .x [cache 0]",
        "GetLocalField slot(0) .x [cache 0]",
        "Invoke .get (0 args) [cache 0]",
    ] {
        assert!(text.contains(want), "disasm lacks {want:?}:\n{text}");
    }
}
