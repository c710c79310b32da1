//! Vim support in `editors/vim`, checked in a headless Vim (`vim -Es`) with
//! only that folder on 'runtimepath': filetype detection and the ftplugin's
//! settings; the indent script, which must compute the indentation of the
//! repository's own Weft code (every line flattened, then `gg=G`, gives the
//! file back byte for byte); syntax groups at chosen positions; and the
//! compiler's 'errorformat' on real `weft check` output and through `:make`.
//! When `vim` is not on PATH each test prints `skipped: vim not installed`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn vim_available() -> bool {
    let found = Command::new("vim").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: vim not installed");
    }
    found
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-vim-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Vim single-quoted string literal holding `s`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn quote_path(p: &Path) -> String {
    quote(&p.display().to_string())
}

/// Runs `body` (Vim script that appends result lines to `g:out`) in a
/// headless Vim started in `dir`, and returns those lines. An error in the
/// script fails the test with Vim's message.
fn run_vim(dir: &Path, body: &str) -> Vec<String> {
    let out = dir.join("out.txt");
    let script = dir.join("test.vim");
    let text = format!(
        "set nocompatible nomore\n\
         let &runtimepath = {rtp} . ',' . &runtimepath\n\
         filetype plugin indent on\n\
         syntax on\n\
         let g:out = []\n\
         try\n\
         {body}\n\
         catch\n\
         call add(g:out, 'ERROR: ' . v:exception . ' at ' . v:throwpoint)\n\
         endtry\n\
         call writefile(g:out, {out})\n\
         qall!\n",
        rtp = quote_path(&root().join("editors/vim")),
        out = quote_path(&out),
    );
    fs::write(&script, text).unwrap();
    let status = Command::new("vim")
        .args(["-N", "-u", "NONE", "-i", "NONE", "-Es", "-S"])
        .arg(&script)
        .current_dir(dir)
        .status()
        .expect("run vim");
    let lines: Vec<String> = fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("vim (status {status}) wrote no results: {e}"))
        .lines()
        .map(str::to_owned)
        .collect();
    if let Some(err) = lines.iter().find(|l| l.starts_with("ERROR: ")) {
        panic!("vim script failed: {err}");
    }
    lines
}

#[test]
fn filetype_and_ftplugin_settings() {
    if !vim_available() {
        return;
    }
    let dir = scratch("ftplugin");
    fs::write(dir.join("a.weft"), "let x = 1\n").unwrap();
    let out = run_vim(
        &dir,
        "edit a.weft\n\
         for o in ['filetype', 'commentstring', 'shiftwidth', 'expandtab', 'suffixesadd', 'makeprg']\n\
           call add(g:out, o . '=' . eval('&' . o))\n\
         endfor\n\
         call add(g:out, 'syntax=' . b:current_syntax)\n\
         call add(g:out, 'indentexpr=' . &indentexpr)\n\
         execute b:undo_ftplugin\n\
         execute b:undo_indent\n\
         call add(g:out, 'undone=' . &shiftwidth . ' ' . &indentexpr)",
    );
    assert_eq!(
        out,
        [
            "filetype=weft",
            "commentstring=// %s",
            "shiftwidth=4",
            "expandtab=1",
            "suffixesadd=.weft",
            "makeprg=weft check %:S",
            "syntax=weft",
            "indentexpr=GetWeftIndent(v:lnum)",
            "undone=8 ",
        ]
    );
    fs::remove_dir_all(dir).unwrap();
}

/// The files whose indentation the indent script must reproduce: the
/// examples, the standard library, and golden tests of areas written in the
/// house style (blocks indented by 4, no continuation lines).
fn indented_files() -> Vec<PathBuf> {
    let mut dirs = vec![root().join("examples"), root().join("std")];
    for area in [
        "async",
        "classes",
        "functions",
        "statements",
        "lists",
        "maps",
        "strings",
    ] {
        dirs.push(root().join("tests/golden").join(area));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let mut found: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "weft"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

#[test]
fn indent_reproduces_the_repository_code() {
    if !vim_available() {
        return;
    }
    let files = indented_files();
    assert!(files.len() > 100, "only {} files", files.len());
    let dir = scratch("indent");
    let list: Vec<String> = files.iter().map(|f| quote_path(f)).collect();
    // Each line the indent script owns (it answers -1 only inside multi-line
    // strings and comments) loses its indentation; `gg=G` must restore it.
    let body = format!(
        "let g:kept = 0\n\
         let g:total = 0\n\
         for f in [{}]\n\
           execute 'edit ' . fnameescape(f)\n\
           let before = getline(1, '$')\n\
           let owned = filter(range(1, line('$')), 'GetWeftIndent(v:val) != -1')\n\
           let g:kept += line('$') - len(owned)\n\
           let g:total += line('$')\n\
           for l in owned\n\
             call setline(l, substitute(getline(l), '^\\s*', '', ''))\n\
           endfor\n\
           normal! gg=G\n\
           let after = getline(1, '$')\n\
           let bad = filter(range(len(before)), 'before[v:val] !=# after[v:val]')\n\
           if empty(bad)\n\
             call add(g:out, 'ok ' . f)\n\
           else\n\
             let i = bad[0]\n\
             call add(g:out, 'FAIL ' . f . ':' . (i + 1) . ': expected ' . string(before[i]) . ', got ' . string(after[i]))\n\
           endif\n\
           bwipeout!\n\
         endfor\n\
         call add(g:out, 'kept ' . g:kept . ' of ' . g:total)",
        list.join(", ")
    );
    let out = run_vim(&dir, &body);
    let failures: Vec<&String> = out.iter().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failures.is_empty(),
        "re-indenting changed files:\n{failures:#?}"
    );
    let ok = out.iter().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(ok, files.len(), "{out:#?}");
    // Only lines inside multi-line strings and comments keep their indent.
    let kept = out.last().unwrap();
    let nums: Vec<usize> = kept.split(' ').filter_map(|w| w.parse().ok()).collect();
    assert!(
        nums.len() == 2 && nums[0] * 50 < nums[1],
        "the indent script leaves too many lines alone: {kept}"
    );
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn indent_of_new_code() {
    if !vim_available() {
        return;
    }
    let dir = scratch("indent-new");
    // Typed flat; `=` gives each line its depth, brackets in strings and
    // comments aside, and leaves the inside of a multi-line string alone.
    let flat = "class A < B {\nfn f(x) {\nif x { // {\nreturn [\n1,\n\"}\",\n]\n} else {\nreturn g(fn(y) {\nreturn y\n}, {a: 1,\nb: 2})\n}\n}\n}\nlet s = \"one\n  two\"\nprint(s)\nlet t = f(\"a (\n  b\")\nif t {\nprint(t)\n}\n";
    let want = "class A < B {\n    fn f(x) {\n        if x { // {\n            return [\n                1,\n                \"}\",\n            ]\n        } else {\n            return g(fn(y) {\n                return y\n            }, {a: 1,\n                b: 2})\n        }\n    }\n}\nlet s = \"one\n  two\"\nprint(s)\nlet t = f(\"a (\n  b\")\nif t {\n    print(t)\n}\n";
    fs::write(dir.join("new.weft"), flat).unwrap();
    let out = run_vim(
        &dir,
        "edit new.weft\n\
         normal! gg=G\n\
         let g:out = getline(1, '$')",
    );
    assert_eq!(out.join("\n") + "\n", want);
    fs::remove_dir_all(dir).unwrap();
}

/// The syntax group at the `nth` (1-based) occurrence of `text` in `src`, and
/// the groups it is nested in.
#[test]
fn syntax_groups() {
    if !vim_available() {
        return;
    }
    let src = "\
let s = \"a\\tb ${x + \"in\"} c ${ {\"k\": 1}[\"k\"] } d\" /* outer /* inner */ still */ 0xff
g.throw(e) x.in 0..10 2e10 1_000 6.02e-23 r\"C:\\n ${x}\" \"\\q\"
async fn add(a) { return a } // TODO: more
class P < mod.Base { } print(ValueError) foo(nil, true)
for await v in ch { spawn work(v) }
";
    // (text, occurrence, expected group, group it must be nested in)
    let checks: &[(&str, usize, &str, &str)] = &[
        ("let", 1, "weftStorage", ""),
        ("\"a", 1, "weftQuote", "weftString"),
        ("\\t", 1, "weftEscape", "weftString"),
        ("${", 1, "weftInterpolationDelim", "weftString"),
        ("x +", 1, "weftInterpolation", "weftString"),
        ("+", 1, "weftOperator", "weftInterpolation"),
        ("in\"", 1, "weftString", "weftInterpolation"),
        (" c ", 1, "weftString", ""),
        ("k\"", 1, "weftString", "weftInterpolation"),
        ("1}", 1, "weftNumber", "weftInterpolation"),
        (" d", 1, "weftString", ""),
        ("outer", 1, "weftComment", ""),
        ("inner", 1, "weftComment", "weftComment"),
        ("still", 1, "weftComment", ""),
        ("0xff", 1, "weftNumber", ""),
        ("throw", 1, "weftMethod", ""),
        ("in 0", 1, "weftMember", ""),
        ("..", 1, "weftOperator", ""),
        ("10", 1, "weftNumber", ""),
        ("2e10", 1, "weftFloat", ""),
        ("1_000", 1, "weftNumber", ""),
        ("6.02e-23", 1, "weftFloat", ""),
        ("r\"", 1, "weftQuote", "weftRawString"),
        ("\\n", 1, "weftRawString", ""),
        ("${x}", 1, "weftRawString", ""),
        ("\\q", 1, "weftEscapeError", "weftString"),
        ("async", 1, "weftStorageClass", ""),
        ("fn", 1, "weftStorage", ""),
        ("add", 1, "weftFuncName", ""),
        ("return", 1, "weftStatement", ""),
        ("TODO", 1, "weftTodo", "weftLineComment"),
        ("more", 1, "weftLineComment", ""),
        ("class", 1, "weftStorage", ""),
        ("P", 1, "weftClassName", ""),
        ("mod.Base", 1, "weftSuperclass", ""),
        ("print", 1, "weftBuiltin", ""),
        ("ValueError", 1, "weftBuiltinClass", ""),
        ("foo", 1, "weftCall", ""),
        ("nil", 1, "weftNil", ""),
        ("true", 1, "weftBoolean", ""),
        ("for", 1, "weftRepeat", ""),
        ("await", 1, "weftAsync", ""),
        ("in ch", 1, "weftRepeat", ""),
        ("spawn", 1, "weftAsync", ""),
    ];
    let dir = scratch("syntax");
    fs::write(dir.join("s.weft"), src).unwrap();
    let mut positions = Vec::new();
    for &(text, nth, _, _) in checks {
        let at = src
            .match_indices(text)
            .nth(nth - 1)
            .unwrap_or_else(|| panic!("{text:?} not in the sample"))
            .0;
        let line = src[..at].matches('\n').count() + 1;
        let col = at - src[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
        positions.push(format!("[{line}, {col}]"));
    }
    let body = format!(
        "edit s.weft\n\
         for [l, c] in [{}]\n\
           let stack = map(synstack(l, c), 'synIDattr(v:val, \"name\")')\n\
           call add(g:out, synIDattr(synID(l, c, 1), 'name') . ' ' . join(stack, ','))\n\
         endfor",
        positions.join(", ")
    );
    let out = run_vim(&dir, &body);
    assert_eq!(out.len(), checks.len(), "{out:#?}");
    let mut wrong = Vec::new();
    for (&(text, nth, group, outer), got) in checks.iter().zip(&out) {
        let (name, stack) = got.split_once(' ').unwrap_or((got, ""));
        let stack: Vec<&str> = stack.split(',').collect();
        let nested = outer.is_empty() || stack[..stack.len().saturating_sub(1)].contains(&outer);
        if name != group || !nested {
            wrong.push(format!(
                "{text:?} #{nth}: expected {group} inside {outer:?}, got {name} (stack {stack:?})"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "wrong syntax groups:\n{}",
        wrong.join("\n")
    );
    fs::remove_dir_all(dir).unwrap();
}

const BROKEN: &str = "\
let count = 1
fn f() {
    return coutn + 1
}
fn g() { await f() }
";

/// The quickfix list as `file:line:col:type: text` lines.
const QUICKFIX: &str = "for e in getqflist()\n\
   call add(g:out, printf('%s:%d:%d:%s: %s', fnamemodify(bufname(e.bufnr), ':t'), e.lnum, e.col, e.type, e.text))\n\
 endfor";

const EXPECTED_QUICKFIX: [&str; 2] = [
    "broken.weft:3:12:E: undefined name `coutn`",
    "broken.weft:5:10:E: `await` outside an async function",
];

#[test]
fn errorformat_reads_weft_check_reports() {
    if !vim_available() {
        return;
    }
    let dir = scratch("errorformat");
    fs::write(dir.join("broken.weft"), BROKEN).unwrap();
    let check = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["check", "broken.weft"])
        .env("NO_COLOR", "1")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    let report = String::from_utf8(check.stderr).unwrap();
    assert!(report.contains("╭─[ broken.weft:3:12 ]"), "{report}");
    fs::write(dir.join("report.txt"), &report).unwrap();
    let out = run_vim(
        &dir,
        &format!("edit broken.weft\ncgetfile report.txt\n{QUICKFIX}"),
    );
    assert_eq!(out, EXPECTED_QUICKFIX, "from the report:\n{report}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn make_runs_weft_check() {
    if !vim_available() {
        return;
    }
    let dir = scratch("make");
    fs::write(dir.join("broken.weft"), BROKEN).unwrap();
    let body = format!(
        "let g:weft_path = {}\n\
         edit broken.weft\n\
         silent make!\n\
         {QUICKFIX}",
        quote(env!("CARGO_BIN_EXE_weft"))
    );
    let out = run_vim(&dir, &body);
    assert_eq!(out, EXPECTED_QUICKFIX);
    fs::remove_dir_all(dir).unwrap();
}
