//! The tree-sitter grammar in `editors/tree-sitter-weft`, checked with the
//! `tree-sitter` CLI: its corpus, query and highlight tests pass, and every
//! `.weft` file of the repository that Weft's own lexer and parser accept
//! (under `examples/`, `tests/golden/`, `std/`, `benches/` and the grammar's
//! own `test/valid/`) parses with no
//! ERROR or MISSING node, into the same statements as Weft's parser makes.
//! So does every one of a few thousand random sentences of
//! grammar/weft.ebnf (tests/support/sentences.rs) that Weft's parser
//! accepts, laid out with comments, blank lines, touching tokens, nested
//! strings and blocks; they are written under `CARGO_TARGET_TMPDIR`.
//!
//! The grammar is copied to `CARGO_TARGET_TMPDIR` and generated and compiled
//! there, so the repository stays clean; the generated files committed
//! beside the grammar must equal the fresh ones. A file is copied only when its
//! contents changed, and the parser is regenerated only when `grammar.js`
//! changed, so the CLI's compiled parser (kept in the same directory) is
//! reused between runs. Without the CLI the test prints `skipped: ...` and
//! passes.

#[path = "support/ebnf.rs"]
#[allow(dead_code)]
mod ebnf;
#[path = "support/sentences.rs"]
#[allow(dead_code)]
mod sentences;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use weft::ast::{Stmt, StmtKind};

const GRAMMAR_DIR: &str = "editors/tree-sitter-weft";

/// The folders whose `.weft` files must all parse.
const SOURCE_DIRS: [&str; 5] = [
    "examples",
    "tests/golden",
    "std",
    "benches",
    "editors/tree-sitter-weft/test",
];

/// The `tree-sitter` executable: on PATH, or where `cargo install` puts it.
fn tree_sitter_cli() -> Option<PathBuf> {
    if on_path("tree-sitter") {
        return Some(PathBuf::from("tree-sitter"));
    }
    let home = std::env::var_os("HOME")?;
    let candidate = Path::new(&home).join(".cargo/bin/tree-sitter");
    candidate.is_file().then_some(candidate)
}

/// Whether `program` is an executable on PATH.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Every file under `dir`, recursively, in a stable order.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Writes `contents` to `path` unless it already holds exactly that, so that
/// an unchanged file keeps its modification time. Returns whether it wrote.
fn write_if_changed(path: &Path, contents: &[u8]) -> bool {
    if fs::read(path).is_ok_and(|old| old == contents) {
        return false;
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, contents).unwrap();
    true
}

/// Mirrors the grammar's sources into `work`; returns whether `grammar.js`
/// changed (the parser must then be regenerated).
fn mirror_grammar(grammar: &Path, work: &Path) -> bool {
    // The corpus and queries are mirrored whole, so that a deleted test
    // file does not linger in the copy.
    for sub in ["test", "queries"] {
        let _ = fs::remove_dir_all(work.join(sub));
    }
    let mut grammar_changed = false;
    for file in [
        "grammar.js",
        "tree-sitter.json",
        "package.json",
        "src/scanner.c",
    ] {
        let changed = write_if_changed(&work.join(file), &fs::read(grammar.join(file)).unwrap());
        grammar_changed |= changed && file == "grammar.js";
    }
    for sub in ["test", "queries"] {
        for path in files_under(&grammar.join(sub)) {
            let relative = path.strip_prefix(grammar).unwrap();
            write_if_changed(&work.join(relative), &fs::read(&path).unwrap());
        }
    }
    grammar_changed || !work.join("src/parser.c").is_file()
}

/// Runs the CLI in `work` with its compiled parsers and configuration kept
/// there too (nothing is read from or written to the user's own setup).
fn run(cli: &Path, work: &Path, args: &[&str]) -> Output {
    let output = Command::new(cli)
        .args(args)
        .current_dir(work)
        .env("TREE_SITTER_LIBDIR", work.join("lib"))
        .env("XDG_CONFIG_HOME", work.join("config"))
        .env("XDG_CACHE_HOME", work.join("cache"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli.display()));
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A position as tree-sitter prints it: row and byte column, from 0.
type Pos = (usize, usize);

/// Files to parse, each with the statements Weft's parser finds in it.
type Expected = Vec<(PathBuf, Vec<(Pos, Pos)>)>;

/// Where Weft's parser puts every statement of `src` that is not inside an
/// expression (lambda bodies are left out), or `None` when Weft's lexer or
/// parser rejects `src`.
fn weft_statements(src: &str) -> Option<Vec<(Pos, Pos)>> {
    let (tokens, lex_errors) = weft::lexer::lex(src);
    let (module, parse_errors) = weft::parser::parse(&tokens, src.len());
    if !lex_errors.is_empty() || !parse_errors.is_empty() {
        return None;
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let pos = |offset: u32| -> Pos {
        let offset = offset as usize;
        let row = line_starts.partition_point(|&start| start <= offset) - 1;
        (row, offset - line_starts[row])
    };
    let mut spans = Vec::new();
    let module = module?;
    let mut pending: Vec<&Stmt> = module.body.iter().collect();
    while let Some(stmt) = pending.pop() {
        spans.push((pos(stmt.span.start), pos(stmt.span.end)));
        match &stmt.kind {
            StmtKind::If {
                then_block,
                else_block,
                ..
            } => {
                pending.extend(&then_block.stmts);
                if let Some(block) = else_block {
                    pending.extend(&block.stmts);
                }
            }
            StmtKind::While { body, .. } | StmtKind::For { body, .. } => {
                pending.extend(&body.stmts);
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                pending.extend(&body.stmts);
                if let Some(catch) = catch {
                    pending.extend(&catch.body.stmts);
                }
                if let Some(block) = finally {
                    pending.extend(&block.stmts);
                }
            }
            StmtKind::Fn(decl) => pending.extend(&decl.body),
            StmtKind::Class(class) => {
                for method in &class.methods {
                    pending.extend(&method.body);
                }
            }
            _ => {}
        }
    }
    spans.sort();
    Some(spans)
}

/// The node kinds of `grammar.js` that are statements.
const STATEMENT_KINDS: [&str; 14] = [
    "let_declaration",
    "if_statement",
    "while_statement",
    "for_statement",
    "return_statement",
    "throw_statement",
    "break_statement",
    "continue_statement",
    "try_statement",
    "function_declaration",
    "class_declaration",
    "import_statement",
    "assignment_statement",
    "expression_statement",
];

/// The statements outside lambdas in one tree as `tree-sitter parse` prints
/// it: one node a line, indented two spaces a level, such as
/// `    value: (integer [0, 8] - [0, 9])`.
fn tree_sitter_statements(tree: &str) -> Vec<(Pos, Pos)> {
    let mut spans = Vec::new();
    // The kinds of the nodes enclosing the current line, outermost first.
    let mut ancestors: Vec<&str> = Vec::new();
    for line in tree.lines() {
        let node = line.trim_start();
        let depth = (line.len() - node.len()) / 2;
        let node = node.split_once(": (").map_or(node, |(_, rest)| rest);
        let node = node.trim_start_matches('(');
        let Some((kind, range)) = node.split_once(" [") else {
            continue;
        };
        ancestors.truncate(depth);
        let in_lambda = ancestors.contains(&"lambda");
        ancestors.push(kind);
        if in_lambda || !STATEMENT_KINDS.contains(&kind) {
            continue;
        }
        let numbers: Vec<usize> = range
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .filter_map(|n| n.parse().ok())
            .collect();
        if let [r1, c1, r2, c2, ..] = numbers[..] {
            spans.push(((r1, c1), (r2, c2)));
        }
    }
    spans.sort();
    spans
}

/// `tree-sitter test`: the corpus, the queries and the highlight tests.
/// Returns how many tests passed.
fn grammar_tests(cli: &Path, work: &Path, config: &str) -> usize {
    let out = run(cli, work, &["test", "--config-path", config]);
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "tree-sitter test failed:\n{report}");
    // A corpus that went missing would make `tree-sitter test` pass trivially.
    let passed = report.matches('✓').count();
    assert!(
        passed >= 40,
        "only {passed} tree-sitter tests ran:\n{report}"
    );
    passed
}

/// Every `.weft` file under [`SOURCE_DIRS`] that Weft's parser accepts,
/// with its statements.
fn valid_files(root: &Path) -> Vec<(PathBuf, Vec<(Pos, Pos)>)> {
    let mut valid = Vec::new();
    for dir in SOURCE_DIRS {
        for path in files_under(&root.join(dir)) {
            if path.extension().is_some_and(|e| e == "weft") {
                let src = fs::read_to_string(&path).unwrap();
                if let Some(statements) = weft_statements(&src) {
                    valid.push((path, statements));
                }
            }
        }
    }
    valid
}

/// Parses all `files` with one CLI run: none may hold an ERROR or MISSING
/// node, and each must have the statements Weft's parser found.
fn parse_all(
    cli: &Path,
    work: &Path,
    config: &str,
    root: &Path,
    files: &[(PathBuf, Vec<(Pos, Pos)>)],
) {
    let list: String = files
        .iter()
        .map(|(p, _)| format!("{}\n", p.display()))
        .collect();
    let paths = work.join("valid-files.txt");
    fs::write(&paths, list).unwrap();
    let out = run(
        cli,
        work,
        &[
            "parse",
            "--config-path",
            config,
            "--paths",
            paths.to_str().unwrap(),
        ],
    );
    // After each file's tree, a file with an error gets one more line naming
    // the first ERROR or MISSING node and its position.
    let stdout = text(&out.stdout);
    let failures: Vec<&str> = stdout.lines().filter(|l| l.contains("\tParse: ")).collect();
    let failed_paths = failures.iter().filter_map(|l| l.split('\t').next());
    assert!(
        out.status.success() && failures.is_empty(),
        "{} of {} valid Weft files do not parse with tree-sitter:\n{}\n{}{}",
        failures.len(),
        files.len(),
        failures[..failures.len().min(30)].join("\n"),
        text(&out.stderr),
        shortest(failed_paths.map(|p| Path::new(p.trim())))
    );

    // Statements end where Weft's parser ends them: the same statements
    // (outside lambdas), at the same places, in every file.
    let trees: Vec<&str> = stdout.split("(source_file ").skip(1).collect();
    assert_eq!(trees.len(), files.len(), "one tree per file expected");
    let mut mismatches = Vec::new();
    for ((path, expected), tree) in files.iter().zip(&trees) {
        let actual = tree_sitter_statements(tree);
        if actual != *expected {
            let first = expected
                .iter()
                .zip(&actual)
                .find(|(e, a)| e != a)
                .map_or_else(
                    || {
                        format!(
                            "{} statements, tree-sitter has {}",
                            expected.len(),
                            actual.len()
                        )
                    },
                    |(e, a)| format!("Weft has a statement at {e:?}, tree-sitter at {a:?}"),
                );
            let shown = path.strip_prefix(root).unwrap_or(path);
            mismatches.push((path, format!("{}: {first}", shown.display())));
        }
    }
    let shown: Vec<&str> = mismatches
        .iter()
        .take(30)
        .map(|(_, m)| m.as_str())
        .collect();
    assert!(
        mismatches.is_empty(),
        "tree-sitter splits statements differently from Weft in {} files \
         (positions are [row, column] from 0):\n{}{}",
        mismatches.len(),
        shown.join("\n"),
        shortest(mismatches.iter().map(|(p, _)| p.as_path()))
    );
}

/// The shortest of the files at `paths`, to show with a failure.
fn shortest<'p>(paths: impl Iterator<Item = &'p Path>) -> String {
    let contents = paths.filter_map(|p| Some((p, fs::read_to_string(p).ok()?)));
    contents
        .min_by_key(|(_, src)| src.len())
        .map_or_else(String::new, |(path, src)| {
            format!("\nthe shortest, {}:\n---\n{src}\n---", path.display())
        })
}

/// How many random sentences of grammar/weft.ebnf are parsed, and the seed
/// they are made from.
const GENERATED: usize = 2500;
const GENERATED_SEED: u64 = 0x0007_EE51_771E_5EED;

/// Writes the generated sentences under `work/generated`; returns those
/// Weft's parser accepts, with their statements, and how many it rejects.
fn generated_files(root: &Path, work: &Path) -> (Expected, usize) {
    let src = fs::read_to_string(root.join("grammar/weft.ebnf")).unwrap();
    let grammar = ebnf::Grammar::parse(&src).unwrap();
    let dir = work.join("generated");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let mut valid = Vec::new();
    let mut rejected = 0;
    for (i, src) in sentences::editor_sources(&grammar, GENERATED, GENERATED_SEED)
        .into_iter()
        .enumerate()
    {
        let Some(statements) = weft_statements(&src) else {
            rejected += 1;
            continue;
        };
        let path = dir.join(format!("{i:04}.weft"));
        fs::write(&path, src).unwrap();
        valid.push((path, statements));
    }
    (valid, rejected)
}

/// One test, so that nothing else works on the generated parser meanwhile.
#[test]
fn tree_sitter_grammar() {
    let Some(cli) = tree_sitter_cli() else {
        eprintln!(
            "skipped: tree-sitter CLI not installed (cargo install --locked tree-sitter-cli)"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tree-sitter-weft");
    fs::create_dir_all(&work).unwrap();
    // An empty list of parser directories: only the grammar in `work` is
    // known to the CLI.
    let config = work.join("config.json");
    write_if_changed(&config, br#"{"parser-directories": []}"#);
    let config = config.to_str().unwrap();

    // `grammar.js` is evaluated by Node, or by the CLI's own JavaScript
    // engine when Node is missing. ABI 14 is what the committed parser is
    // generated for: every tree-sitter from 0.20 on, and Neovim 0.9 on, load
    // it.
    let runtime = if on_path("node") { "node" } else { "native" };
    let args = ["generate", "--abi", "14", "--js-runtime", runtime];
    let args_changed = write_if_changed(&work.join("generate.args"), args.join(" ").as_bytes());
    if mirror_grammar(&root.join(GRAMMAR_DIR), &work) || args_changed {
        let out = run(&cli, &work, &args);
        assert!(
            out.status.success(),
            "tree-sitter generate failed:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    // The generated parser is committed, so that editors and `tree-sitter
    // test` work without generating: it must be what grammar.js generates.
    for file in ["src/parser.c", "src/grammar.json", "src/node-types.json"] {
        let committed = fs::read(root.join(GRAMMAR_DIR).join(file)).unwrap_or_default();
        let fresh = fs::read(work.join(file)).unwrap();
        assert!(
            committed == fresh,
            "{GRAMMAR_DIR}/{file} is not what grammar.js generates: run `tree-sitter generate \
             --abi 14` (tree-sitter-cli 0.27.1) in {GRAMMAR_DIR} and commit the result"
        );
    }
    let passed = grammar_tests(&cli, &work, config);

    let valid = valid_files(root);
    assert!(
        valid.len() > 100,
        "only {} valid .weft files found",
        valid.len()
    );
    parse_all(&cli, &work, config, root, &valid);

    let (generated, rejected) = generated_files(root, &work);
    // The generator makes sentences of the grammar, which Weft accepts
    // (tests/grammar.rs); a few may fail only for the nesting limits.
    assert!(
        rejected * 20 < GENERATED,
        "Weft's parser rejects {rejected} of {GENERATED} generated sentences"
    );
    parse_all(&cli, &work, config, &work, &generated);
    eprintln!(
        "tree-sitter: {passed} grammar tests passed; {} valid Weft files and {} generated \
         sentences ({rejected} more rejected by Weft) parse, with the same statements as \
         Weft's parser",
        valid.len(),
        generated.len()
    );
}
