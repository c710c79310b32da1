//! Running one program under the limits (a 2 GB address space, a wall-clock
//! limit, its own process group, stdin and stdout on /dev/null) and telling
//! what went wrong: a panic and where, a signal and why, a hang and where
//! (sampled with gdb), or an exit status outside the contract.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{Limits, Settings};

/// Bytes of stderr kept from each end of a run's output.
const STDERR_KEEP: usize = 64 << 10;

// ---------------------------------------------------------------------------
// Running one program

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    Run,
    Check,
    Disasm,
}

impl Mode {
    pub(crate) fn args(self) -> &'static [&'static str] {
        match self {
            Mode::Run => &[],
            Mode::Check => &["check"],
            Mode::Disasm => &["disasm"],
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::Run => "run",
            Mode::Check => "check",
            Mode::Disasm => "disasm",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum End {
    Code(i32),
    Signal(i32),
    Timeout,
}

pub(crate) struct Exec {
    pub(crate) end: End,
    /// For a run that passed the limit, where it was: the module of the
    /// innermost function of weft's own code on the main thread's stack
    /// (`weft::parser::stmt`), when gdb could tell.
    pub(crate) place: Option<String>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) elapsed: Duration,
}

/// Keeps the first and the last `STDERR_KEEP` bytes of a stream.
pub(crate) fn read_capped(mut r: impl Read) -> Vec<u8> {
    let mut head = Vec::new();
    let mut tail: Vec<u8> = Vec::new();
    let mut skipped = false;
    let mut buf = [0u8; 16 << 10];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut chunk = &buf[..n];
        if head.len() < STDERR_KEEP {
            let take = chunk.len().min(STDERR_KEEP - head.len());
            head.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
        }
        tail.extend_from_slice(chunk);
        if tail.len() > 2 * STDERR_KEEP {
            tail.drain(..tail.len() - STDERR_KEEP);
            skipped = true;
        }
    }
    if skipped {
        head.extend_from_slice(b"\n[... stderr cut ...]\n");
    }
    head.extend_from_slice(&tail);
    head
}

/// Runs `weft [MODE] FILE` in `dir` under the limits.
pub(crate) fn execute(
    exe: &Path,
    dir: &Path,
    file: &str,
    mode: Mode,
    limits: Limits,
    sample: bool,
) -> Exec {
    let mem = limits.mem_bytes;
    let mut cmd = Command::new(exe);
    cmd.args(mode.args())
        .arg(file)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // An allocation failure prints a backtrace only when asked; its
        // frames are what tells one such abort from another.
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: between fork and exec the closure calls only setrlimit, which
    // is async-signal-safe, and touches no memory of the parent but `mem`.
    unsafe {
        cmd.pre_exec(move || {
            let cap = libc::rlimit {
                rlim_cur: mem as libc::rlim_t,
                rlim_max: mem as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("the weft executable starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let reader = thread::spawn(move || read_capped(stderr));
    let mut pause = Duration::from_millis(1);
    let mut place = None;
    let end = loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                break match (status.code(), status.signal()) {
                    (Some(c), _) => End::Code(c),
                    (None, Some(s)) => End::Signal(s),
                    (None, None) => End::Code(-1),
                };
            }
            Ok(None) => {}
            Err(e) => panic!("waiting for weft: {e}"),
        }
        if started.elapsed() >= limits.timeout {
            if sample && limits.gdb {
                place = stack_place(child.id());
            }
            // The child leads its own process group; kill all of it.
            // SAFETY: kill(2) on a process group this harness created.
            unsafe {
                libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
            }
            let _ = child.wait();
            break End::Timeout;
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let stderr = reader.join().unwrap_or_default();
    Exec {
        end,
        place,
        stderr,
        elapsed,
    }
}

/// Attaches gdb to `pid` and names the module of the innermost function of
/// weft's own code on the main thread's stack.
pub(crate) fn stack_place(pid: u32) -> Option<String> {
    let mut gdb = Command::new("gdb")
        // The innermost frames first; when deep recursion in another crate
        // (chumsky) hides weft's frames there, the outermost ones.
        .args(["-p", &pid.to_string(), "-batch", "-nx"])
        .args(["-ex", "bt 3000", "-ex", "bt -60"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .ok()?;
    let out = gdb.stdout.take()?;
    let reader = thread::spawn(move || read_capped(out));
    let started = Instant::now();
    loop {
        if let Ok(Some(_)) = gdb.try_wait() {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            // SAFETY: kill(2) on the process group of the gdb started here.
            unsafe {
                libc::kill(-(gdb.id() as libc::pid_t), libc::SIGKILL);
            }
            let _ = gdb.wait();
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let text = String::from_utf8_lossy(&reader.join().ok()?).into_owned();
    text.lines()
        .filter(|l| l.starts_with('#'))
        .find_map(|l| frame_module(l.split_once(" in ").map_or(l, |(_, f)| f)))
}

/// `weft::compiler::expr::<impl weft::compiler::Compiler>::expr::h12ab ()`
/// gives `weft::compiler::expr`; frames of other crates, and trait impls
/// for weft's types inside them, give nothing.
pub(crate) fn frame_module(frame: &str) -> Option<String> {
    let frame = frame.trim_start();
    let name = frame.strip_prefix("weft::")?;
    let name = name.split([' ', '(']).next()?;
    // Drop `<...>` groups (impl blocks, generics), closures and the hash.
    let mut plain = String::new();
    let mut depth = 0;
    for c in name.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let parts: Vec<&str> = plain
        .split("::")
        .filter(|p| !p.is_empty() && !p.starts_with('{') && !is_hash(p))
        .collect();
    // Keep the module path; the last part is the function.
    let keep = parts.len().saturating_sub(1).clamp(1, 2);
    Some(format!("weft::{}", parts.get(..keep)?.join("::")))
}

/// Whether `place` (from `stack_place`) is in the front end (lexer,
/// parser, compiler, module loader) or the error reporter.
pub(crate) fn compile_stage(place: &str) -> bool {
    let stage = place.split("::").nth(1).unwrap_or("");
    [
        "lexer",
        "parser",
        "compiler",
        "driver",
        "diagnostics",
        "build_or_report",
        "check",
        "span",
    ]
    .contains(&stage)
}

pub(crate) fn is_hash(part: &str) -> bool {
    part.len() == 17 && part.starts_with('h') && part[1..].chars().all(|c| c.is_ascii_hexdigit())
}

// ---------------------------------------------------------------------------
// Classifying a run

pub(crate) fn signal_name(s: i32) -> String {
    match s {
        libc::SIGABRT => "SIGABRT".into(),
        libc::SIGSEGV => "SIGSEGV".into(),
        libc::SIGBUS => "SIGBUS".into(),
        libc::SIGILL => "SIGILL".into(),
        libc::SIGFPE => "SIGFPE".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGTRAP => "SIGTRAP".into(),
        libc::SIGPIPE => "SIGPIPE".into(),
        libc::SIGXFSZ => "SIGXFSZ".into(),
        _ => format!("signal {s}"),
    }
}

/// The `file:line` a panic message names (`panicked at src/x.rs:12:5:`).
pub(crate) fn panic_location(stderr: &str) -> Option<String> {
    let at = stderr.find("panicked at ")? + "panicked at ".len();
    let rest = &stderr[at..];
    let loc = rest.split([' ', '\n']).next()?.trim_end_matches(':');
    // Keep file:line, drop the column.
    let mut parts = loc.rsplitn(3, ':').collect::<Vec<_>>();
    parts.reverse();
    Some(match parts.as_slice() {
        [file, line, _col] => format!("{file}:{line}"),
        _ => loc.to_string(),
    })
}

/// The innermost frame of weft's own code in a backtrace
/// (`   4: weft::vm::dispatch::arith_slow`).
pub(crate) fn first_weft_frame(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|line| {
        let (num, frame) = line.trim_start().split_once(": ")?;
        if !num.chars().all(|c| c.is_ascii_digit()) || !frame.contains("weft::") {
            return None;
        }
        // Drop a symbol hash (`::h0123abcd...`), if present.
        let frame = match frame.rsplit_once("::h") {
            Some((f, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => f,
            _ => frame,
        };
        Some(frame.trim().to_string())
    })
}

/// The line after `panicked at ...:`, which holds the message.
pub(crate) fn panic_message(stderr: &str) -> String {
    stderr
        .find("panicked at ")
        .and_then(|at| stderr[at..].lines().nth(1))
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

/// What went wrong, in a form that groups equal bugs: the key has no
/// program-specific text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Panic {
        location: String,
    },
    Signal {
        signal: String,
        what: String,
    },
    /// Where (see `Exec::place`): empty when gdb is not there.
    CompileHang {
        place: String,
    },
    RunTimeout {
        place: String,
    },
    OddStatus(i32),
}

impl Kind {
    pub(crate) fn key(&self) -> String {
        match self {
            Kind::Panic { location } => format!("panic at {location}"),
            Kind::Signal { signal, what } => format!("{signal} ({what})"),
            Kind::CompileHang { place } if place.is_empty() => {
                "hang while compiling (weft check passes the limit)".into()
            }
            Kind::CompileHang { place } => format!("hang while compiling or reporting, in {place}"),
            Kind::RunTimeout { place } if place.is_empty() => "timeout at run time".into(),
            Kind::RunTimeout { place } => format!("timeout at run time, in {place}"),
            Kind::OddStatus(c) => format!("exit status {c} outside LANGUAGE.md §11"),
        }
    }

    pub(crate) fn slug(&self) -> String {
        let mut s: String = self
            .key()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        while s.contains("--") {
            s = s.replace("--", "-");
        }
        s.trim_matches('-').chars().take(80).collect()
    }

    /// Whether `self` is the finding `other` as far as the shrinker can tell:
    /// a stack sampled at one instant may land in a neighbouring module of
    /// the same stage, so hangs compare by stage (`weft::parser`) only.
    pub(crate) fn same_for_shrinking(&self, other: &Kind) -> bool {
        fn stage(place: &str) -> &str {
            place.splitn(3, "::").take(2).last().unwrap_or("")
        }
        match (self, other) {
            (Kind::CompileHang { place: a }, Kind::CompileHang { place: b })
            | (Kind::RunTimeout { place: a }, Kind::RunTimeout { place: b }) => {
                stage(a) == stage(b)
            }
            _ => self == other,
        }
    }

    /// Whether the group fails the trial.
    pub(crate) fn fails(&self, strict: bool) -> bool {
        match self {
            Kind::Panic { .. } | Kind::Signal { .. } | Kind::CompileHang { .. } => true,
            Kind::RunTimeout { .. } => strict,
            Kind::OddStatus(_) => false,
        }
    }
}

/// Context for running programs: the executable, limits and a scratch folder.
pub(crate) struct Runner {
    pub(crate) exe: PathBuf,
    pub(crate) dir: PathBuf,
    pub(crate) limits: Limits,
    /// Whether dropping this runner removes `dir` (clones share it).
    pub(crate) owner: bool,
}

impl Clone for Runner {
    fn clone(&self) -> Runner {
        Runner {
            exe: self.exe.clone(),
            dir: self.dir.clone(),
            limits: self.limits,
            owner: false,
        }
    }
}

pub(crate) const PROGRAM: &str = "fuzz_case.weft";

impl Runner {
    pub(crate) fn new(settings: &Settings, tag: &str, helpers: &[(String, Vec<u8>)]) -> Runner {
        let dir = std::env::temp_dir().join(format!("weft-fuzz-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        for (name, text) in helpers {
            std::fs::write(dir.join(name), text).expect("helper module copied");
        }
        Runner {
            exe: settings.exe.clone(),
            dir,
            limits: settings.limits,
            owner: true,
        }
    }

    /// Runs `text`; `sample` asks for the stack of a run that hangs.
    pub(crate) fn exec(&self, text: &[u8], mode: Mode, sample: bool) -> Exec {
        std::fs::write(self.dir.join(PROGRAM), text).expect("program written");
        execute(&self.exe, &self.dir, PROGRAM, mode, self.limits, sample)
    }

    /// The verdict of one run. `RunTimeout` here still needs `classify` to
    /// tell a compile hang from a slow program.
    pub(crate) fn quick(&self, text: &[u8], mode: Mode, sample: bool) -> (Option<Kind>, Exec) {
        let exec = self.exec(text, mode, sample);
        let err = String::from_utf8_lossy(&exec.stderr);
        let place = exec.place.clone().unwrap_or_default();
        let kind = match exec.end {
            End::Timeout if mode == Mode::Run => Some(Kind::RunTimeout { place }),
            End::Timeout => Some(Kind::CompileHang { place }),
            End::Signal(s) => {
                let what = if err.contains("has overflowed its stack") {
                    "stack overflow".to_string()
                } else if err.contains("memory allocation of") || err.contains("allocate") {
                    match first_weft_frame(&err) {
                        Some(frame) => format!("allocation failed in {frame}"),
                        None => "allocation failed".into(),
                    }
                } else if err.contains("panicked at") {
                    format!("panic at {}", panic_location(&err).unwrap_or_default())
                } else {
                    "no message".into()
                };
                Some(Kind::Signal {
                    signal: signal_name(s),
                    what,
                })
            }
            _ if err.contains("panicked at") => Some(Kind::Panic {
                location: panic_location(&err).unwrap_or_else(|| "?".into()),
            }),
            End::Code(101) => Some(Kind::Panic {
                location: "? (status 101)".into(),
            }),
            End::Code(c) => {
                let allowed = [0, 1, 2, 64, 130].contains(&c);
                let has_exit = text.windows(4).any(|w| w == b"exit");
                (!allowed && !has_exit).then_some(Kind::OddStatus(c))
            }
        };
        (kind, exec)
    }

    /// The full verdict: a run that passes the limit, or dies by a signal, is
    /// tried under `weft check` to say which phase is to blame.
    pub(crate) fn classify(&self, text: &[u8], mode: Mode) -> (Option<Kind>, Exec) {
        let (kind, exec) = self.quick(text, mode, true);
        match kind {
            // A stack sampled in the front end or the error reporter is a
            // hang there, whatever `weft check` takes (it may finish just
            // under the limit on a busy machine).
            Some(Kind::RunTimeout { place }) if compile_stage(&place) => {
                (Some(Kind::CompileHang { place }), exec)
            }
            Some(Kind::RunTimeout { place }) if !place.is_empty() => {
                (Some(Kind::RunTimeout { place }), exec)
            }
            Some(Kind::RunTimeout { place }) => {
                // Without a stack, `weft check` tells a compile hang.
                let (check, check_exec) = self.quick(text, Mode::Check, false);
                match check {
                    Some(Kind::CompileHang { .. }) => (Some(Kind::CompileHang { place }), exec),
                    Some(k @ (Kind::Panic { .. } | Kind::Signal { .. })) => (Some(k), check_exec),
                    _ => (Some(Kind::RunTimeout { place }), exec),
                }
            }
            Some(Kind::Signal { signal, what }) if !what.contains(" in ") => {
                let phase = match mode {
                    Mode::Check => "compiling",
                    Mode::Disasm => "disassembling",
                    Mode::Run => match self.quick(text, Mode::Check, false).0 {
                        Some(Kind::Signal { .. }) | Some(Kind::CompileHang { .. }) => "compiling",
                        _ => "running",
                    },
                };
                let what = format!("{what} while {phase}");
                (Some(Kind::Signal { signal, what }), exec)
            }
            other => (other, exec),
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        if self.owner {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
