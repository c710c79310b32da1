//! `weft lsp` in longer editor sessions, as a new user's editor drives it:
//! multi-file programs with inheritance across files, typing a program
//! character by character, shadowed names, CRLF, tabs and emoji, a large
//! file, and the protocol's housekeeping messages. The JSON-RPC client is
//! tests/support/lsp_client.rs. Diagnostics are compared with `weft check`'s
//! report of the same text.

#[path = "support/lsp_client.rs"]
#[allow(dead_code)]
mod lsp_client;

use lsp_client::*;
use std::path::Path;
use std::process::Command;

/// `(line, character)` in UTF-16 units of byte offset `at` in `text`.
fn position_of(text: &str, at: usize) -> (u32, u32) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() as u32;
    let col: usize = text[line_start..at].chars().map(char::len_utf16).sum();
    (line, col as u32)
}

/// Like `find`, for text with any characters (UTF-16 columns).
fn find16(text: &str, needle: &str, nth: usize, shift: u32) -> (u32, u32) {
    let at = text.match_indices(needle).nth(nth).expect("needle").0;
    let (line, col) = position_of(text, at);
    (line, col + shift)
}

fn range_of(v: &Value) -> ((u32, u32), (u32, u32)) {
    let p = |p: &Value| {
        (
            p["line"].as_u64().unwrap() as u32,
            p["character"].as_u64().unwrap() as u32,
        )
    };
    (p(&v["start"]), p(&v["end"]))
}

/// One error of `weft check`'s report: headline, 1-based line and column
/// (in characters), and the hint.
#[derive(Debug, PartialEq)]
struct Reported {
    message: String,
    line: usize,
    column: usize,
    hint: Option<String>,
}

/// Runs `weft check` on `text` written to `path` and reads its report.
fn check(path: &Path, text: &str) -> Vec<Reported> {
    std::fs::write(path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("check")
        .arg(path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stderr).to_string();
    let mut errors: Vec<Reported> = Vec::new();
    for line in report.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            errors.push(Reported {
                message: m.to_string(),
                line: 0,
                column: 0,
                hint: None,
            });
        } else if let Some(e) = errors.last_mut() {
            if let Some(i) = line.find("╭─[ ") {
                if e.line == 0 {
                    let place = line[i + "╭─[ ".len()..].trim_end_matches(" ]");
                    let mut parts = place.rsplitn(3, ':');
                    e.column = parts.next().unwrap().parse().unwrap();
                    e.line = parts.next().unwrap().parse().unwrap();
                }
            } else if let Some(i) = line.find("Help: ") {
                e.hint = Some(line[i + "Help: ".len()..].trim().to_string());
            }
        }
    }
    errors
}

/// The editor's diagnostics in `check`'s terms.
fn as_reported(text: &str, diags: &[Value]) -> Vec<Reported> {
    diags
        .iter()
        .map(|d| {
            let message = d["message"].as_str().unwrap();
            let ((line, col), _) = range_of(&d["range"]);
            let line_text = text.split('\n').nth(line as usize).unwrap_or("");
            let mut units = 0;
            let column = line_text
                .chars()
                .take_while(|c| {
                    units += c.len_utf16() as u32;
                    units <= col
                })
                .count();
            Reported {
                message: message.lines().next().unwrap().to_string(),
                line: line as usize + 1,
                column: column + 1,
                hint: message
                    .lines()
                    .find_map(|l| l.strip_prefix("help: "))
                    .map(str::to_string),
            }
        })
        .collect()
}

fn member_labels(c: &mut Client, u: &str, at: (u32, u32)) -> Vec<String> {
    let r = c.at("textDocument/completion", u, at);
    labels(&r["result"])
}

fn definition(c: &mut Client, u: &str, at: (u32, u32)) -> (String, (u32, u32)) {
    let r = c.at("textDocument/definition", u, at);
    let loc = &r["result"];
    assert!(loc.is_object(), "definition at {at:?}: {r}");
    (
        loc["uri"].as_str().unwrap().to_string(),
        range_of(&loc["range"]).0,
    )
}

fn rename(c: &mut Client, u: &str, at: (u32, u32), new_name: &str) -> Value {
    c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": at.0, "character": at.1}, "newName": new_name}),
    )
}

/// A text edit: start, end, new text.
type Edit = ((u32, u32), (u32, u32), String);

/// Applies a rename's edits (single-line ranges, UTF-16 columns) to `text`.
fn apply(text: &str, r: &Value, u: &str) -> String {
    let mut edits: Vec<Edit> = r["result"]["changes"][u]
        .as_array()
        .unwrap_or_else(|| panic!("a workspace edit: {r}"))
        .iter()
        .map(|e| {
            let (s, end) = range_of(&e["range"]);
            (s, end, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    edits.sort();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for (s, e, new) in edits.into_iter().rev() {
        assert_eq!(s.0, e.0, "a rename edit stays on one line");
        let line = &lines[s.0 as usize];
        let byte = |units: u32| {
            let mut n = 0;
            for (i, c) in line.char_indices() {
                if n >= units {
                    return i;
                }
                n += c.len_utf16() as u32;
            }
            line.len()
        };
        let (a, b) = (byte(s.1), byte(e.1));
        lines[s.0 as usize] = format!("{}{}{}", &line[..a], new, &line[b..]);
    }
    lines.join("\n")
}

const HELPER: &str = "\
// Base of all things.
class Base {
    fn init() { self.base_field = 1 }
    // Says hello.
    fn hello(who) { return \"hi ${who}\" }
}
fn helper() { return 1 }
";

const KID: &str = "\
import json
import time as t
import \"./sub/helper.weft\" as h
import \"sub/helper.weft\" as h2

class Kid < h.Base {
    fn init() {
        super.init()
        self.mine = 2
    }
    fn run() {
        return self.hello(\"x\") + str(self.base_field)
    }
    // A method may be named like a keyword.
    fn throw(e) { return e }
}

// Counts up to `n`, lazily.
fn count(n) {
    let i = 0
    while i < n {
        yield i
        i += 1
    }
}

fn probe(param) {
    let before = 1
    print(before)
    let after = 2
    for lv in [1] { print(lv) }
    try { throw param } catch ce { print(ce) }
    let lam = fn(lp) => lp + after
    return lam
}

let k = Kid()
print(k.run(), h2.helper(), k.throw(1), json.stringify([1]))
for x in count(3) { await t.sleep(x) }
";

#[test]
fn a_class_inherits_across_files() {
    let dir = folder("inherit");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/helper.weft"), HELPER).unwrap();
    let main = dir.join("main.weft");
    let u = uri(&main);
    let helper_uri = uri(&dir.join("sub/helper.weft"));
    assert!(check(&main, KID).is_empty());
    let mut c = Client::start(json!({}));
    c.open(&u, KID);
    assert!(c.diagnostics(&u, 1).is_empty());

    // Members reached through `self` and `super` live in the imported
    // superclass; an import path without `./` is relative too.
    let cases = [
        (
            find(KID, "self.hello", 0, 5),
            find(HELPER, "hello(who)", 0, 0),
        ),
        (
            find(KID, "self.base_field", 0, 5),
            find(HELPER, "self.base_field", 0, 5),
        ),
        (find(KID, "super.init", 0, 6), find(HELPER, "init", 0, 0)),
        (find(KID, "h2.helper", 0, 3), find(HELPER, "helper", 0, 0)),
        (find(KID, "h.Base", 0, 2), find(HELPER, "Base", 1, 0)),
    ];
    for (at, target) in cases {
        assert_eq!(
            definition(&mut c, &u, at),
            (helper_uri.clone(), target),
            "at {at:?}"
        );
    }
    // In this file: a method named like a keyword, a generator, a loop
    // variable, a catch name, a lambda parameter.
    let cases = [
        (find(KID, "throw(1)", 0, 0), find(KID, "throw", 0, 0)),
        (find(KID, "k.run", 0, 2), find(KID, "run", 0, 0)),
        (find(KID, "count(3)", 0, 0), find(KID, "count", 0, 0)),
        (find(KID, "i += 1", 0, 0), find(KID, "i = 0", 0, 0)),
        (find(KID, "lv) }", 0, 0), find(KID, "lv", 0, 0)),
        (find(KID, "ce) }", 0, 0), find(KID, "ce", 0, 0)),
        (find(KID, "lp + after", 0, 0), find(KID, "lp)", 0, 0)),
        (find(KID, "after\n", 0, 0), find(KID, "after", 0, 0)),
        (find(KID, "t.sleep", 0, 0), find(KID, "t\n", 0, 0)),
    ];
    for (at, target) in cases {
        assert_eq!(definition(&mut c, &u, at), (u.clone(), target), "at {at:?}");
    }

    let h = c.hover_text(&u, find(KID, "self.hello", 0, 5));
    assert!(
        h.contains("fn Base.hello(who)") && h.contains("Says hello."),
        "{h}"
    );
    let h = c.hover_text(&u, find(KID, "h.Base", 0, 2));
    assert!(h.contains("Base of all things."), "{h}");
    let h = c.hover_text(&u, find(KID, "count(3)", 0, 0));
    assert!(
        h.contains("fn count(n)") && h.contains("Counts up to `n`, lazily."),
        "{h}"
    );
    let h = c.hover_text(&u, find(KID, "json.stringify", 0, 5));
    assert!(h.contains("json.stringify(v"), "{h}");
    let h = c.hover_text(&u, find(KID, "t.sleep", 0, 2));
    assert!(h.contains("time.sleep(ms)"), "{h}");

    // The outline: the class with its methods and fields, functions,
    // imports; no locals.
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let symbols = r["result"].as_array().unwrap();
    let names: Vec<&str> = symbols
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["json", "t", "h", "h2", "Kid", "count", "probe", "k"]
    );
    let members: Vec<&str> = symbols[4]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["init", "mine", "run", "throw"]);
    c.finish();
}

#[test]
fn completion_offers_the_names_in_scope_and_no_others() {
    let dir = folder("scope");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/helper.weft"), HELPER).unwrap();
    let main = dir.join("main.weft");
    let u = uri(&main);
    let mut c = Client::start(json!({}));
    c.open(&u, KID);
    c.diagnostics(&u, 1);
    let names = member_labels(&mut c, &u, find(KID, "print(before)", 0, 0));
    for expected in [
        "before", "param", "probe", "count", "Kid", "k", "h", "h2", "t", "json", "print",
    ] {
        assert!(
            names.contains(&expected.to_string()),
            "{expected} in {names:?}"
        );
    }
    // Declared later, in another function, or in a narrower scope.
    for hidden in ["after", "lv", "ce", "lp", "lam", "i", "x", "mine", "run"] {
        assert!(
            !names.contains(&hidden.to_string()),
            "{hidden} is not in scope: {names:?}"
        );
    }
    assert_eq!(
        member_labels(&mut c, &u, find(KID, "h.Base", 0, 2)),
        ["Base", "helper"]
    );
    assert_eq!(
        member_labels(&mut c, &u, find(KID, "t.sleep", 0, 2)),
        ["now", "monotonic", "sleep"]
    );
    c.finish();
}

#[test]
fn self_completion_includes_an_imported_superclass() {
    let dir = folder("selfsuper");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/helper.weft"), HELPER).unwrap();
    let u = uri(&dir.join("main.weft"));
    let mut c = Client::start(json!({}));
    c.open(&u, KID);
    c.diagnostics(&u, 1);
    let names = member_labels(&mut c, &u, find(KID, "self.hello", 0, 5));
    for expected in ["run", "mine", "hello", "base_field"] {
        assert!(
            names.contains(&expected.to_string()),
            "{expected} in {names:?}"
        );
    }
    c.finish();
}

#[test]
fn super_completion_offers_the_superclass_methods() {
    let text = "class A {\n    fn init() { self.a = 1 }\n    fn ma() { return 1 }\n}\nclass B < A {\n    fn init() {\n        super.init()\n    }\n}\n";
    let u = "file:///nonexistent/super.weft";
    let mut c = Client::start(json!({}));
    c.open(u, text);
    assert!(c.diagnostics(u, 1).is_empty());
    let names = member_labels(&mut c, u, find(text, "super.init", 0, 6));
    assert!(
        names.contains(&"init".to_string()) && names.contains(&"ma".to_string()),
        "{names:?}"
    );
    c.finish();
}

/// Errors whose place is inside the text (not at its end).
const BROKEN: [&str; 14] = [
    "let count = 1\nprint(cout)\n",
    "fn f() { await sleep(1) }\n",
    "let x = 1\r\nlet y = 2\r\nprint(z)\r\n",
    "let x = 1\r\nprint(x +)\r\n",
    "fn f() {\n\tlet a = 1\n\treturn b\n}\n",
    "let s = \"😀😀\"; print(nope)\n",
    "let s = \"é😀\"\nprint(s, \"👍🏽\", zz)\n",
    "print(\"a\\qb\")\n",
    "let x = 99999999999999999999\n",
    "yield 1\n",
    "fn f() { return self.x }\n",
    "import \"./nothere.weft\" as n\nprint(n.x)\n",
    "let while = 1\n",
    "print(\"a ${b} c\")\nprint(1",
];

#[test]
fn diagnostics_equal_weft_check() {
    let dir = folder("check");
    let mut c = Client::start(json!({}));
    for (i, text) in BROKEN.iter().enumerate() {
        let path = dir.join(format!("case{i}.weft"));
        let expected = check(&path, text);
        assert!(!expected.is_empty(), "{text:?}");
        let u = uri(&path);
        c.open(&u, text);
        let diags = c.diagnostics(&u, 1);
        assert_eq!(as_reported(text, &diags), expected, "{text:?}");
        c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    }
    c.finish();
}

#[test]
fn an_error_at_the_end_of_input_is_where_check_shows_it() {
    let dir = folder("eof");
    let mut c = Client::start(json!({}));
    for (i, text) in [
        "print(add(1, 2)\n",
        "let x = [1, 2\n",
        "import time\ntime.\n",
    ]
    .iter()
    .enumerate()
    {
        let path = dir.join(format!("eof{i}.weft"));
        let expected = check(&path, text);
        let u = uri(&path);
        c.open(&u, text);
        let diags = c.diagnostics(&u, 1);
        // The place must also be a line of the document.
        let ((line, _), _) = range_of(&diags[0]["range"]);
        assert!((line as usize) < text.lines().count(), "{diags:?}");
        assert_eq!(as_reported(text, &diags), expected, "{text:?}");
    }
    c.finish();
}

/// The text that typing `target` one character at a time gives, as
/// editor edits: each notification carries one to three changes, and now
/// and then a typo that is typed and deleted in the same notification.
fn typing_session(c: &mut Client, u: &str, target: &str) -> i64 {
    let mut text = String::new();
    let mut version = 1;
    let mut chars = target.char_indices().peekable();
    let mut step = 0usize;
    while chars.peek().is_some() {
        step += 1;
        let mut changes = Vec::new();
        for _ in 0..1 + step % 3 {
            let Some((i, ch)) = chars.next() else { break };
            let mut piece = ch.to_string();
            if ch == '\r' {
                piece.push(chars.next().unwrap().1);
            }
            if step % 13 == 0 && !text.is_empty() {
                // A typo in the middle, deleted at once.
                let at = text.char_indices().nth(text.chars().count() / 2).unwrap().0;
                let p = position_of(&text, at);
                changes.push(json!({"range": {"start": {"line": p.0, "character": p.1}, "end": {"line": p.0, "character": p.1}}, "text": "Z"}));
                changes.push(json!({"range": {"start": {"line": p.0, "character": p.1}, "end": {"line": p.0, "character": p.1 + 1}}, "text": ""}));
            }
            let p = position_of(&text, text.len());
            changes.push(json!({"range": {"start": {"line": p.0, "character": p.1}, "end": {"line": p.0, "character": p.1}}, "text": piece}));
            text.push_str(&piece);
            debug_assert_eq!(&target[..i + piece.len()], text);
        }
        version += 1;
        c.change(u, version, json!(changes));
        c.diagnostics(u, version);
    }
    assert_eq!(text, target);
    version
}

#[test]
fn typing_a_program_character_by_character() {
    let dir = folder("typing");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/helper.weft"), HELPER).unwrap();
    let path = dir.join("main.weft");
    let u = uri(&path);
    // CRLF on some lines, tabs, emoji before names, no final newline.
    let target = KID
        .replacen('\n', "\r\n", 6)
        .replace("    let before", "\tlet before")
        + "let s = \"😀 ${k.run()}\"; print(s, \"é\")";
    let mut c = Client::start(json!({}));
    c.open(&u, "");
    assert!(c.diagnostics(&u, 1).is_empty());
    let version = typing_session(&mut c, &u, &target);
    // The server's copy is the typed text: its diagnostics are check's.
    assert!(check(&path, &target).is_empty());
    c.change(&u, version + 1, json!([]));
    assert!(c.diagnostics(&u, version + 1).is_empty());
    let at = find16(&target, "s, \"é\"", 0, 0);
    assert_eq!(
        definition(&mut c, &u, at),
        (u.clone(), find16(&target, "s = \"😀", 0, 0))
    );
    let at = find16(&target, "run()}", 0, 0);
    assert_eq!(
        definition(&mut c, &u, at),
        (u.clone(), find16(&target, "run()", 0, 0))
    );
    // Break it with a typo after the emoji: same error as check.
    let at = find16(&target, "k.run()}", 0, 0);
    c.change(
        &u,
        version + 2,
        json!([{"range": {"start": {"line": at.0, "character": at.1}, "end": {"line": at.0, "character": at.1 + 1}}, "text": "kk"}]),
    );
    let broken = target.replace("${k.run()}", "${kk.run()}");
    let diags = c.diagnostics(&u, version + 2);
    let expected = check(&path, &broken);
    assert_eq!(as_reported(&broken, &diags), expected);
    assert_eq!(expected[0].message, "undefined name `kk`");
    c.finish();
}

#[test]
fn rename_keeps_to_one_binding_among_shadows() {
    let text = "\
let x = 1
fn outer(x) {
    let y = x
    if y {
        let x = y + 1
        print(x)
    }
    for x in [x, y] { print(x) }
    try { throw x } catch x { print(x) }
    let f = fn(x) => x * 2
    let [a, ...x2] = [x, 2]
    return fn() { return \"😀 ${x} ${x2}\" + a }
}
print(x)
";
    let u = "file:///nonexistent/shadows.weft";
    let mut c = Client::start(json!({}));
    c.open(u, text);
    assert!(c.diagnostics(u, 1).is_empty());
    let cases = [
        // The parameter, renamed from a use inside a closure, after emoji.
        (
            find16(text, "${x}", 0, 2),
            "\
let x = 1
fn outer(q) {
    let y = q
    if y {
        let x = y + 1
        print(x)
    }
    for x in [q, y] { print(x) }
    try { throw q } catch x { print(x) }
    let f = fn(x) => x * 2
    let [a, ...x2] = [q, 2]
    return fn() { return \"😀 ${q} ${x2}\" + a }
}
print(x)
",
        ),
        (
            find(text, "let x = y", 0, 4),
            "        let q = y + 1\n        print(q)",
        ),
        (
            find(text, "for x", 0, 4),
            "    for q in [x, y] { print(q) }",
        ),
        (find(text, "print(x) }", 1, 6), "catch q { print(q) }"),
        (find(text, "fn(x)", 0, 3), "    let f = fn(q) => q * 2"),
        (find16(text, "x2}", 0, 0), "${x} ${q}\" + a"),
    ];
    for (at, expected) in cases {
        let r = rename(&mut c, u, at, "q");
        let renamed = apply(text, &r, u);
        assert!(renamed.contains(expected), "rename at {at:?}:\n{renamed}");
        // Exactly the binding's own occurrences changed.
        let changed = r["result"]["changes"][u].as_array().unwrap().len();
        assert_eq!(
            changed,
            renamed.matches('q').count(),
            "rename at {at:?}:\n{renamed}"
        );
    }
    let r = rename(&mut c, u, find(text, "print(x)\n", 1, 6), "q");
    assert!(r["error"].is_object(), "a global is refused: {r}");
    c.finish();
}

#[test]
fn housekeeping_messages_do_not_disturb_the_session() {
    // Capabilities as a full-featured editor sends them.
    let capabilities = json!({
        "general": {"positionEncodings": ["utf-8", "utf-16", "utf-32"], "markdown": {"parser": "marked"}},
        "textDocument": {
            "synchronization": {"dynamicRegistration": true, "willSave": true, "willSaveWaitUntil": true, "didSave": true},
            "completion": {"contextSupport": true, "completionItem": {"snippetSupport": true, "insertReplaceSupport": true, "resolveSupport": {"properties": ["documentation"]}, "labelDetailsSupport": true}, "completionList": {"itemDefaults": ["editRange"]}},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true, "symbolKind": {"valueSet": (1..27).collect::<Vec<_>>()}},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true, "tagSupport": {"valueSet": [1, 2]}},
            "rename": {"prepareSupport": true, "prepareSupportDefaultBehavior": 1},
            "definition": {"linkSupport": true}
        },
        "workspace": {"applyEdit": true, "workspaceEdit": {"documentChanges": true}, "configuration": true, "workspaceFolders": true, "didChangeWatchedFiles": {"dynamicRegistration": true}},
        "window": {"workDoneProgress": true}
    });
    let mut c = Client::start(capabilities);
    let u = "file:///nonexistent/house.weft";
    let text = "let s = \"😀\"; let n = 1\nprint(n)\n";
    c.open(u, text);
    assert!(c.diagnostics(u, 1).is_empty());
    // UTF-8 was offered, so columns are bytes.
    let r = c.at("textDocument/definition", u, (1, 6));
    assert_eq!(range_of(&r["result"]["range"]).0, (0, 20), "{r}");

    c.notify("$/cancelRequest", json!({"id": 1}));
    c.notify("$/setTrace", json!({"value": "verbose"}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"weft": {"path": "weft"}}}),
    );
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": u, "type": 2}]}),
    );
    c.notify(
        "textDocument/willSave",
        json!({"textDocument": {"uri": u}, "reason": 1}),
    );
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": u}, "text": text}),
    );
    c.notify("weft/somethingNew", json!({"x": [1, 2]}));
    // A change to a document that was never opened is dropped.
    c.change(
        "file:///nonexistent/never.weft",
        2,
        json!([{"text": "oops("}]),
    );
    // Requests with string ids are answered with the same id.
    c.send(
        json!({"jsonrpc": "2.0", "id": "h-1", "method": "textDocument/hover",
        "params": {"textDocument": {"uri": u}, "position": {"line": 1, "character": 6}}}),
    );
    loop {
        let m = c.next();
        if m["id"] == "h-1" {
            assert!(m["result"]["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("let n"));
            break;
        }
        c.notifications.push(m);
    }
    // A request about a file that is not open fails; the server goes on.
    let r = c.at(
        "textDocument/definition",
        "file:///nonexistent/never.weft",
        (0, 0),
    );
    assert!(r["error"].is_object(), "{r}");
    // Wrong parameter types are InvalidParams.
    let r = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": {"line": -1, "character": "x"}}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // Several edits in one notification, in order; then the session goes
    // on as before.
    c.change(
        u,
        2,
        json!([
            {"range": {"start": {"line": 1, "character": 6}, "end": {"line": 1, "character": 7}}, "text": "count"},
            {"range": {"start": {"line": 0, "character": 20}, "end": {"line": 0, "character": 21}}, "text": "count"},
            {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}}, "text": "print(n)\n"}
        ]),
    );
    let diags = c.diagnostics(u, 2);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(range_of(&diags[0]["range"]), ((2, 6), (2, 7)));
    assert!(diags[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("undefined name `n`"));
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    c.finish();
}

#[test]
fn an_unknown_request_is_method_not_found() {
    let mut c = Client::start(json!({}));
    let r = c.request("workspace/frobnicate", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.request("$/unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    c.finish();
}

#[test]
fn a_request_after_shutdown_is_refused() {
    let mut c = Client::start(json!({}));
    let r = c.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///x.weft"}}),
    );
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().unwrap().code(), Some(0));
}

#[test]
fn files_in_a_folder_with_spaces_and_accents() {
    let dir = folder("name with space+é");
    std::fs::write(
        dir.join("u.weft"),
        "// U's function.\nfn uf(a) { return a }\n",
    )
    .unwrap();
    let text = "import \"./u.weft\" as u\nprint(u.uf(1))\n";
    let main = dir.join("main.weft");
    std::fs::write(&main, text).unwrap();
    // As editors write such a URI: percent-encoded.
    let encoded = |p: &Path| -> String {
        let mut s = String::from("file://");
        for b in p.to_str().unwrap().bytes() {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                s.push(b as char);
            } else {
                s.push_str(&format!("%{b:02X}"));
            }
        }
        s
    };
    let u = encoded(&main);
    let mut c = Client::start(json!({}));
    c.open(&u, text);
    assert!(c.diagnostics(&u, 1).is_empty());
    let (target, at) = definition(&mut c, &u, find(text, "u.uf", 0, 2));
    assert_eq!(at, (1, 3));
    assert!(target.ends_with("/u.weft"), "{target}");
    let h = c.hover_text(&u, find(text, "u.uf", 0, 2));
    assert!(h.contains("U's function."), "{h}");
    // An error in the imported file shows at the import.
    std::fs::write(dir.join("u.weft"), "fn uf(a) { return nope }\n").unwrap();
    c.change(&u, 2, json!([]));
    let diags = c.diagnostics(&u, 2);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(range_of(&diags[0]["range"]).0, (0, 0));
    c.finish();
}

#[test]
fn a_twenty_thousand_line_file() {
    let mut text = String::from("import json\n");
    let mut n = 0;
    while text.lines().count() < 20_000 {
        text.push_str(&format!(
            "// Function number {n}.\nfn f{n}(a, b = {n}) {{\n    let x{n} = a + b\n    return x{n} + f{}(1)\n}}\nclass C{n} {{\n    fn init(v) {{ self.v = v }}\n    fn get() {{ return self.v + {n} }}\n}}\n",
            n.max(1) - 1
        ));
        n += 1;
    }
    text.push_str("print(f7(1), C3(2).get())\n");
    let u = "file:///nonexistent/big.weft";
    let mut c = Client::start(json!({}));
    c.open(u, &text);
    assert!(c.diagnostics(u, 1).is_empty());
    let last = text.lines().count() as u32 - 1;
    // An edit deep in the file: an error at the right place.
    let at = find(&text, "return x1500", 0, 7);
    c.change(
        u,
        2,
        json!([{"range": {"start": {"line": at.0, "character": at.1}, "end": {"line": at.0, "character": at.1 + 1}}, "text": "y"}]),
    );
    let diags = c.diagnostics(u, 2);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(range_of(&diags[0]["range"]).0, at);
    let h = c.hover_text(u, (last, 7));
    assert!(
        h.contains("fn f7(a, b = 7)") && h.contains("Function number 7."),
        "{h}"
    );
    assert_eq!(
        definition(&mut c, u, (last, 14)),
        (u.to_string(), find(&text, "class C3 ", 0, 6))
    );
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(r["result"].as_array().unwrap().len(), 1 + 2 * n);
    let names = member_labels(&mut c, u, (last, 0));
    assert!(names.contains(&format!("f{}", n - 1)), "{}", names.len());
    c.finish();
}

#[test]
fn saving_a_fixed_import_clears_the_importers_diagnostic() {
    let dir = folder("stale");
    let util = dir.join("u.weft");
    std::fs::write(&util, "fn uf(a) { return nope }\n").unwrap();
    let text = "import \"./u.weft\" as u\nprint(u.uf(1))\n";
    let main = dir.join("main.weft");
    std::fs::write(&main, text).unwrap();
    let (u, util_uri) = (uri(&main), uri(&util));
    let mut c = Client::start(json!({}));
    c.open(&u, text);
    assert_eq!(c.diagnostics(&u, 1).len(), 1);
    c.open(&util_uri, "fn uf(a) { return nope }\n");
    assert_eq!(c.diagnostics(&util_uri, 1).len(), 1);
    // The user fixes the imported file and saves it.
    c.change(
        &util_uri,
        2,
        json!([{"range": {"start": {"line": 0, "character": 18}, "end": {"line": 0, "character": 22}}, "text": "a"}]),
    );
    assert!(c.diagnostics(&util_uri, 2).is_empty());
    std::fs::write(&util, "fn uf(a) { return a }\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": util_uri}}),
    );
    // The importer's diagnostics are published again, now empty.
    assert!(c.diagnostics(&u, 1).is_empty());
    c.finish();
}
