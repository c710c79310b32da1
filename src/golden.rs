//! Golden tests: the engine behind both `weft test` and `cargo test --test golden`.
//!
//! A case is a script `NAME.weft` with expectation files beside it:
//! `NAME.out` (stdout), `NAME.err` (stderr, empty when absent) and
//! `NAME.status` (exit status, 0 when absent). Each case runs as a separate
//! `weft` process — from the case's own folder, with the bare file name as
//! argument, stdin closed, `NO_COLOR=1` and a time limit — so a crash, a hang
//! or an `exit(n)` in one case cannot disturb the others, and what is checked
//! is exactly what a user would see.
//!
//! Blessing rewrites the expectation files from an actual run; files whose
//! expectation is "empty" or "0" are deleted rather than written, so a
//! case's folder only holds the files that say something.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use similar::TextDiff;

/// How long a case may run before it is killed, unless overridden by the
/// `WEFT_TEST_TIMEOUT` environment variable (whole seconds).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// One golden test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The script, as found under one of the roots.
    pub path: PathBuf,
    /// Its path relative to the root it was found under, `/`-separated and
    /// without `.weft` (`closures/counter`). Used in reports and filters.
    pub name: String,
}

impl Case {
    fn sibling(&self, ext: &str) -> PathBuf {
        self.path.with_extension(ext)
    }

    /// Whether `NAME.out` exists.
    pub fn has_expectation(&self) -> bool {
        self.sibling("out").is_file()
    }
}

/// Which scripts [`discover`] turns into cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// Only scripts with a sibling `NAME.out` (what `weft test` runs).
    WithExpectation,
    /// Every script except helper modules (file names starting with `_`)
    /// that have no `NAME.out`; a script missing its expectation becomes a
    /// failing case, or is blessed. Used by the cargo runner and by
    /// `weft test --bless`.
    AllScripts,
}

/// The result of running one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Blessing changed or created expectation files.
    Blessed,
    /// A readable report: what was expected, what happened, and diffs.
    Fail(String),
}

/// Settings for running cases.
#[derive(Clone, Debug)]
pub struct Options {
    /// Rewrite expectation files from the actual run instead of comparing.
    pub bless: bool,
    pub timeout: Duration,
}

impl Options {
    /// Options with the timeout from `WEFT_TEST_TIMEOUT` (seconds) or
    /// [`DEFAULT_TIMEOUT`].
    pub fn from_env(bless: bool) -> Options {
        let timeout = std::env::var("WEFT_TEST_TIMEOUT")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .filter(|&s| s > 0)
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT);
        Options { bless, timeout }
    }
}

/// Finds the cases under `roots` (folders searched recursively, or single
/// `.weft` files), sorted by name within each root, without duplicates.
/// A root that does not exist, or a file that is not a `.weft` script (such
/// as a case's `.out`), is an error.
pub fn discover(roots: &[PathBuf], select: Select) -> io::Result<Vec<Case>> {
    let mut cases: Vec<Case> = Vec::new();
    for root in roots {
        let meta = fs::metadata(root).map_err(|e| with_path(e, root))?;
        let mut found = Vec::new();
        if meta.is_dir() {
            walk(root, root, select, &mut found)?;
        } else {
            if root.extension() != Some(OsStr::new("weft")) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "`{}` is not a .weft script: `weft test` runs NAME.weft files \
                         (give the script or a folder of them)",
                        root.display()
                    ),
                ));
            }
            // A file named explicitly is a case even without an expectation
            // (it then fails, or is blessed).
            let name = root.with_extension("").to_string_lossy().replace('\\', "/");
            found.push(Case {
                path: root.clone(),
                name,
            });
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        for case in found {
            if !cases.iter().any(|c| same_file(&c.path, &case.path)) {
                cases.push(case);
            }
        }
    }
    Ok(cases)
}

fn walk(root: &Path, dir: &Path, select: Select, found: &mut Vec<Case>) -> io::Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| with_path(e, dir))?;
    for entry in entries {
        let entry = entry.map_err(|e| with_path(e, dir))?;
        let path = entry.path();
        // `file_type` does not follow symlinks, so a link cycle cannot make
        // discovery loop; linked files are still followed by `is_file`.
        let ty = entry.file_type()?;
        if ty.is_dir() {
            walk(root, &path, select, found)?;
            continue;
        }
        if path.extension() != Some(OsStr::new("weft")) || !path.is_file() {
            continue;
        }
        let helper = entry.file_name().to_string_lossy().starts_with('_');
        let wanted =
            path.with_extension("out").is_file() || (select == Select::AllScripts && !helper);
        if !wanted {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path).with_extension("");
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        found.push(Case { path, name });
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("cannot read `{}`: {}", path.display(), e))
}

/// How a case's process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    Status(i32),
    /// Killed by a signal (Unix), e.g. a crash.
    Signal(i32),
    TimedOut,
}

impl std::fmt::Display for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ending::Status(n) => write!(f, "{n}"),
            Ending::Signal(n) => write!(f, "killed by signal {n}"),
            Ending::TimedOut => write!(f, "timed out"),
        }
    }
}

/// What one run of a case produced.
struct Actual {
    stdout: String,
    stderr: String,
    ending: Ending,
}

/// Runs one case with the `weft` executable `exe` and compares (or, when
/// blessing, records) its output.
pub fn run_case(exe: &Path, case: &Case, options: &Options) -> Outcome {
    let actual = match execute(exe, case, options.timeout) {
        Ok(actual) => actual,
        Err(e) => {
            return Outcome::Fail(format!(
                "cannot run `{}` on `{}`: {e}\n",
                exe.display(),
                case.path.display()
            ))
        }
    };
    if options.bless {
        bless(case, &actual)
    } else {
        compare(case, &actual)
    }
}

fn execute(exe: &Path, case: &Case, timeout: Duration) -> io::Result<Actual> {
    let dir = match case.path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file = case
        .path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file"))?;
    let mut child = Command::new(exe)
        .arg(file)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;

    // Both pipes are drained on their own threads so that a case writing a
    // lot to one stream cannot block on a full pipe while we wait.
    let stdout = Drain::start(child.stdout.take());
    let stderr = Drain::start(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let ending = wait_until(&mut child, deadline)?;
    // A process the case started may still hold the pipes open after the
    // case itself ended; its output is not waited for past the deadline
    // (plus a moment, for a case killed at the deadline).
    let limit = deadline.max(Instant::now()) + Duration::from_millis(500);
    Ok(Actual {
        stdout: stdout.finish(limit),
        stderr: stderr.finish(limit),
        ending,
    })
}

/// Reads one pipe to its end on a thread of its own.
struct Drain {
    buf: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

impl Drain {
    fn start(pipe: Option<impl Read + Send + 'static>) -> Drain {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let (tx, done) = mpsc::channel();
        let sink = Arc::clone(&buf);
        thread::spawn(move || {
            if let Some(mut pipe) = pipe {
                let mut chunk = [0u8; 8192];
                loop {
                    match pipe.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => {
                            if let Ok(mut buf) = sink.lock() {
                                buf.extend_from_slice(&chunk[..n]);
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            }
            let _ = tx.send(());
        });
        Drain { buf, done }
    }

    /// What was read by the end of the stream, or by `limit` at the latest.
    fn finish(self, limit: Instant) -> String {
        let _ = self
            .done
            .recv_timeout(limit.saturating_duration_since(Instant::now()));
        let bytes = match self.buf.lock() {
            Ok(buf) => buf.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

fn wait_until(child: &mut Child, deadline: Instant) -> io::Result<Ending> {
    // Poll with a growing interval: quick cases finish within the first few
    // milliseconds, slow ones cost little CPU while we wait.
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(ending_of(status));
        }
        let now = Instant::now();
        if now >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Ending::TimedOut);
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

fn ending_of(status: std::process::ExitStatus) -> Ending {
    if let Some(code) = status.code() {
        return Ending::Status(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return Ending::Signal(sig);
        }
    }
    Ending::Status(-1)
}

/// Reads an optional expectation file: `None` when it does not exist.
fn read_optional(path: &Path) -> io::Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(with_path(e, path)),
    }
}

fn compare(case: &Case, actual: &Actual) -> Outcome {
    let mut report = String::new();
    let expected = (|| -> io::Result<_> {
        let out = read_optional(&case.sibling("out"))?;
        let err = read_optional(&case.sibling("err"))?.unwrap_or_default();
        let status = read_optional(&case.sibling("status"))?;
        Ok((out, err, status))
    })();
    let (out, err, status) = match expected {
        Ok(e) => e,
        Err(e) => return Outcome::Fail(format!("{e}\n")),
    };
    let missing = out.is_none();
    if missing {
        let _ = writeln!(
            report,
            "missing expectation `{}`; run with WEFT_BLESS=1 (cargo test) or `weft test --bless` to create it",
            case.sibling("out").display()
        );
    }
    let status = match status.as_deref().map(str::trim) {
        None => 0,
        Some(text) => match text.parse::<i32>() {
            Ok(n) => n,
            Err(_) => {
                return Outcome::Fail(format!(
                    "`{}` should hold an exit status, found {text:?}\n",
                    case.sibling("status").display()
                ))
            }
        },
    };
    let out = out.unwrap_or_default();
    push_diff(&mut report, "stdout", &out, &actual.stdout);
    push_diff(&mut report, "stderr", &err, &actual.stderr);
    if actual.ending != Ending::Status(status) {
        let _ = writeln!(report, "status: expected {status}, got {}", actual.ending);
    }
    if report.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(report)
    }
}

fn push_diff(report: &mut String, stream: &str, expected: &str, actual: &str) {
    if expected == actual {
        return;
    }
    let diff = TextDiff::from_lines(expected, actual);
    let _ = write!(
        report,
        "{}",
        diff.unified_diff().context_radius(3).header(
            &format!("{stream} (expected)"),
            &format!("{stream} (actual)")
        )
    );
    if !report.ends_with('\n') {
        report.push('\n');
    }
}

fn bless(case: &Case, actual: &Actual) -> Outcome {
    let status = match actual.ending {
        Ending::Status(n) => n,
        other => {
            return Outcome::Fail(format!(
                "cannot bless: the run {}\n",
                match other {
                    Ending::TimedOut => "timed out".to_string(),
                    other => format!("was {other}"),
                }
            ))
        }
    };
    let status_text = (status != 0).then(|| format!("{status}\n"));
    let stderr_text = (!actual.stderr.is_empty()).then(|| actual.stderr.clone());
    let writes = [
        (case.sibling("out"), Some(actual.stdout.clone())),
        (case.sibling("err"), stderr_text),
        (case.sibling("status"), status_text),
    ];
    let mut changed = false;
    for (path, wanted) in writes {
        match update_file(&path, wanted.as_deref()) {
            Ok(c) => changed |= c,
            Err(e) => return Outcome::Fail(format!("cannot bless `{}`: {e}\n", path.display())),
        }
    }
    if changed {
        Outcome::Blessed
    } else {
        Outcome::Pass
    }
}

/// Makes `path` hold `content`, or not exist when `content` is `None`;
/// returns whether anything changed.
fn update_file(path: &Path, content: Option<&str>) -> io::Result<bool> {
    let current = match fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    match (current, content) {
        (None, None) => Ok(false),
        (Some(_), None) => fs::remove_file(path).map(|_| true),
        (Some(cur), Some(new)) if cur == new.as_bytes() => Ok(false),
        (_, Some(new)) => fs::write(path, new).map(|_| true),
    }
}

/// Totals of a suite run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases that matched, including blessed ones.
    pub passed: usize,
    pub failed: usize,
}

/// Runs `cases` in parallel and writes, in case order, `FAIL name` plus the
/// report for each failure (and `blessed name` for each rewritten case),
/// then `N passed, N failed`.
pub fn run_suite(
    exe: &Path,
    cases: &[Case],
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let workers = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(cases.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
    let mut summary = Summary::default();

    thread::scope(|scope| -> io::Result<()> {
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                if tx.send((i, run_case(exe, case, options))).is_err() {
                    break;
                }
            });
        }
        drop(tx);

        // Results arrive in completion order; hold them back until every
        // earlier case has been printed so the output is stable.
        let mut pending: Vec<Option<Outcome>> = vec![None; cases.len()];
        let mut printed = 0;
        for (i, outcome) in rx {
            pending[i] = Some(outcome);
            while let Some(outcome) = pending.get_mut(printed).and_then(Option::take) {
                let name = &cases[printed].name;
                match outcome {
                    Outcome::Pass => summary.passed += 1,
                    Outcome::Blessed => {
                        summary.passed += 1;
                        writeln!(out, "blessed {name}")?;
                    }
                    Outcome::Fail(report) => {
                        summary.failed += 1;
                        writeln!(out, "FAIL {name}")?;
                        write!(out, "{report}")?;
                    }
                }
                out.flush()?;
                printed += 1;
            }
        }
        Ok(())
    })?;

    writeln!(out, "{} passed, {} failed", summary.passed, summary.failed)?;
    Ok(summary)
}

/// `weft test`: discovers cases under `roots` (default `tests/`), runs them
/// with `exe` and prints the results to stdout; returns the exit status
/// (0 when everything passed, 1 when a case failed, 64 for a bad path).
pub fn run_command(exe: &Path, roots: &[PathBuf], bless: bool) -> i32 {
    let default_roots = [PathBuf::from("tests")];
    let roots = if roots.is_empty() {
        &default_roots[..]
    } else {
        roots
    };
    // Blessing also picks up new scripts that have no `.out` yet.
    let select = if bless {
        Select::AllScripts
    } else {
        Select::WithExpectation
    };
    let cases = match discover(roots, select) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("error: {e}");
            return crate::exit::USAGE;
        }
    };
    // Paths that hold no test are a usage error, like paths that do not
    // exist: a suite that silently runs nothing would pass.
    if cases.is_empty() {
        let places: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
        eprintln!("error: no tests found in {}", places.join(", "));
        eprintln!(
            "help: a test is a NAME.weft script with a sibling NAME.out; \
             `weft test --bless PATH` creates the missing NAME.out files"
        );
        return crate::exit::USAGE;
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match run_suite(exe, &cases, &Options::from_env(bless), &mut out) {
        Ok(summary) if summary.failed == 0 => crate::exit::OK,
        Ok(_) => 1,
        // The reader went away (`weft test | head`): nothing left to say.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 1,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let dir =
                std::env::temp_dir().join(format!("weft-golden-unit-{}-{tag}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
        fn file(&self, rel: &str, text: &str) {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn names(cases: &[Case]) -> Vec<&str> {
        cases.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn discovery_is_recursive_sorted_and_selective() {
        let t = TempDir::new("discover");
        t.file("b.weft", "");
        t.file("b.out", "");
        t.file("a/z.weft", "");
        t.file("a/z.out", "");
        t.file("a/new.weft", "");
        t.file("a/_helper.weft", "");
        t.file("notes.txt", "");
        let roots = [t.0.clone()];
        let with = discover(&roots, Select::WithExpectation).unwrap();
        assert_eq!(names(&with), ["a/z", "b"]);
        let all = discover(&roots, Select::AllScripts).unwrap();
        assert_eq!(names(&all), ["a/new", "a/z", "b"]);
        assert!(!all[0].has_expectation());
        // Overlapping roots do not duplicate cases.
        let twice = discover(&[t.0.clone(), t.0.join("a")], Select::WithExpectation).unwrap();
        assert_eq!(names(&twice), ["a/z", "b"]);
        assert!(discover(&[t.0.join("nope")], Select::AllScripts).is_err());
    }

    fn actual(stdout: &str, stderr: &str, ending: Ending) -> Actual {
        Actual {
            stdout: stdout.into(),
            stderr: stderr.into(),
            ending,
        }
    }

    #[test]
    fn compare_reports_diffs_and_status() {
        let t = TempDir::new("compare");
        t.file("c.weft", "");
        t.file("c.out", "1\n2\n");
        t.file("c.status", " 1\n");
        let case = Case {
            path: t.0.join("c.weft"),
            name: "c".into(),
        };
        assert_eq!(
            compare(&case, &actual("1\n2\n", "", Ending::Status(1))),
            Outcome::Pass
        );
        let Outcome::Fail(report) = compare(&case, &actual("1\n3\n", "oops\n", Ending::TimedOut))
        else {
            panic!("expected a failure")
        };
        assert!(report.contains("--- stdout (expected)"), "{report}");
        assert!(report.contains("-2\n+3\n"), "{report}");
        assert!(report.contains("+++ stderr (actual)"), "{report}");
        assert!(report.contains("+oops"), "{report}");
        assert!(
            report.contains("status: expected 1, got timed out"),
            "{report}"
        );
    }

    #[test]
    fn missing_expectation_fails_and_bless_creates_then_prunes() {
        let t = TempDir::new("bless");
        t.file("m.weft", "");
        let case = Case {
            path: t.0.join("m.weft"),
            name: "m".into(),
        };
        let Outcome::Fail(report) = compare(&case, &actual("", "", Ending::Status(0))) else {
            panic!("a missing .out must fail")
        };
        assert!(report.contains("missing expectation"), "{report}");

        let run = actual("hi\n", "boom\n", Ending::Status(3));
        assert_eq!(bless(&case, &run), Outcome::Blessed);
        assert_eq!(fs::read_to_string(t.0.join("m.out")).unwrap(), "hi\n");
        assert_eq!(fs::read_to_string(t.0.join("m.err")).unwrap(), "boom\n");
        assert_eq!(fs::read_to_string(t.0.join("m.status")).unwrap(), "3\n");
        assert_eq!(compare(&case, &run), Outcome::Pass);
        assert_eq!(bless(&case, &run), Outcome::Pass);

        let quiet = actual("", "", Ending::Status(0));
        assert_eq!(bless(&case, &quiet), Outcome::Blessed);
        assert_eq!(fs::read_to_string(t.0.join("m.out")).unwrap(), "");
        assert!(!t.0.join("m.err").exists());
        assert!(!t.0.join("m.status").exists());

        assert!(matches!(
            bless(&case, &actual("", "", Ending::TimedOut)),
            Outcome::Fail(_)
        ));
    }

    // `sh` stands in for `weft`: it runs the case file as a shell script.
    #[cfg(unix)]
    #[test]
    fn cases_run_from_their_folder_and_time_out() {
        let t = TempDir::new("exec");
        t.file("d/ok.weft", "pwd; echo \"$1$NO_COLOR\" >&2; exit 3\n");
        t.file("d/hang.weft", "sleep 5\n");
        let sh = Path::new("/bin/sh");
        let quick = Options {
            bless: false,
            timeout: Duration::from_millis(200),
        };
        let ok = Case {
            path: t.0.join("d/ok.weft"),
            name: "d/ok".into(),
        };
        let run = execute(sh, &ok, quick.timeout).unwrap();
        let here = fs::canonicalize(t.0.join("d")).unwrap();
        assert_eq!(run.stdout.trim_end(), here.to_string_lossy());
        assert_eq!(run.stderr, "1\n");
        assert_eq!(run.ending, Ending::Status(3));

        let hang = Case {
            path: t.0.join("d/hang.weft"),
            name: "d/hang".into(),
        };
        let start = Instant::now();
        let Outcome::Fail(report) = run_case(sh, &hang, &quick) else {
            panic!("a hanging case must fail")
        };
        assert!(report.contains("got timed out"), "{report}");
        assert!(start.elapsed() < Duration::from_secs(4));
    }

    #[test]
    fn bad_status_file_is_reported() {
        let t = TempDir::new("status");
        t.file("s.weft", "");
        t.file("s.out", "");
        t.file("s.status", "one");
        let case = Case {
            path: t.0.join("s.weft"),
            name: "s".into(),
        };
        let Outcome::Fail(report) = compare(&case, &actual("", "", Ending::Status(0))) else {
            panic!()
        };
        assert!(report.contains("exit status"), "{report}");
    }
}
