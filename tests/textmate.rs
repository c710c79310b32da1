//! The VS Code extension in `editors/vscode`.
//!
//! Without any tool: its JSON files parse, `package.json` names files that
//! exist, every `#include` of the TextMate grammar resolves, and every snippet
//! has a prefix and a body whose placeholders are balanced. With `npm` on
//! PATH: `npm test` passes (vscode-tmgrammar-test over `test/*.weft`, then
//! `node --test` over `test/*.test.js`: extension.js with a stand-in VS Code,
//! and this build's `weft lsp` driven as the extension drives it), and the
//! grammar tokenizes every syntactically valid Weft file in the repository,
//! and a few thousand random sentences of grammar/weft.ebnf
//! (tests/support/sentences.rs), without ending inside a string, comment or
//! bracket or marking a token invalid. Without `npm` those checks print
//! `skipped: npm not installed` and pass; `npm ci` runs first when
//! `node_modules` is missing or older than `package-lock.json`.

#[path = "support/ebnf.rs"]
#[allow(dead_code)]
mod ebnf;
#[path = "support/sentences.rs"]
#[allow(dead_code)]
mod sentences;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

fn vscode_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode")
}

fn read_json(rel: &str) -> Value {
    let path = vscode_dir().join(rel);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// A path of `package.json`, such as `./syntaxes/weft.tmLanguage.json`, must exist.
fn assert_exists(what: &str, rel: &Value) -> PathBuf {
    let rel = rel
        .as_str()
        .unwrap_or_else(|| panic!("{what}: not a string: {rel}"));
    let path = vscode_dir().join(rel);
    assert!(path.is_file(), "{what}: {} does not exist", path.display());
    path
}

#[test]
fn package_json_names_existing_files() {
    let pkg = read_json("package.json");
    assert_eq!(pkg["name"], "weft");
    assert!(
        pkg["engines"]["vscode"].is_string(),
        "engines.vscode is missing"
    );
    assert!(pkg["dependencies"]["vscode-languageclient"].is_string());
    assert_exists("main", &pkg["main"]);
    assert!(
        pkg["activationEvents"]
            .as_array()
            .is_some_and(|a| a.contains(&Value::from("onLanguage:weft"))),
        "activationEvents lacks onLanguage:weft"
    );
    let c = &pkg["contributes"];

    let langs = c["languages"].as_array().expect("contributes.languages");
    let weft = langs
        .iter()
        .find(|l| l["id"] == "weft")
        .expect("language weft");
    assert!(weft["extensions"]
        .as_array()
        .is_some_and(|a| a.contains(&Value::from(".weft"))));
    let conf = assert_exists("language configuration", &weft["configuration"]);
    let conf: Value = serde_json::from_str(&fs::read_to_string(conf).unwrap()).unwrap();
    assert_eq!(conf["comments"]["lineComment"], "//");
    assert_eq!(
        conf["comments"]["blockComment"],
        serde_json::json!(["/*", "*/"])
    );
    for key in ["increaseIndentPattern", "decreaseIndentPattern"] {
        assert!(
            conf["indentationRules"][key].is_string(),
            "indentationRules.{key}"
        );
    }

    let grammars = c["grammars"].as_array().expect("contributes.grammars");
    let g = grammars
        .iter()
        .find(|g| g["language"] == "weft")
        .expect("weft grammar");
    assert_eq!(g["scopeName"], "source.weft");
    let tm = assert_exists("grammar", &g["path"]);
    let tm: Value = serde_json::from_str(&fs::read_to_string(tm).unwrap()).unwrap();
    assert_eq!(tm["scopeName"], "source.weft");

    let snippets = c["snippets"].as_array().expect("contributes.snippets");
    assert!(!snippets.is_empty());
    for s in snippets {
        assert_exists("snippets", &s["path"]);
    }

    let props = &c["configuration"]["properties"];
    assert_eq!(props["weft.path"]["default"], "weft");
    assert!(props["weft.trace.server"]["enum"].is_array());
}

/// Collects every `include` of a grammar node.
fn includes<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(s)) = m.get("include") {
                out.push(s);
            }
            m.values().for_each(|v| includes(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| includes(v, out)),
        _ => {}
    }
}

#[test]
fn grammar_includes_resolve_and_every_rule_is_used() {
    let tm = read_json("syntaxes/weft.tmLanguage.json");
    let repo = tm["repository"].as_object().expect("repository");
    let mut found = Vec::new();
    includes(&tm, &mut found);
    for inc in &found {
        match inc.strip_prefix('#') {
            Some(name) => assert!(repo.contains_key(name), "include {inc} names no rule"),
            None => assert!(
                *inc == "$self" || *inc == "source.weft",
                "foreign include {inc}"
            ),
        }
    }
    for name in repo.keys() {
        let inc = format!("#{name}");
        assert!(
            found.contains(&inc.as_str()),
            "rule {name} is never included"
        );
    }
}

/// Whether the `${...}` placeholders of a snippet body are balanced, as VS
/// Code's snippet parser reads them (`\` escapes `$`, `}` and `\`).
fn placeholders_balanced(body: &str) -> bool {
    let mut open = 0usize;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                open += 1;
            }
            '}' if open > 0 => open -= 1,
            _ => {}
        }
    }
    open == 0
}

#[test]
fn snippets_have_prefix_and_balanced_body() {
    let snippets = read_json("snippets/weft.json");
    let snippets = snippets.as_object().expect("snippets file is an object");
    assert!(snippets.len() >= 10, "only {} snippets", snippets.len());
    let mut prefixes = Vec::new();
    for (name, s) in snippets {
        let prefix: Vec<&str> = match &s["prefix"] {
            Value::String(p) => vec![p.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            other => panic!("snippet {name}: prefix {other}"),
        };
        assert!(!prefix.is_empty(), "snippet {name}: empty prefix");
        for p in prefix {
            assert!(!prefixes.contains(&p), "prefix {p} is used twice");
            prefixes.push(p);
        }
        let body: String = match &s["body"] {
            Value::String(b) => b.clone(),
            Value::Array(a) => {
                let lines: Option<Vec<&str>> = a.iter().map(Value::as_str).collect();
                lines
                    .unwrap_or_else(|| panic!("snippet {name}: body lines"))
                    .join("\n")
            }
            other => panic!("snippet {name}: body {other}"),
        };
        assert!(!body.is_empty(), "snippet {name}: empty body");
        assert!(
            placeholders_balanced(&body),
            "snippet {name}: unbalanced ${{...}} in {body:?}"
        );
    }
}

fn npm_command() -> Command {
    Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

fn show(out: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Whether `npm` is installed; when it is, makes sure `node_modules` matches
/// `package-lock.json` (once per test binary: the tests run in parallel).
fn npm_ready() -> bool {
    static READY: OnceLock<Mutex<Option<bool>>> = OnceLock::new();
    let mut ready = READY.get_or_init(|| Mutex::new(None)).lock().unwrap();
    if let Some(r) = *ready {
        if !r {
            eprintln!("skipped: npm not installed");
        }
        return r;
    }
    let dir = vscode_dir();
    if npm_command().arg("--version").output().is_err() {
        eprintln!("skipped: npm not installed");
        *ready = Some(false);
        return false;
    }
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(&dir.join("node_modules/.package-lock.json"));
    let locked = modified(&dir.join("package-lock.json"));
    if installed.is_none() || installed < locked {
        let out = npm_command()
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .expect("run npm ci");
        assert!(out.status.success(), "npm ci failed:\n{}", show(&out));
    }
    *ready = Some(true);
    true
}

#[test]
fn npm_test_grammar_assertions_pass() {
    if !npm_ready() {
        return;
    }
    // The extension's own tests (test/*.test.js) drive this build's `weft lsp`.
    let out = npm_command()
        .arg("test")
        .env("WEFT_BIN", env!("CARGO_BIN_EXE_weft"))
        .current_dir(vscode_dir())
        .output()
        .expect("run npm test");
    assert!(out.status.success(), "npm test failed:\n{}", show(&out));
    // vscode-tmgrammar-test prints one line per test file.
    let text = String::from_utf8_lossy(&out.stdout);
    let passed = text.matches("run successfuly").count();
    assert!(
        passed >= 4,
        "expected at least 4 grammar test files:\n{}",
        show(&out)
    );
    // Then `node --test` its summary (`# pass 12` from the TAP reporter,
    // `ℹ pass 12` from the spec one): all ran, none skipped or failed.
    let count = |what: &str| -> usize {
        text.lines()
            .find_map(|l| {
                let l = l.strip_prefix("# ").or_else(|| l.strip_prefix("ℹ "))?;
                l.strip_prefix(what)?.strip_prefix(' ')?.trim().parse().ok()
            })
            .unwrap_or_else(|| panic!("no `{what}` count in:\n{}", show(&out)))
    };
    assert!(
        count("pass") >= 10 && count("fail") == 0 && count("skipped") == 0,
        "the extension tests did not all run and pass:\n{}",
        show(&out)
    );
}

/// Every `.weft` file under `dir`, sorted.
fn weft_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            weft_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "weft") {
            out.push(p);
        }
    }
}

/// Whether Weft's own lexer and parser accept `src` without errors.
fn parses(src: &str) -> bool {
    let (tokens, lex_errors) = weft::lexer::lex(src);
    let (_, parse_errors) = weft::parser::parse(&tokens, src.len());
    lex_errors.is_empty() && parse_errors.is_empty()
}

/// Runs test/tokenize.js over `files`: every one must tokenize without
/// ending inside a string, comment or bracket and without an `invalid.*`
/// token.
fn tokenize_cleanly(files: &[PathBuf]) {
    let list: String = files.iter().map(|p| format!("{}\n", p.display())).collect();
    let mut child = Command::new("node")
        .arg(vscode_dir().join("test/tokenize.js"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(list.as_bytes())
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let summary = format!("{} files tokenized, 0 problems", files.len());
    if out.status.success() && String::from_utf8_lossy(&out.stdout).contains(&summary) {
        return;
    }
    // The shortest file with a problem, to show.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let shortest = files
        .iter()
        .filter(|p| stdout.contains(&format!("{}:", p.display())))
        .filter_map(|p| Some((p, fs::read_to_string(p).ok()?)))
        .min_by_key(|(_, src)| src.len())
        .map_or_else(String::new, |(p, src)| {
            format!("\nthe shortest, {}:\n---\n{src}\n---", p.display())
        });
    panic!("tokenizing failed:\n{}{shortest}", show(&out));
}

#[test]
fn grammar_tokenizes_every_valid_weft_file_cleanly() {
    if !npm_ready() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in [
        "examples",
        "std",
        "tests/golden",
        "editors/vscode/test",
        "editors/tree-sitter-weft/test",
    ] {
        weft_files(&root.join(dir), &mut all);
    }
    let valid: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| parses(&fs::read_to_string(p).unwrap()))
        .collect();
    assert!(valid.len() > 100, "only {} valid files found", valid.len());
    tokenize_cleanly(&valid);
}

/// How many random sentences of grammar/weft.ebnf are tokenized, and the
/// seed they are made from.
const GENERATED: usize = 2500;
const GENERATED_SEED: u64 = 0x0007_EE51_771E_5EED;

/// The random sentences of tests/tree_sitter.rs (tests/support/sentences.rs)
/// that Weft's parser accepts tokenize cleanly too.
#[test]
fn grammar_tokenizes_generated_sentences_cleanly() {
    if !npm_ready() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = fs::read_to_string(root.join("grammar/weft.ebnf")).unwrap();
    let grammar = ebnf::Grammar::parse(&src).unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("textmate-generated");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let mut valid = Vec::new();
    for (i, src) in sentences::editor_sources(&grammar, GENERATED, GENERATED_SEED)
        .into_iter()
        .enumerate()
    {
        if parses(&src) {
            let path = dir.join(format!("{i:04}.weft"));
            fs::write(&path, src).unwrap();
            valid.push(path);
        }
    }
    assert!(
        valid.len() * 20 > GENERATED * 19,
        "Weft's parser accepts only {} of {GENERATED} generated sentences",
        valid.len()
    );
    tokenize_cleanly(&valid);
    eprintln!(
        "textmate: {} generated sentences tokenized cleanly",
        valid.len()
    );
}
