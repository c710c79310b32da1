//! Programs at and past the compiler's counting limits, generated here
//! because their golden files would be megabytes: more than 65,535 names,
//! closures, interpolation parts or pattern names (operands that once
//! wrapped silently), locals and arguments past their limits (a compile
//! error that names the limit, reported once), unclosed nesting (parse
//! time once exponential in the depth), and long import chains (once a
//! recursion of the loader on the Rust stack).
//!
//! Each program runs in the real executable with a hang guard: a program
//! that has not finished after two minutes fails the test instead of
//! hanging it.

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], dir: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the weft executable runs");
    // Drain the pipes on threads so a large output cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("weft {args:?} did not finish in two minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        status: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// A scratch folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("weft-limits-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str, text: &str) -> &Path {
        fs::write(self.0.join(name), text).unwrap();
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs `src` as `t.weft` in a scratch folder.
fn run_src(tag: &str, src: &str) -> Run {
    let dir = TempDir::new(tag);
    run(&["t.weft"], dir.file("t.weft", src))
}

fn assert_ok(r: &Run, stdout: &str) {
    assert_eq!(r.stderr, "", "stderr");
    assert_eq!(r.status, 0, "status");
    assert_eq!(r.stdout, stdout);
}

/// Asserts a compile error naming `message`, reported exactly once.
fn assert_limit(r: &Run, message: &str) {
    assert_eq!(r.status, 2, "status; stderr: {}", r.stderr);
    assert_eq!(r.stderr.matches(message).count(), 1, "{}", r.stderr);
}

const MANY: usize = 70_000;

#[test]
fn top_level_lets_past_65535_keep_their_values() {
    let mut src = String::new();
    for i in 0..MANY {
        writeln!(src, "let v{i} = {i}").unwrap();
    }
    src.push_str("print(v0, v1, v65535, v65536, v69999)\n");
    assert_ok(&run_src("lets", &src), "0 1 65535 65536 69999\n");
}

#[test]
fn closures_past_65535_in_one_function_are_distinct() {
    let mut src = String::from("fn make() {\n  let fs = []\n");
    for i in 0..MANY {
        writeln!(src, "  fs.push(fn() => {i})").unwrap();
    }
    src.push_str("  return fs\n}\nlet fs = make()\nprint(fs[0](), fs[65536](), fs[69999]())\n");
    assert_ok(&run_src("closures", &src), "0 65536 69999\n");
}

#[test]
fn interpolation_with_70000_parts() {
    let src = format!("let s = \"{}\"\nprint(len(s))\n", "${1}".repeat(MANY));
    assert_ok(&run_src("interp", &src), "70000\n");
}

#[test]
fn constants_and_list_elements_past_65535() {
    let items: Vec<String> = (0..MANY).map(|i| format!("\"s{i}\"")).collect();
    let src = format!(
        "let xs = [{}]\nprint(len(xs), xs[65536], xs[69999])\n",
        items.join(", ")
    );
    assert_ok(&run_src("consts", &src), "70000 s65536 s69999\n");
}

#[test]
fn destructuring_65537_names() {
    let names = vec!["_"; 65_537].join(", ");
    // At the top level the names are globals; in a function, locals.
    let src = format!("let [{names}, last] = [1]\n");
    let r = run_src("unpack", &src);
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ValueError: not enough elements to unpack: expected 65538, got 1"),
        "{}",
        r.stderr
    );
    let names: Vec<String> = (0..65_537).map(|i| format!("a{i}")).collect();
    let values: Vec<String> = (0..65_537).map(|i| i.to_string()).collect();
    let src = format!(
        "let [{}] = [{}]\nprint(a0, a65535, a65536)\n",
        names.join(", "),
        values.join(", ")
    );
    assert_ok(&run_src("unpack2", &src), "0 65535 65536\n");
}

#[test]
fn too_many_locals_is_one_error_naming_the_limit() {
    let mut src = String::from("fn f() {\n");
    for i in 0..MANY {
        writeln!(src, "  let v{i} = {i}").unwrap();
    }
    src.push_str("  return v0\n}\nprint(f())\n");
    let r = run_src("locals", &src);
    assert_limit(
        &r,
        "too many local variables in one function: the limit is 65535",
    );
    let names: Vec<String> = (0..MANY).map(|i| format!("a{i}")).collect();
    let src = format!("fn f() {{\n  let [{}] = []\n}}\n", names.join(", "));
    assert_limit(
        &run_src("locals2", &src),
        "too many local variables in one function: the limit is 65535",
    );
}

#[test]
fn too_many_arguments_and_parameters_name_the_limit() {
    let args = vec!["1"; 300].join(", ");
    assert_limit(
        &run_src("args", &format!("print({args})\n")),
        "too many arguments in one call: the limit is 255",
    );
    let params: Vec<String> = (0..300).map(|i| format!("p{i}")).collect();
    let src = format!("fn f({}) {{ }}\n", params.join(", "));
    assert_limit(
        &run_src("params", &src),
        "too many parameters in one function: the limit is 250",
    );
}

#[test]
fn return_through_more_than_255_handlers() {
    // 100 `for` loops (a handler each) around 100 `try`s with `catch` and
    // `finally` (two each): a `return` from the middle removes 300 handlers.
    let mut src = String::from("fn f() {\n");
    for _ in 0..100 {
        src.push_str("for i in [1] {\n");
    }
    for _ in 0..100 {
        src.push_str("try {\n");
    }
    src.push_str("return 42\n");
    for _ in 0..100 {
        src.push_str("} catch e { print(\"caught\") } finally { }\n");
    }
    for _ in 0..100 {
        src.push_str("}\n");
    }
    src.push_str("}\nprint(f())\ntry { throw \"after\" } catch e { print(e) }\n");
    assert_ok(&run_src("handlers", &src), "42\nafter\n");
}

#[test]
fn unclosed_nesting_parses_in_linear_time() {
    for (tag, unit) in [
        ("while", "while true { "),
        ("class", "class A { fn f() { "),
        ("mixed", "if x { f(fn() { [1, {a: g("),
    ] {
        let src = unit.repeat(40);
        let r = run(&["check", "t.weft"], TempDir::new(tag).file("t.weft", &src));
        assert_eq!(r.status, 2, "{}", r.stderr);
        assert!(r.stderr.contains("never closed"), "{}", r.stderr);
    }
    // Closers that skip over open brackets leave them unclosed mid-file.
    let src = "fn f() { g([1, (2, { while true { if x { ] }\n".repeat(30);
    let r = run(
        &["check", "t.weft"],
        TempDir::new("mid").file("t.weft", &src),
    );
    assert_eq!(r.status, 2, "{}", r.stderr);
}

#[test]
fn a_chain_of_6000_imports() {
    const N: usize = 6000;
    let dir = TempDir::new("chain");
    for i in 0..N {
        let mut text = String::new();
        if i + 1 < N {
            writeln!(text, "import \"./m{}.weft\" as next", i + 1).unwrap();
            writeln!(text, "let depth = next.depth + 1").unwrap();
        } else {
            writeln!(text, "let depth = 0").unwrap();
        }
        dir.file(&format!("m{i}.weft"), &text);
    }
    dir.file("main.weft", "import \"./m0.weft\" as m\nprint(m.depth)\n");
    let r = run(&["main.weft"], &dir.0);
    assert_ok(&r, "5999\n");

    // Closing the chain into a cycle is one compile error with a short
    // description of the cycle.
    dir.file(
        &format!("m{}.weft", N - 1),
        "import \"./m0.weft\" as first\n",
    );
    let r = run(&["check", "main.weft"], &dir.0);
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert_eq!(r.stderr.matches("import cycle").count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("… 5993 more …"), "{}", r.stderr);
}

#[test]
fn disassembling_a_long_line() {
    let items = vec!["1"; 200_000].join(",");
    let dir = TempDir::new("disasm");
    let r = run(
        &["disasm", "t.weft"],
        dir.file("t.weft", &format!("let x = [{items}]\n")),
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("List(200000)"), "{}", &r.stdout[..200]);
}

#[test]
fn sixty_thousand_locals_that_read_a_global() {
    // Name resolution looks locals up by name, not by scanning them all.
    let mut src = String::from("let g = 1\nfn f() {\n");
    for i in 0..60_000 {
        writeln!(src, "  let v{i} = g + {i}").unwrap();
    }
    src.push_str("  return v0 + v59999\n}\nprint(f())\n");
    assert_ok(&run_src("locals_read", &src), "60001\n");
}

#[test]
fn a_megabyte_of_broken_lines() {
    // Recovery gives up after 500 errors instead of recording hundreds of
    // thousands, each with the tokens the grammar expected there.
    let src = format!(
        "fn f() {{\n{}}}\n{}",
        "x=\n".repeat(300_000),
        "x=\n".repeat(50_000)
    );
    let r = run_src("broken", &src);
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert_eq!(r.stderr.matches("error:").count(), 50, "{}", r.stderr);
    assert!(r.stderr.ends_with(" more errors\n"), "{}", r.stderr);
}

#[test]
fn a_broken_entry_deep_in_nested_maps() {
    // A map entry's value is parsed once, whatever its key looks like.
    let n = 60;
    let src = format!(
        "print({}{{a:: {} 1 {}\"after\")\n",
        "{a: ".repeat(n),
        "{a: ".repeat(n),
        "}".repeat(2 * n + 1)
    );
    let r = run(
        &["check", "t.weft"],
        TempDir::new("maps").file("t.weft", &src),
    );
    assert_eq!(r.status, 2, "{}", r.stderr);
    let r = run_src(
        "mapkeys",
        "let k = \"z\"\nprint({[k]: 1, a: 2, [[1][0]]: 3, [1 + 1]: {x: [k]}})\n",
    );
    assert_ok(&r, "{\"z\": 1, \"a\": 2, 1: 3, 2: {\"x\": [\"z\"]}}\n");
}

#[test]
fn sixty_thousand_blocks_in_one_function() {
    // Closing a block retires its locals from the end of the list, not by
    // counting every local declared before it.
    let mut src = String::from("fn f() {\n  let total = 0\n");
    for _ in 0..30_000 {
        src.push_str("  let n = 0\n  while n < 2 { n += 1 }\n  total += n\n");
    }
    src.push_str("  return total\n}\nprint(f())\n");
    assert_ok(&run_src("blocks", &src), "60000\n");
}

#[test]
fn broken_arguments_deep_in_nested_method_calls() {
    // `.name(args)` is a field then a call: broken arguments are not
    // parsed a second time as a plain call at every level.
    let src = format!(
        "let xs = {}[\"a\", \"b\"]\nprint(\"deep\")\n",
        "xs.sort(".repeat(60)
    );
    let r = run(
        &["check", "t.weft"],
        TempDir::new("calls").file("t.weft", &src),
    );
    assert_eq!(r.status, 2, "{}", r.stderr);
}
