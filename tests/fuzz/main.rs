//! A mutation fuzzer for the `weft` executable, runnable on stable Rust:
//! `cargo test --test fuzz` (a short run, for CI) or
//! `WEFT_FUZZ_SECS=3600 cargo test --release --test fuzz` (the long run that
//! docs/FUZZING.md describes).
//!
//! Inputs: every `.weft` file under `tests/golden`, `examples`, `benches` and
//! `std` is a seed, except programs that import `fs`, `process`, `io` or
//! `http` (a mutant must not write files, run commands or reach for other
//! hosts, and a server would only run into the time limit). Each trial takes one seed, applies a few mutations of the
//! kinds a mutational fuzzer makes (deleted, duplicated and inserted tokens,
//! keywords and brackets, lines spliced from other seeds, fragments repeated
//! into deep nesting or huge counts, numbers swapped for extremes, bytes that
//! are not UTF-8) and runs `weft FILE` (sometimes `weft check` or `weft
//! disasm`) as a subprocess under a 2 GB address-space cap and a 5 s wall
//! limit, with stdin and stdout on /dev/null.
//!
//! A finding is a run that panicked (`panicked at` on stderr, or status 101),
//! died by a signal (an abort on a failed allocation or a stack overflow
//! included), or hung in the front end or the error reporter (where gdb,
//! when present, finds the main thread at the limit; otherwise when `weft
//! check` of the same program passes the limit too). A run that passes the
//! limit at run time, when its seed does not, is reported as a timeout; it
//! fails the test only with `WEFT_FUZZ_STRICT=1`, because a mutated loop
//! bound is a legitimately endless program. An exit status outside
//! LANGUAGE.md §11's set in a program that never mentions `exit` is reported
//! and never fails the test.
//!
//! Findings are grouped by kind and place (a panic's `file:line`, the module
//! a hang was in); each group is shrunk (lines, bracketed blocks, then
//! tokens, deleted while the same finding persists) and written to
//! `WEFT_FUZZ_OUT` (default `target/fuzz-findings/`) with its stderr and a
//! few raw samples. The trial fails listing the groups. Settings, all
//! optional: `WEFT_FUZZ_SECS` (default 20), `WEFT_FUZZ_SEED` (default fixed;
//! printed), `WEFT_FUZZ_JOBS` (default: the number of CPUs),
//! `WEFT_FUZZ_TIMEOUT_MS` (5000), `WEFT_FUZZ_MEM_MB` (2048),
//! `WEFT_FUZZ_SHRINK_SECS` (per group, 15), `WEFT_FUZZ_STRICT`,
//! `WEFT_FUZZ_GDB` (0 turns stack sampling off). `WEFT_FUZZ_SHRINK_FILE=path`
//! skips fuzzing: it classifies that one program, shrinks it and writes
//! `path.min.weft`.
//!
//! This file holds the settings, the seeds, the workers and the report;
//! `mutate.rs` the mutations, `run.rs` running and classifying one program,
//! `shrink.rs` the shrinker.

mod mutate;
mod run;
mod shrink;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};

use mutate::{dictionary, Mutator, Rng};
use run::{panic_message, signal_name, End, Exec, Kind, Mode, Runner};
use shrink::shrink;

/// Raw samples kept per finding group, besides the shrunk repro.
const SAMPLES_PER_GROUP: usize = 6;

fn main() {
    let args = Arguments::from_args();
    let trial = Trial::test("mutation_fuzz", || fuzz(Settings::from_env()));
    libtest_mimic::run(&args, vec![trial]).exit();
}

// ---------------------------------------------------------------------------
// Settings

#[derive(Clone, Debug)]
struct Settings {
    exe: PathBuf,
    root: PathBuf,
    secs: u64,
    seed: u64,
    jobs: usize,
    limits: Limits,
    shrink_secs: u64,
    out: PathBuf,
    strict: bool,
    shrink_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug)]
struct Limits {
    timeout: Duration,
    mem_bytes: u64,
    /// Whether `gdb` can sample the stack of a program that hangs.
    gdb: bool,
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={v:?} is not a number"),
    }
}

impl Settings {
    fn from_env() -> Settings {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let jobs = env_u64("WEFT_FUZZ_JOBS").map_or_else(
            || thread::available_parallelism().map_or(1, |n| n.get()),
            |n| n.max(1) as usize,
        );
        let out = std::env::var_os("WEFT_FUZZ_OUT")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/fuzz-findings"));
        Settings {
            exe: PathBuf::from(env!("CARGO_BIN_EXE_weft")),
            secs: env_u64("WEFT_FUZZ_SECS").unwrap_or(20),
            seed: env_u64("WEFT_FUZZ_SEED").unwrap_or(0x5eed_f022),
            jobs,
            limits: Limits {
                timeout: Duration::from_millis(env_u64("WEFT_FUZZ_TIMEOUT_MS").unwrap_or(5000)),
                mem_bytes: env_u64("WEFT_FUZZ_MEM_MB").unwrap_or(2048) << 20,
                gdb: std::env::var("WEFT_FUZZ_GDB").map_or(true, |v| v != "0") && have_gdb(),
            },
            shrink_secs: env_u64("WEFT_FUZZ_SHRINK_SECS").unwrap_or(15),
            out,
            strict: std::env::var("WEFT_FUZZ_STRICT").is_ok_and(|v| !v.is_empty() && v != "0"),
            shrink_file: std::env::var_os("WEFT_FUZZ_SHRINK_FILE").map(PathBuf::from),
            root,
        }
    }
}

fn have_gdb() -> bool {
    Command::new("gdb")
        .args(["--batch", "--version"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

// ---------------------------------------------------------------------------
// Seeds

struct Seed {
    name: String,
    text: Vec<u8>,
}

fn collect_weft(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_weft(&path, out);
        } else if path.extension().is_some_and(|e| e == "weft") {
            out.push(path);
        }
    }
}

fn load_seeds(root: &Path) -> Vec<Seed> {
    let mut paths = Vec::new();
    for dir in ["tests/golden", "examples", "benches", "std"] {
        collect_weft(&root.join(dir), &mut paths);
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read(&p).ok()?;
            // Mutants must stay inside their scratch folder: programs that
            // touch files, run commands or read stdin are not seeds.
            let touches_world = [
                "import fs",
                "import process",
                "import __process",
                "import io",
                "import http",
            ]
            .iter()
            .any(|m| String::from_utf8_lossy(&text).contains(m));
            if touches_world {
                return None;
            }
            let name = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            Some(Seed { name, text })
        })
        .collect()
}

/// Helper modules (`_name.weft`) that golden tests import by relative path;
/// each worker's scratch folder gets a copy so mutants can still import them.
fn helper_modules(seeds: &[Seed]) -> Vec<(String, Vec<u8>)> {
    seeds
        .iter()
        .filter_map(|s| {
            let file = Path::new(&s.name).file_name()?.to_str()?;
            file.starts_with('_')
                .then(|| (file.to_string(), s.text.clone()))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Findings

struct Sample {
    text: Vec<u8>,
    stderr: Vec<u8>,
    seed: String,
    mode: Mode,
    end: End,
    log: Vec<String>,
    origin: String,
}

#[derive(Default)]
struct Group {
    hits: u64,
    samples: Vec<Sample>,
}

struct Shared {
    settings: Settings,
    seeds: Vec<Seed>,
    words: Vec<Vec<u8>>,
    helpers: Vec<(String, Vec<u8>)>,
    groups: Mutex<BTreeMap<Kind, Group>>,
    /// Seeds whose unmutated program is slow (>= half the limit), by index.
    slow: Mutex<HashMap<usize, bool>>,
    execs: AtomicU64,
    /// Mutants that ended in a way not seen before (a new first error line,
    /// say): later trials mutate them again, which reaches further than
    /// mutating the seeds alone.
    pool: Mutex<Vec<Seed>>,
    signatures: Mutex<std::collections::HashSet<String>>,
    /// Runs by duration: under 50 ms, 200 ms, 1 s, the limit; timed out.
    durations: [AtomicU64; 5],
    /// Runs by how they ended: status 0, 1, 2, other statuses, signals.
    endings: [AtomicU64; 5],
    stop: AtomicBool,
}

impl Shared {
    /// Whether seed `i` itself runs long; measured once, on demand.
    fn seed_is_slow(&self, runner: &Runner, i: usize) -> bool {
        if let Some(&slow) = self.slow.lock().unwrap().get(&i) {
            return slow;
        }
        let exec = runner.exec(&self.seeds[i].text, Mode::Run, false);
        let slow = exec.end == End::Timeout || exec.elapsed * 2 >= self.settings.limits.timeout;
        self.slow.lock().unwrap().insert(i, slow);
        slow
    }

    fn is_novel(&self, signature: &str) -> bool {
        self.signatures
            .lock()
            .unwrap()
            .insert(signature.to_string())
    }

    fn record(&self, kind: Kind, sample: Sample) -> bool {
        let mut groups = self.groups.lock().unwrap();
        let group = groups.entry(kind).or_default();
        group.hits += 1;
        let new = group.hits == 1;
        // Keep samples from distinct seeds where possible; they more often
        // show distinct causes behind one key (an allocation abort has no
        // location).
        let distinct = !group.samples.iter().any(|s| s.seed == sample.seed);
        if group.samples.len() < SAMPLES_PER_GROUP && (distinct || group.samples.len() < 2) {
            group.samples.push(sample);
        }
        new
    }
}

/// How many mutants the pool holds; past it, new ones replace old ones.
const POOL_SIZE: usize = 4096;

/// How a run ended, with the program's own names and numbers taken out of
/// the first error line (`error: TypeError: cannot add _ and _`).
fn signature(exec: &Exec, mode: Mode) -> String {
    let err = String::from_utf8_lossy(&exec.stderr);
    let first = err.lines().find(|l| l.contains("error")).unwrap_or("");
    let mut sig = format!("{} {:?} ", mode.name(), exec.end);
    let mut quote = None;
    let mut last = ' ';
    for c in first.chars().take(160) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => continue,
            None if c == '`' || c == '"' || c == '\'' => {
                quote = Some(c);
                sig.push('_');
            }
            None if c.is_ascii_digit() => {
                if last != '#' {
                    sig.push('#');
                }
                last = '#';
                continue;
            }
            None => sig.push(c),
        }
        last = c;
    }
    sig
}

fn worker(shared: &Shared, index: usize) {
    let settings = &shared.settings;
    let runner = Runner::new(settings, &format!("w{index}"), &shared.helpers);
    let mutator = Mutator {
        seeds: &shared.seeds,
        words: &shared.words,
    };
    let mut iteration: u64 = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        iteration += 1;
        // Each trial has its own generator, so (seed, worker, iteration)
        // names it whatever the other workers did.
        let mut rng = Rng::new(settings.seed ^ ((index as u64) << 48) ^ iteration);
        let seed_index = rng.below(shared.seeds.len());
        if shared.slow.lock().unwrap().get(&seed_index) == Some(&true) {
            continue;
        }
        let mut seed = &shared.seeds[seed_index];
        let mut log = Vec::new();
        let pooled = if rng.chance(30) {
            let pool = shared.pool.lock().unwrap();
            (!pool.is_empty()).then(|| {
                let p = &pool[rng.below(pool.len())];
                (p.name.clone(), p.text.clone())
            })
        } else {
            None
        };
        let text = match &pooled {
            Some((name, parent)) => {
                log.push(format!("from the pool: a mutant of {name}"));
                mutator.mutate(&mut rng, parent, &mut log)
            }
            None => mutator.mutate(&mut rng, &seed.text, &mut log),
        };
        let mode = match rng.below(100) {
            0..=87 => Mode::Run,
            88..=96 => Mode::Check,
            _ => Mode::Disasm,
        };
        let (kind, exec) = runner.classify(&text, mode);
        shared.execs.fetch_add(1, Ordering::Relaxed);
        let bucket = match exec.elapsed.as_millis() {
            _ if exec.end == End::Timeout => 4,
            0..50 => 0,
            50..200 => 1,
            200..1000 => 2,
            _ => 3,
        };
        shared.durations[bucket].fetch_add(1, Ordering::Relaxed);
        let ending = match exec.end {
            End::Code(c @ 0..=2) => c as usize,
            End::Code(_) => 3,
            End::Signal(_) => 4,
            End::Timeout => 5,
        };
        if let Some(n) = shared.endings.get(ending) {
            n.fetch_add(1, Ordering::Relaxed);
        }
        let Some(kind) = kind else {
            let quick = exec.elapsed * 2 < settings.limits.timeout;
            // Programs that compile are worth more as parents: most children
            // of a program with a syntax error have one too.
            let compiles = exec.end != End::Code(2) || rng.chance(20);
            if quick
                && compiles
                && text.len() <= 64 << 10
                && shared.is_novel(&signature(&exec, mode))
            {
                let mut pool = shared.pool.lock().unwrap();
                let name = match &pooled {
                    Some((name, _)) => name.clone(),
                    None => seed.name.clone(),
                };
                let entry = Seed { name, text };
                if pool.len() < POOL_SIZE {
                    pool.push(entry);
                } else {
                    let i = rng.below(pool.len());
                    pool[i] = entry;
                }
            }
            continue;
        };
        // A pooled parent ran in under half the limit, so it is not slow.
        if matches!(kind, Kind::RunTimeout { .. })
            && pooled.is_none()
            && shared.seed_is_slow(&runner, seed_index)
        {
            continue;
        }
        let pooled_seed;
        if let Some((name, _)) = &pooled {
            pooled_seed = Seed {
                name: name.clone(),
                text: Vec::new(),
            };
            seed = &pooled_seed;
        }
        let origin = format!(
            "WEFT_FUZZ_SEED={} worker {index} iteration {iteration}",
            settings.seed
        );
        let key = kind.key();
        let new = shared.record(
            kind,
            Sample {
                text,
                stderr: exec.stderr,
                seed: seed.name.clone(),
                mode,
                end: exec.end,
                log,
                origin,
            },
        );
        if new {
            eprintln!("[fuzz] new: {key} (from {}, {})", seed.name, mode.name());
        }
    }
}

fn describe_end(end: End) -> String {
    match end {
        End::Code(c) => format!("exit status {c}"),
        End::Signal(s) => format!("killed by {}", signal_name(s)),
        End::Timeout => "passed the time limit".into(),
    }
}

fn info_text(kind: &Kind, group_hits: u64, s: &Sample, shrunk: &[u8]) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "kind: {} ({kind:?})", kind.key());
    let _ = writeln!(t, "hits: {group_hits}");
    let _ = writeln!(t, "mode: weft {}", mode_cmd(s.mode));
    let _ = writeln!(t, "first sample: {}", describe_end(s.end));
    let _ = writeln!(t, "seed file: {}", s.seed);
    let _ = writeln!(t, "found by: {}", s.origin);
    let _ = writeln!(t, "mutations:");
    for m in &s.log {
        let _ = writeln!(t, "  {m}");
    }
    let _ = writeln!(
        t,
        "sizes: sample {} bytes, repro {} bytes",
        s.text.len(),
        shrunk.len()
    );
    if let Kind::Panic { .. } = kind {
        let _ = writeln!(
            t,
            "message: {}",
            panic_message(&String::from_utf8_lossy(&s.stderr))
        );
    }
    t
}

fn mode_cmd(mode: Mode) -> &'static str {
    match mode {
        Mode::Run => "FILE",
        Mode::Check => "check FILE",
        Mode::Disasm => "disasm FILE",
    }
}

/// Shrinks one sample of each group and writes the group's folder; returns
/// the summary line.
fn report_group(shared: &Shared, runner: &Runner, kind: &Kind, group: &Group) -> String {
    let settings = &shared.settings;
    let dir = settings.out.join(kind.slug());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("findings folder");
    // Shrink the smallest sample: it is the quickest to cut down.
    let first = group
        .samples
        .iter()
        .min_by_key(|s| s.text.len())
        .expect("a group has a sample");
    let budget = Duration::from_secs(settings.shrink_secs);
    let shrunk = if budget.is_zero() {
        first.text.clone()
    } else {
        shrink(runner, &first.text, first.mode, kind, budget)
    };
    let (_, exec) = runner.classify(&shrunk, first.mode);
    std::fs::write(dir.join("repro.weft"), &shrunk).expect("repro written");
    std::fs::write(dir.join("repro.stderr"), &exec.stderr).expect("stderr written");
    std::fs::write(
        dir.join("info.txt"),
        info_text(kind, group.hits, first, &shrunk),
    )
    .expect("info written");
    for (i, s) in group.samples.iter().enumerate() {
        std::fs::write(dir.join(format!("sample-{i}.weft")), &s.text).expect("sample written");
        std::fs::write(dir.join(format!("sample-{i}.stderr")), &s.stderr).expect("sample written");
        std::fs::write(
            dir.join(format!("sample-{i}.txt")),
            info_text(kind, group.hits, s, &s.text),
        )
        .expect("sample written");
    }
    let preview: String = String::from_utf8_lossy(&shrunk).chars().take(300).collect();
    let mut line = format!(
        "{} — {} hit(s), weft {} — {}\n",
        kind.key(),
        group.hits,
        mode_cmd(first.mode),
        dir.display()
    );
    if let Kind::Panic { .. } = kind {
        let msg = panic_message(&String::from_utf8_lossy(&first.stderr));
        let _ = writeln!(line, "    message: {msg}");
    }
    for l in preview.lines().take(8) {
        let _ = writeln!(line, "    | {l}");
    }
    if shrunk.len() > 300 || preview.lines().count() > 8 {
        let _ = writeln!(line, "    | ... ({} bytes)", shrunk.len());
    }
    line
}

fn fuzz(settings: Settings) -> Result<(), Failed> {
    if !settings.exe.exists() {
        return Err(format!("no weft executable at {}", settings.exe.display()).into());
    }
    let seeds = load_seeds(&settings.root);
    if seeds.is_empty() {
        return Err("no seed programs found".into());
    }
    let helpers = helper_modules(&seeds);
    if let Some(path) = settings.shrink_file.clone() {
        return shrink_one(&settings, &helpers, &path);
    }
    eprintln!(
        "[fuzz] WEFT_FUZZ_SEED={} WEFT_FUZZ_SECS={} jobs {} seeds {} limit {:?} / {} MB, findings to {}",
        settings.seed,
        settings.secs,
        settings.jobs,
        seeds.len(),
        settings.limits.timeout,
        settings.limits.mem_bytes >> 20,
        settings.out.display()
    );
    let words = dictionary(&seeds);
    let shared = Arc::new(Shared {
        settings: settings.clone(),
        seeds,
        words,
        helpers,
        groups: Mutex::new(BTreeMap::new()),
        slow: Mutex::new(HashMap::new()),
        execs: AtomicU64::new(0),
        pool: Mutex::new(Vec::new()),
        signatures: Mutex::new(std::collections::HashSet::new()),
        durations: Default::default(),
        endings: Default::default(),
        stop: AtomicBool::new(false),
    });
    let started = Instant::now();
    let workers: Vec<_> = (0..settings.jobs)
        .map(|i| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || worker(&shared, i))
        })
        .collect();
    let total = Duration::from_secs(settings.secs);
    let mut last_report = Instant::now();
    while started.elapsed() < total {
        thread::sleep(Duration::from_millis(200).min(total.saturating_sub(started.elapsed())));
        if last_report.elapsed() >= Duration::from_secs(30) {
            last_report = Instant::now();
            let n = shared.execs.load(Ordering::Relaxed);
            let groups = shared.groups.lock().unwrap().len();
            let pool = shared.pool.lock().unwrap().len();
            eprintln!(
                "[fuzz] {:>5}s {n} runs ({:.1}/s), pool {pool}, {groups} finding group(s)",
                started.elapsed().as_secs(),
                n as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    shared.stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().map_err(|_| "a fuzz worker panicked")?;
    }
    let elapsed = started.elapsed();
    let execs = shared.execs.load(Ordering::Relaxed);
    eprintln!(
        "[fuzz] done: {execs} runs in {:.1}s ({:.1}/s); seed {}",
        elapsed.as_secs_f64(),
        execs as f64 / elapsed.as_secs_f64(),
        settings.seed
    );
    let d: Vec<u64> = shared
        .durations
        .iter()
        .map(|d| d.load(Ordering::Relaxed))
        .collect();
    eprintln!(
        "[fuzz] run times: {} under 50 ms, {} under 200 ms, {} under 1 s, {} longer, {} timed out",
        d[0], d[1], d[2], d[3], d[4]
    );
    let e: Vec<u64> = shared
        .endings
        .iter()
        .map(|e| e.load(Ordering::Relaxed))
        .collect();
    eprintln!(
        "[fuzz] endings: {} status 0, {} status 1, {} status 2, {} other statuses, {} signals",
        e[0], e[1], e[2], e[3], e[4]
    );

    let groups = std::mem::take(&mut *shared.groups.lock().unwrap());
    if groups.is_empty() {
        return Ok(());
    }
    // Shrink groups in parallel, one runner per job.
    let queue: Mutex<Vec<(&Kind, &Group)>> = Mutex::new(groups.iter().rev().collect());
    let lines: Mutex<BTreeMap<Kind, String>> = Mutex::new(BTreeMap::new());
    thread::scope(|scope| {
        for j in 0..settings.jobs {
            let (shared, queue, lines) = (&shared, &queue, &lines);
            scope.spawn(move || {
                let runner = Runner::new(&shared.settings, &format!("s{j}"), &shared.helpers);
                loop {
                    let Some((kind, group)) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let line = report_group(shared, &runner, kind, group);
                    lines.lock().unwrap().insert(kind.clone(), line);
                }
            });
        }
    });
    let lines = lines.into_inner().unwrap();
    let mut failing = String::new();
    let mut other = String::new();
    for (kind, line) in &lines {
        if kind.fails(settings.strict) {
            failing.push_str(line);
        } else {
            other.push_str(line);
        }
    }
    let mut summary = format!(
        "seed {} · {execs} runs in {:.0}s · {} group(s)\n",
        settings.seed,
        elapsed.as_secs_f64(),
        lines.len()
    );
    if !failing.is_empty() {
        let _ = write!(summary, "\nFINDINGS (fail the test):\n{failing}");
    }
    if !other.is_empty() {
        let _ = write!(
            summary,
            "\nREPORTED ONLY (timeouts at run time, odd statuses; review by hand):\n{other}"
        );
    }
    let _ = std::fs::write(settings.out.join("SUMMARY.txt"), &summary);
    eprintln!("\n{summary}");
    if failing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the fuzzer found crashes or hangs; repros are in {}",
            settings.out.display()
        )
        .into())
    }
}

/// `WEFT_FUZZ_SHRINK_FILE=path`: classify and shrink one program.
fn shrink_one(
    settings: &Settings,
    helpers: &[(String, Vec<u8>)],
    path: &Path,
) -> Result<(), Failed> {
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let runner = Runner::new(settings, "shrink", helpers);
    let mode = match std::env::var("WEFT_FUZZ_MODE").as_deref() {
        Ok("check") => Mode::Check,
        Ok("disasm") => Mode::Disasm,
        _ => Mode::Run,
    };
    let (kind, _) = runner.classify(&text, mode);
    let Some(kind) = kind else {
        eprintln!("[fuzz] {} runs cleanly; nothing to shrink", path.display());
        return Ok(());
    };
    eprintln!("[fuzz] {}: {}; shrinking", path.display(), kind.key());
    let budget = Duration::from_secs(settings.shrink_secs.max(1) * 4);
    let shrunk = shrink(&runner, &text, mode, &kind, budget);
    let out = path.with_extension("min.weft");
    std::fs::write(&out, &shrunk).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "[fuzz] {} -> {} bytes in {}",
        text.len(),
        shrunk.len(),
        out.display()
    );
    Ok(())
}
