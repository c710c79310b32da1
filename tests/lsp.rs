//! `weft lsp` driven as an editor drives it: JSON-RPC over the binary's
//! stdin and stdout. Each test opens documents, edits them and asks
//! questions, and checks the answers against the source.

#[path = "support/lsp_client.rs"]
#[allow(dead_code)]
mod lsp_client;

use lsp_client::*;
use std::process::Command;

const UTIL: &str = "\
// Adds two numbers.
fn add(a, b = 1) { return a + b }

class Counter {
    fn init() { self.n = 0 }
    fn inc() { self.n += 1 }
}
";

const MAIN: &str = "\
import time
import \"./util.weft\" as util

// Greets someone, `times` times.
async fn greet(name, times = 1) {
    let msg = \"hi ${name}\"
    for i in 0..times { print(msg, i) }
    return util.add(times)
}

class Dog < Animal {
    fn bark() { return self.speak() + self.name }
}

class Animal {
    fn init(name) { self.name = name }
    fn speak() { return \"...\" }
}

await greet(\"x\")
await time.sleep(1)
";

#[test]
fn diagnostics_are_published_as_you_type() {
    let dir = folder("diag");
    let path = dir.join("main.weft");
    let u = uri(&path);
    let mut c = Client::start(json!({}));

    // A syntax error: the same message and place `weft check` reports.
    let broken = "let x = [1, 2\nprint(x)\n";
    std::fs::write(&path, broken).unwrap();
    let check = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["check", path.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&check.stderr).to_string();
    let headline = report.lines().next().unwrap().trim_start_matches("error: ");
    c.open(&u, broken);
    let diags = c.diagnostics(&u, 1);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["severity"], 1);
    assert_eq!(diags[0]["source"], "weft");
    let message = diags[0]["message"].as_str().unwrap();
    assert!(message.starts_with(headline), "{message} vs {report}");
    let (line, col) = range_start(&diags[0]["range"]);
    assert!(
        report.contains(&format!("main.weft:{}:{}", line + 1, col + 1)),
        "{report} at {line}:{col}"
    );

    // Asked for (pull diagnostics), the same ones.
    let r = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(r["result"]["kind"], "full", "{r}");
    assert_eq!(r["result"]["items"], json!(diags), "{r}");

    // Fixed by an incremental edit: no diagnostics.
    c.change(
        &u,
        2,
        json!([{"range": {"start": {"line": 0, "character": 13}, "end": {"line": 0, "character": 13}}, "text": "]"}]),
    );
    assert!(c.diagnostics(&u, 2).is_empty());

    // A compile error with a hint, after another edit.
    c.change(
        &u,
        3,
        json!([{"range": {"start": {"line": 1, "character": 6}, "end": {"line": 1, "character": 7}}, "text": "y"}]),
    );
    let diags = c.diagnostics(&u, 3);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let message = diags[0]["message"].as_str().unwrap();
    assert!(message.starts_with("undefined name `y`"), "{message}");
    assert!(message.contains("help: did you mean `x`?"), "{message}");
    assert_eq!(range_start(&diags[0]["range"]), (1, 6));

    // A whole-text change, and an error in an imported file shown at the
    // import.
    std::fs::write(dir.join("bad.weft"), "fn f() { return nope }\n").unwrap();
    c.change(
        &u,
        4,
        json!([{"text": "import \"./bad.weft\" as bad\nbad.f()\n"}]),
    );
    let diags = c.diagnostics(&u, 4);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]["message"]
        .as_str()
        .unwrap()
        .contains("undefined name `nope`"));
    assert_eq!(range_start(&diags[0]["range"]), (0, 0));
    let related = &diags[0]["relatedInformation"][0]["location"];
    assert!(related["uri"].as_str().unwrap().ends_with("/bad.weft"));
    assert_eq!(range_start(&related["range"]), (0, 16));

    // Closing clears them.
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    c.finish();
}

#[test]
fn definition_hover_symbols_and_completion() {
    let dir = folder("nav");
    std::fs::write(dir.join("util.weft"), UTIL).unwrap();
    let main = dir.join("main.weft");
    std::fs::write(&main, MAIN).unwrap();
    let u = uri(&main);
    let util_uri = uri(&dir.join("util.weft"));
    let mut c = Client::start(json!({}));
    c.open(&u, MAIN);
    assert!(c.diagnostics(&u, 1).is_empty());

    // Locals, globals, functions, classes, methods, fields, modules.
    let cases = [
        (find(MAIN, "msg", 1, 1), &u, find(MAIN, "msg", 0, 0)),
        (find(MAIN, "name}", 0, 0), &u, find(MAIN, "name", 0, 0)),
        (
            find(MAIN, "greet(\"x\")", 0, 2),
            &u,
            find(MAIN, "greet", 0, 0),
        ),
        (find(MAIN, "Animal", 0, 1), &u, find(MAIN, "Animal", 1, 0)),
        (find(MAIN, "speak()", 0, 1), &u, find(MAIN, "speak", 1, 0)),
        (
            find(MAIN, "self.name", 0, 6),
            &u,
            find(MAIN, "self.name", 1, 5),
        ),
        (
            find(MAIN, "util.add", 0, 6),
            &util_uri,
            find(UTIL, "add", 0, 0),
        ),
        (find(MAIN, "util.add", 0, 1), &util_uri, (0, 0)),
    ];
    for (at, target_uri, target) in cases {
        let r = c.at("textDocument/definition", &u, at);
        let loc = &r["result"];
        assert_eq!(loc["uri"], json!(target_uri), "definition at {at:?}: {r}");
        assert_eq!(
            range_start(&loc["range"]),
            target,
            "definition at {at:?}: {r}"
        );
    }
    // A standard module written in Weft opens as a file; a built-in has
    // no source.
    let r = c.at("textDocument/definition", &u, find(MAIN, "print", 0, 1));
    assert!(r["result"].is_null(), "{r}");
    // The path of an import leads to the file too.
    let r = c.at("textDocument/definition", &u, find(MAIN, "./util", 0, 2));
    assert_eq!(r["result"]["uri"], json!(util_uri), "{r}");

    // Hover: signature and doc comment, also across files and for std.
    let h = c.hover_text(&u, find(MAIN, "greet(\"x\")", 0, 0));
    assert!(h.contains("async fn greet(name, times = 1)"), "{h}");
    assert!(h.contains("Greets someone, `times` times."), "{h}");
    let h = c.hover_text(&u, find(MAIN, "util.add", 0, 5));
    assert!(
        h.contains("fn util.add(a, b = 1)") && h.contains("Adds two numbers."),
        "{h}"
    );
    let h = c.hover_text(&u, find(MAIN, "time.sleep", 0, 6));
    assert!(h.contains("time.sleep("), "{h}");
    let h = c.hover_text(&u, find(MAIN, "class Dog", 0, 7));
    assert!(h.contains("class Dog < Animal"), "{h}");

    // Symbols: the outline, with methods inside classes.
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let symbols = r["result"].as_array().unwrap();
    let names: Vec<&str> = symbols
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["time", "util", "greet", "Dog", "Animal"]);
    let animal = &symbols[4];
    assert_eq!(animal["kind"], 5); // Class
    let members: Vec<&str> = animal["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["init", "name", "speak"]);
    assert_eq!(symbols[2]["kind"], 12); // Function
    assert_eq!(
        range_start(&symbols[2]["selectionRange"]),
        find(MAIN, "greet", 0, 0)
    );

    // Completion: names in scope, keywords, std module members, `self.`.
    let inside = find(MAIN, "return util", 0, 0);
    let r = c.at("textDocument/completion", &u, inside);
    let names = labels(&r["result"]);
    for expected in [
        "msg", "name", "times", "greet", "util", "print", "while", "Channel",
    ] {
        assert!(
            names.contains(&expected.to_string()),
            "{expected} in {names:?}"
        );
    }
    assert!(
        !names.contains(&"i".to_string()),
        "loop variable out of scope"
    );
    let r = c.at(
        "textDocument/completion",
        &u,
        find(MAIN, "time.sleep", 0, 5),
    );
    let names = labels(&r["result"]);
    assert_eq!(names, ["now", "monotonic", "sleep"]);
    let r = c.at("textDocument/completion", &u, find(MAIN, "util.add", 0, 5));
    assert_eq!(labels(&r["result"]), ["add", "Counter"]);
    let r = c.at(
        "textDocument/completion",
        &u,
        find(MAIN, "self.speak", 0, 5),
    );
    let names = labels(&r["result"]);
    for expected in ["bark", "speak", "init", "name"] {
        assert!(
            names.contains(&expected.to_string()),
            "{expected} in {names:?}"
        );
    }
    c.finish();
}

#[test]
fn completion_works_while_the_line_is_being_typed() {
    let u = "file:///nonexistent/typing.weft";
    let mut c = Client::start(json!({}));
    let text = "import json\nimport http\nfn main() {\n    let data = 1\n    \n}\n";
    c.open(u, text);
    c.diagnostics(u, 1);
    // Type `json.` on the empty line: the file no longer parses.
    c.change(
        u,
        2,
        json!([{"range": {"start": {"line": 4, "character": 4}, "end": {"line": 4, "character": 4}}, "text": "json."}]),
    );
    assert!(!c.diagnostics(u, 2).is_empty());
    let r = c.at("textDocument/completion", u, (4, 9));
    let names = labels(&r["result"]);
    assert!(names.contains(&"parse".to_string()) && names.contains(&"stringify".to_string()));
    c.change(
        u,
        3,
        json!([{"range": {"start": {"line": 4, "character": 4}, "end": {"line": 4, "character": 9}}, "text": "http."}]),
    );
    let r = c.at("textDocument/completion", u, (4, 9));
    let names = labels(&r["result"]);
    for expected in ["serve", "get", "request", "Router"] {
        assert!(
            names.contains(&expected.to_string()),
            "{expected} in {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n.starts_with('_')), "{names:?}");
    // `da` completes the local declared above.
    c.change(
        u,
        4,
        json!([{"range": {"start": {"line": 4, "character": 4}, "end": {"line": 4, "character": 9}}, "text": "da"}]),
    );
    let r = c.at("textDocument/completion", u, (4, 6));
    assert!(labels(&r["result"]).contains(&"data".to_string()));
    let r = c.at("textDocument/completion", u, (0, 7));
    assert!(labels(&r["result"]).contains(&"json".to_string()));
    c.finish();
}

#[test]
fn rename_changes_a_local_and_its_uses_only() {
    let u = "file:///nonexistent/rename.weft";
    let text = "let count = 0\nfn f(count) {\n    let total = count + 1\n    return fn() => total + count\n}\nprint(count)\n";
    let mut c = Client::start(json!({}));
    c.open(u, text);
    c.diagnostics(u, 1);
    let at = find(text, "total", 1, 2);
    let prep = c.at("textDocument/prepareRename", u, at);
    assert_eq!(
        range_start(&prep["result"]),
        find(text, "total", 1, 0),
        "{prep}"
    );
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": at.0, "character": at.1}, "newName": "sum"}),
    );
    let edits = r["result"]["changes"][u].as_array().unwrap();
    let starts: Vec<(u32, u32)> = edits.iter().map(|e| range_start(&e["range"])).collect();
    assert_eq!(
        starts,
        [find(text, "total", 0, 0), find(text, "total", 1, 0)]
    );
    assert!(edits.iter().all(|e| e["newText"] == "sum"));

    // The parameter `count` shadows the global: only its own uses change.
    let at = find(text, "count", 2, 0);
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": at.0, "character": at.1}, "newName": "n"}),
    );
    let starts: Vec<(u32, u32)> = r["result"]["changes"][u]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| range_start(&e["range"]))
        .collect();
    assert_eq!(
        starts,
        [
            find(text, "count", 1, 0),
            find(text, "count", 2, 0),
            find(text, "count", 3, 0)
        ]
    );

    // A new name that another declaration or use would capture is refused.
    let at = find(text, "total", 0, 0);
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": at.0, "character": at.1}, "newName": "count"}),
    );
    let refusal = r["error"]["message"].as_str().unwrap_or_default();
    assert!(refusal.contains("already used"), "{r}");

    // A global is refused, and so is a name that is not an identifier.
    let at = find(text, "count", 4, 0);
    assert!(c.at("textDocument/prepareRename", u, at)["result"].is_null());
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": at.0, "character": at.1}, "newName": "x"}),
    );
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only local names"),
        "{r}"
    );
    let at = find(text, "total", 0, 0);
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": at.0, "character": at.1}, "newName": "while"}),
    );
    assert!(r["error"].is_object(), "{r}");
    c.finish();
}

#[test]
fn positions_are_utf16_unless_utf8_is_agreed() {
    let text = "let s = \"😀😀\"; let x = 1\nprint(x)\n";
    let u = "file:///nonexistent/utf.weft";
    // UTF-16: the emoji count two units each.
    let mut c = Client::start(json!({}));
    c.open(u, text);
    c.diagnostics(u, 1);
    let r = c.at("textDocument/definition", u, (1, 6));
    assert_eq!(range_start(&r["result"]["range"]), (0, 20));
    c.finish();
    // UTF-8 when the editor offers it: bytes.
    let mut c = Client::start(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    c.open(u, text);
    c.diagnostics(u, 1);
    let r = c.at("textDocument/definition", u, (1, 6));
    assert_eq!(range_start(&r["result"]["range"]), (0, 24));
    c.finish();
}

#[test]
fn broken_input_never_crashes_the_server() {
    let u = "file:///nonexistent/broken.weft";
    let mut c = Client::start(json!({}));
    let texts = [
        "fn (".to_string(),
        "class { fn }} ] let [".to_string(),
        "\"unterminated ${ x".to_string(),
        "/* never closed".to_string(),
        "(".repeat(5000),
        "let x = ".to_string() + &"-".repeat(5000) + "1",
        "a.b.c.d(".repeat(300),
        "\u{0}\u{7f}é😀 fn fn fn".to_string(),
        String::new(),
    ];
    for (i, text) in texts.iter().enumerate() {
        let version = i as i64 + 1;
        if i == 0 {
            c.open(u, text);
        } else {
            c.change(u, version, json!([{"text": text}]));
        }
        c.diagnostics(u, version);
        let lines = text.lines().count().max(1) as u32;
        for line in 0..lines.min(3) {
            for col in [0, 1, 3, 7, 50, 10_000] {
                for method in [
                    "textDocument/definition",
                    "textDocument/hover",
                    "textDocument/completion",
                    "textDocument/prepareRename",
                ] {
                    let r = c.at(method, u, (line, col));
                    assert!(r.get("error").is_none(), "{method} on {text:?}: {r}");
                }
            }
        }
        let r = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": u}}),
        );
        assert!(r.get("error").is_none(), "{r}");
    }
    // Edits whose ranges are out of the document are clamped.
    c.change(
        u,
        99,
        json!([{"range": {"start": {"line": 50, "character": 3}, "end": {"line": 2, "character": 0}}, "text": "print(1)"}]),
    );
    assert!(c.diagnostics(u, 99).is_empty());
    // A message that is not JSON, or not JSON-RPC, gets the protocol's
    // errors and the session goes on.
    c.send_raw("{this is not json");
    let r = c.receive();
    assert_eq!(
        (r["id"].clone(), r["error"]["code"].clone()),
        (Value::Null, json!(-32700))
    );
    c.send_raw(r#"{"jsonrpc": "2.0", "id": 99}"#);
    let r = c.receive();
    assert_eq!(
        (r["id"].clone(), r["error"]["code"].clone()),
        (json!(99), json!(-32600))
    );
    // Bad requests get errors, not a dead server.
    let r = c.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(r["error"]["code"], -32602);
    let r = c.request("workspace/frobnicate", json!({}));
    assert!(r["error"].is_object());
    let r = c.at("textDocument/hover", "file:///not/open.weft", (0, 0));
    assert!(r["error"].is_object());
    c.finish();
}
