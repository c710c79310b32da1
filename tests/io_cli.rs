//! End-to-end tests of a running `weft` program's standard streams and
//! signals (LANGUAGE.md §10 `io`, §11): stdin from a file and from a pipe,
//! stdin read while other tasks run, stdout buffering and its flushes, a
//! closed stdout, Ctrl-C and SIGQUIT. Each test runs the real executable on
//! a script in a scratch folder; a test that must act while the program runs
//! waits for a line the program writes when it is ready, never for a guessed
//! time, and every wait has a generous limit so a hang fails instead of
//! blocking the suite. A readiness line on stdout is seen because buffered
//! stdout is flushed when the program reads stdin or when every task waits
//! (the runtime flushes before it blocks for events).

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

/// How long a test waits for any one thing before it fails.
const LIMIT: Duration = Duration::from_secs(30);

/// A scratch folder holding one script, removed when dropped.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("weft-io-cli-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.join(name);
        fs::write(&p, text).unwrap();
        p
    }

    /// A command running `weft main.weft` in the folder, the script being
    /// `source`.
    fn weft(&self, source: &str) -> Command {
        self.file("main.weft", source);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
        cmd.arg("main.weft")
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A child that is killed if the test fails before it ends.
struct Running(Child);

impl Running {
    fn start(mut cmd: Command) -> Running {
        Running(cmd.spawn().expect("the weft executable runs"))
    }

    fn signal(&self, sig: libc::c_int) {
        let pid = libc::pid_t::try_from(self.0.id()).expect("a pid fits pid_t");
        // SAFETY: kill() only sends a signal; the pid is our own child, not
        // yet waited for (so not reused).
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0, "kill({pid}, {sig}) failed");
    }

    /// Waits for the exit, failing the test after `LIMIT`.
    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + LIMIT;
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "weft did not exit within {LIMIT:?}"
            );
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The lines of a pipe, read on a thread of their own so that a test can
/// wait for the next one with a time limit.
struct Lines {
    rx: Receiver<String>,
    /// Every line received so far, for failure messages and final checks.
    seen: Vec<String>,
}

impl Lines {
    fn start(pipe: impl Read + Send + 'static) -> Lines {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                match line {
                    Ok(line) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
        }
    }

    fn of_stdout(child: &mut Running) -> Lines {
        let out: ChildStdout = child.0.stdout.take().expect("stdout is piped");
        Lines::start(out)
    }

    fn of_stderr(child: &mut Running) -> Lines {
        let err: ChildStderr = child.0.stderr.take().expect("stderr is piped");
        Lines::start(err)
    }

    /// Reads lines until one satisfies `want`; fails the test at the end of
    /// the stream or after `LIMIT`.
    fn until(&mut self, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if want(&line) {
                        return line;
                    }
                }
                Err(e) => panic!("no expected line ({e:?}); lines so far: {:?}", self.seen),
            }
        }
    }

    /// Every remaining line, up to the end of the stream.
    fn rest(&mut self) -> Vec<String> {
        let deadline = Instant::now() + LIMIT;
        let mut rest = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    rest.push(line);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return rest,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("the stream did not end; lines so far: {:?}", self.seen)
                }
            }
        }
    }
}

/// Runs a command to its end, feeding `input` from a thread (a pipe) and
/// collecting stdout and stderr.
fn output_with_input(mut cmd: Command, input: Vec<u8>) -> (ExitStatus, String, String) {
    cmd.stdin(Stdio::piped());
    let mut child = Running::start(cmd);
    let mut stdin = child.0.stdin.take().unwrap();
    let feeder = thread::spawn(move || {
        // Small pieces, so the program sees its input arrive over time.
        for piece in input.chunks(7) {
            if stdin.write_all(piece).is_err() {
                break;
            }
        }
    });
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    let stdout = out.rest().join("\n");
    let stderr = err.rest().join("\n");
    feeder.join().unwrap();
    (child.wait(), stdout, stderr)
}

/// One pipe for both stdout and stderr (`2>&1`): the read end and two write
/// ends.
fn shared_pipe() -> (fs::File, OwnedFd, OwnedFd) {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe() fills the two descriptors of a new pipe.
    let rc = unsafe { libc::pipe(fds.as_mut_ptr()) };
    assert_eq!(rc, 0, "pipe() failed");
    // SAFETY: both descriptors are new and owned by nobody else.
    let (read, write) = unsafe { (fs::File::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let write2 = write.try_clone().unwrap();
    (read, write, write2)
}

const LINES_SCRIPT: &str = r#"
import io
let n = 0
for await line in io.lines() {
    n += 1
    print("[${line}]")
}
print("${n} lines")
"#;

const READ_ALL_SCRIPT: &str = r#"
import io
let text = await io.read_all()
print(type(text), len(text))
io.write(text)
"#;

#[test]
fn lines_from_a_file() {
    let s = Scratch::new("lines-file");
    let input = s.file("input.txt", "first\nsecond\r\n\nlast without newline");
    let mut cmd = s.weft(LINES_SCRIPT);
    cmd.stdin(fs::File::open(input).unwrap());
    let out = cmd.output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[first]\n[second]\n[]\n[last without newline]\n4 lines\n"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn lines_from_a_pipe() {
    let s = Scratch::new("lines-pipe");
    let mut input = String::new();
    for i in 0..1000 {
        input.push_str(&format!("line {i}\n"));
    }
    let (status, stdout, stderr) = output_with_input(s.weft(LINES_SCRIPT), input.into_bytes());
    assert_eq!(stderr, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1001);
    for (i, line) in lines[..1000].iter().enumerate() {
        assert_eq!(*line, format!("[line {i}]"));
    }
    assert_eq!(lines[1000], "1000 lines");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn read_all_from_a_file() {
    let s = Scratch::new("read-all-file");
    let text = "héllo\nwörld\r\nno newline at the end";
    let input = s.file("input.txt", text);
    let mut cmd = s.weft(READ_ALL_SCRIPT);
    cmd.stdin(fs::File::open(input).unwrap());
    let out = cmd.output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let chars = text.chars().count();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("string {chars}\n{text}")
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn read_all_from_a_pipe() {
    let s = Scratch::new("read-all-pipe");
    // Half a megabyte, more than a pipe holds, arriving in small writes.
    let text: String = (0..50_000).map(|i| format!("{i:09}\n")).collect();
    let (status, stdout, stderr) = output_with_input(s.weft(READ_ALL_SCRIPT), text.clone().into());
    assert_eq!(stderr, "");
    let expected = format!("string {}\n{}", text.len(), text);
    // `rest()` joins lines with `\n` and drops the final newline.
    assert_eq!(stdout, expected.trim_end_matches('\n'));
    assert_eq!(status.code(), Some(0));
}

#[test]
fn prompt_is_flushed_before_reading_stdin() {
    let s = Scratch::new("prompt");
    let mut cmd = s.weft(
        r#"
import io
io.write("name? ")
print("(type it)")
for await line in io.lines() {
    print("hello ${line}")
}
"#,
    );
    cmd.stdin(Stdio::piped());
    let mut child = Running::start(cmd);
    let mut stdin = child.0.stdin.take().unwrap();
    let mut out = Lines::of_stdout(&mut child);
    // Nothing was written to stdin yet: the prompt shows all the same.
    out.until(|l| l == "name? (type it)");
    stdin.write_all(b"weft\n").unwrap();
    out.until(|l| l == "hello weft");
    drop(stdin);
    assert_eq!(out.rest(), Vec::<String>::new());
    assert_eq!(child.wait().code(), Some(0));
}

#[test]
fn stdin_read_does_not_stop_other_tasks() {
    let s = Scratch::new("ticker");
    let mut cmd = s.weft(
        r#"
import io
let reading = true
async fn ticker() {
    let n = 0
    while reading {
        eprint("tick ${n}")
        n += 1
        await sleep(2)
    }
}
let t = spawn ticker()
for await line in io.lines() {
    print("got ${line}")
}
reading = false
await t
print("done")
"#,
    );
    cmd.stdin(Stdio::piped());
    let mut child = Running::start(cmd);
    let mut stdin = child.0.stdin.take().unwrap();
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    // Stdin is open and empty: the ticker goes on.
    err.until(|l| l == "tick 5");
    stdin.write_all(b"first\n").unwrap();
    out.until(|l| l == "got first");
    // Still reading stdin, still ticking.
    err.until(|l| l == "tick 10");
    stdin.write_all(b"second\n").unwrap();
    out.until(|l| l == "got second");
    drop(stdin);
    assert_eq!(out.rest(), vec!["done".to_string()]);
    assert_eq!(child.wait().code(), Some(0));
}

#[test]
fn closed_stdout_ends_quietly() {
    let s = Scratch::new("head");
    let mut child = Running::start(s.weft(
        r#"
for i in 0..100000 {
    print("line ${i}")
}
"#,
    ));
    let mut err = Lines::of_stderr(&mut child);
    let out = child.0.stdout.take().unwrap();
    // `| head -1`: read one line, then close the read end.
    let mut first = String::new();
    BufReader::new(out).read_line(&mut first).unwrap();
    assert_eq!(first, "line 0\n");
    let status = child.wait();
    assert_eq!(err.rest(), Vec::<String>::new());
    assert_eq!(status.code(), Some(0));
}

#[test]
fn closed_stdout_ends_io_write_quietly() {
    let s = Scratch::new("head-write");
    let mut child = Running::start(s.weft(
        r#"
import io
let i = 0
while true {
    io.write("chunk ${i}\n")
    i += 1
}
"#,
    ));
    let mut err = Lines::of_stderr(&mut child);
    let out = child.0.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(out).read_line(&mut first).unwrap();
    assert_eq!(first, "chunk 0\n");
    // The loop never ends by itself: only the closed stdout stops it.
    let status = child.wait();
    assert_eq!(err.rest(), Vec::<String>::new());
    assert_eq!(status.code(), Some(0));
}

const FAILING_SCRIPT: &str = r#"
for i in 0..3000 {
    print("line ${i}")
}
let n = 0
print(10 / n)
"#;

#[test]
fn stdout_is_complete_before_an_error_report() {
    let s = Scratch::new("error-flush");
    let out = s.weft(FAILING_SCRIPT).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected: String = (0..3000).map(|i| format!("line {i}\n")).collect();
    assert_eq!(stdout, expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ArithmeticError"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn stdout_comes_before_an_error_report_in_one_pipe() {
    let s = Scratch::new("error-order");
    let (mut read, w1, w2) = shared_pipe();
    let mut cmd = s.weft(FAILING_SCRIPT);
    cmd.stdout(Stdio::from(w1)).stderr(Stdio::from(w2));
    // `start` drops the command and its copies of the write ends, so the
    // read end sees the end of the stream when the child exits.
    let mut child = Running::start(cmd);
    let mut both = String::new();
    read.read_to_string(&mut both).unwrap();
    assert_eq!(child.wait().code(), Some(1));
    let expected: String = (0..3000).map(|i| format!("line {i}\n")).collect();
    assert!(
        both.starts_with(&expected),
        "the report is not after stdout:\n{}",
        &both[both.len().saturating_sub(2000)..]
    );
    let report = &both[expected.len()..];
    assert!(report.starts_with("error: ArithmeticError"), "{report}");
}

#[test]
fn task_error_report_keeps_its_place_in_one_pipe() {
    let s = Scratch::new("task-error-order");
    let (mut read, w1, w2) = shared_pipe();
    let mut cmd = s.weft(
        r#"
async fn fails() {
    throw ValueError("task failed")
}
print("before")
spawn fails()
await sleep(0)
print("after")
"#,
    );
    cmd.stdout(Stdio::from(w1)).stderr(Stdio::from(w2));
    let mut child = Running::start(cmd);
    let mut both = String::new();
    read.read_to_string(&mut both).unwrap();
    assert_eq!(child.wait().code(), Some(0));
    let before = both.find("before").expect("before is printed");
    let report = both.find("ValueError: task failed").expect("the report");
    let after = both.find("after").expect("after is printed");
    assert!(before < report && report < after, "{both}");
}

#[test]
fn ctrl_c_runs_finally_and_exits_130() {
    let s = Scratch::new("sigint-sleep");
    let mut child = Running::start(s.weft(
        r#"
try {
    print("ready")
    await sleep(100000)
    print("woke up")
} finally {
    print("finally ran")
}
print("after the try")
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    assert_eq!(out.rest(), vec!["finally ran".to_string()]);
    // The uncaught CancelledError is reported in one line.
    assert_eq!(err.rest(), vec!["interrupted".to_string()]);
    assert_eq!(child.wait().code(), Some(130));
}

#[test]
fn ctrl_c_caught_cancel_exits_130_without_report() {
    let s = Scratch::new("sigint-caught");
    let mut child = Running::start(s.weft(
        r#"
try {
    print("ready")
    await sleep(100000)
} catch e {
    print("caught", str(e))
}
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    let rest = out.rest();
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert!(rest[0].starts_with("caught CancelledError"), "{rest:?}");
    assert_eq!(err.rest(), Vec::<String>::new());
    assert_eq!(child.wait().code(), Some(130));
}

#[test]
fn ctrl_c_shuts_down_a_group() {
    let s = Scratch::new("sigint-group");
    let mut child = Running::start(s.weft(
        r#"
async fn worker(n) {
    try {
        await sleep(100000)
    } finally {
        print("worker ${n} cleaned up")
    }
}
try {
    await group(async fn(g) {
        g.spawn(worker(1))
        g.spawn(worker(2))
        print("ready")
    })
} finally {
    print("main finally")
}
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    assert_eq!(
        out.rest(),
        vec![
            "worker 1 cleaned up".to_string(),
            "worker 2 cleaned up".to_string(),
            "main finally".to_string()
        ]
    );
    assert_eq!(err.rest(), vec!["interrupted".to_string()]);
    assert_eq!(child.wait().code(), Some(130));
}

#[test]
fn ctrl_c_stops_a_cpu_loop() {
    let s = Scratch::new("sigint-loop");
    let mut child = Running::start(s.weft(
        r#"
let n = 0
eprint("ready")
while true {
    n += 1
}
"#,
    ));
    let mut err = Lines::of_stderr(&mut child);
    err.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    assert_eq!(err.rest(), vec!["interrupted".to_string()]);
    assert_eq!(child.wait().code(), Some(130));
}

#[test]
fn second_ctrl_c_exits_at_once() {
    let s = Scratch::new("sigint-twice");
    let mut child = Running::start(s.weft(
        r#"
try {
    print("ready")
    await sleep(100000)
} finally {
    print("cleaning up")
    await sleep(100000)
    print("cleaned up")
}
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    out.until(|l| l == "cleaning up");
    child.signal(libc::SIGINT);
    assert_eq!(child.wait().code(), Some(130));
    assert!(!out.rest().contains(&"cleaned up".to_string()));
}

#[test]
fn second_ctrl_c_exits_a_finally_that_computes() {
    let s = Scratch::new("sigint-twice-loop");
    let mut child = Running::start(s.weft(
        r#"
try {
    print("ready")
    await sleep(100000)
} finally {
    eprint("cleaning up")
    while true { }
}
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    err.until(|l| l == "cleaning up");
    child.signal(libc::SIGINT);
    assert_eq!(child.wait().code(), Some(130));
}

#[test]
fn sigquit_lists_tasks_and_the_program_goes_on() {
    let s = Scratch::new("sigquit");
    let mut cmd = s.weft(
        r#"
import io
let ch = Channel()
async fn worker() {
    let v = await ch.recv()
    print("worker got", v)
}
let w = spawn worker()
print("ready")
let input = await io.read_all()
await ch.send(input.trim())
await w
print("done")
"#,
    );
    cmd.stdin(Stdio::piped());
    let mut child = Running::start(cmd);
    let mut stdin = child.0.stdin.take().unwrap();
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    // "ready" is flushed because the program then reads stdin.
    out.until(|l| l == "ready");
    child.signal(libc::SIGQUIT);
    err.until(|l| l.trim_start().starts_with("at worker (main.weft:"));
    // The program is still running: it takes its input and finishes.
    stdin.write_all(b"go on\n").unwrap();
    drop(stdin);
    assert_eq!(
        out.rest(),
        vec!["worker got go on".to_string(), "done".to_string()]
    );
    err.rest();
    let dump = err.seen.join("\n");
    assert!(dump.contains("at <main> (main.weft:"), "{dump}");
    assert_eq!(child.wait().code(), Some(0));
}

#[test]
fn sigquit_in_a_cpu_loop_goes_on() {
    let s = Scratch::new("sigquit-loop");
    let mut cmd = s.weft(
        r#"
import io
let stop = false
async fn spin() {
    let n = 0
    while !stop {
        n += 1
    }
    return n > 0
}
let t = spawn spin()
print("ready")
await io.read_all()
stop = true
print("spun", await t)
"#,
    );
    cmd.stdin(Stdio::piped());
    let mut child = Running::start(cmd);
    let stdin = child.0.stdin.take().unwrap();
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGQUIT);
    err.until(|l| l.trim_start().starts_with("at spin (main.weft:"));
    drop(stdin);
    assert_eq!(out.rest(), vec!["spun true".to_string()]);
    assert_eq!(child.wait().code(), Some(0));
}

/// Whether process `pid` is running (a zombie or a missing entry is not).
fn alive(pid: &str) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses.
        Ok(stat) => match stat.rsplit_once(") ") {
            Some((_, rest)) => !rest.starts_with('Z'),
            None => true,
        },
        Err(_) => false,
    }
}

#[test]
fn ctrl_c_kills_the_child_of_process_run() {
    let s = Scratch::new("sigint-run");
    let mut child = Running::start(s.weft(
        r#"
import process
import fs
// The main task awaits run() itself, so Ctrl-C's cancel reaches it; a
// helper task reports the child's pid once the child has written it.
async fn report() {
    while !fs.exists("child.pid") {
        await sleep(1)
    }
    print("ready", (await fs.read("child.pid")).trim())
}
spawn report()
await process.run("sh", ["-c", "echo \$\$ > child.pid.tmp; mv child.pid.tmp child.pid; exec sleep 100"])
print("run finished")
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    let ready = out.until(|l| l.starts_with("ready "));
    let pid = ready["ready ".len()..].to_string();
    assert!(alive(&pid), "the child {pid} is not running");
    child.signal(libc::SIGINT);
    assert_eq!(child.wait().code(), Some(130));
    assert_eq!(out.rest(), Vec::<String>::new());
    assert!(
        !alive(&pid),
        "the child {pid} outlived the interrupted program"
    );
}

#[test]
fn ctrl_c_while_reading_stdin() {
    let s = Scratch::new("sigint-stdin");
    let mut cmd = s.weft(
        r#"
import io
try {
    print("ready")
    for await line in io.lines() {
        print("got", line)
    }
} finally {
    print("finally ran")
}
"#,
    );
    cmd.stdin(Stdio::piped());
    let mut child = Running::start(cmd);
    let stdin = child.0.stdin.take().unwrap();
    let mut out = Lines::of_stdout(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    assert_eq!(child.wait().code(), Some(130));
    assert_eq!(out.rest(), vec!["finally ran".to_string()]);
    drop(stdin);
}

#[test]
fn ctrl_c_after_main_finished_cancels_every_task_and_exits_130() {
    let s = Scratch::new("sigint-after-main");
    let mut child = Running::start(s.weft(
        r#"
async fn forever() {
    try {
        while true { await sleep(10) }
    } finally {
        print("task stopped")
    }
}
spawn forever()
print("main done")
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    out.until(|l| l == "main done");
    child.signal(libc::SIGINT);
    assert_eq!(out.rest(), vec!["task stopped".to_string()]);
    assert_eq!(err.rest(), vec!["interrupted".to_string()]);
    assert_eq!(child.wait().code(), Some(130));
}

/// A program whose stdout reader has stopped reading waits in `print` once
/// a megabyte is queued; Ctrl-C still interrupts it: the unwritten output
/// is dropped, the finally block runs and the status is 130.
#[test]
fn ctrl_c_while_stdout_is_full() {
    let s = Scratch::new("sigint-full-stdout");
    let mut child = Running::start(s.weft(
        r#"
eprint("ready")
try {
    for i in 0..10000000 { print("line ${i} xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") }
} finally {
    eprint("finally ran")
}
"#,
    ));
    // Keep stdout open but never read it.
    let _stdout = child.0.stdout.take();
    let mut err = Lines::of_stderr(&mut child);
    err.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    assert_eq!(
        err.rest(),
        vec!["finally ran".to_string(), "interrupted".to_string()]
    );
    assert_eq!(child.wait().code(), Some(130));
}

/// Output printed before a second Ctrl-C is still written out: the second
/// one ends the program at the end of the running slice, after stdout.
#[test]
fn second_ctrl_c_keeps_what_was_printed() {
    let s = Scratch::new("sigint-twice-output");
    let mut child = Running::start(s.weft(
        r#"
try {
    print("ready")
    await sleep(100000)
} finally {
    print("in finally")
    eprint("cleaning up")
    while true { }
}
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    err.until(|l| l == "cleaning up");
    child.signal(libc::SIGINT);
    assert_eq!(out.rest(), vec!["in finally".to_string()]);
    assert_eq!(child.wait().code(), Some(130));
}

/// An error thrown while the program unwinds after Ctrl-C is reported (and
/// the status is still 130).
#[test]
fn error_thrown_after_ctrl_c_is_reported() {
    let s = Scratch::new("sigint-then-error");
    let mut child = Running::start(s.weft(
        r#"
try {
    print("ready")
    await sleep(100000)
} catch e {
    throw ValueError("cleanup failed")
}
"#,
    ));
    let mut out = Lines::of_stdout(&mut child);
    let mut err = Lines::of_stderr(&mut child);
    out.until(|l| l == "ready");
    child.signal(libc::SIGINT);
    let report = err.rest();
    assert!(
        report
            .iter()
            .any(|l| l.contains("ValueError: cleanup failed")),
        "{report:?}"
    );
    assert_eq!(child.wait().code(), Some(130));
}

/// Stdout redirected to a file is written out before the program waits
/// for stdin (a log shows what happened so far).
#[test]
fn stdout_to_a_file_is_written_before_reading_stdin() {
    let s = Scratch::new("stdout-file-before-read");
    let log = s.dir.join("out.txt");
    let mut cmd = s.weft(
        r#"
import io
print("before read")
let line = await io.stdin.read_line()
print("got", line)
"#,
    );
    cmd.stdout(fs::File::create(&log).unwrap())
        .stdin(Stdio::piped());
    let mut child = Running::start(cmd);
    let deadline = Instant::now() + LIMIT;
    while fs::read_to_string(&log).unwrap_or_default() != "before read\n" {
        assert!(Instant::now() < deadline, "nothing written before the read");
        thread::sleep(Duration::from_millis(5));
    }
    let mut stdin = child.0.stdin.take().unwrap();
    stdin.write_all(b"hello\n").unwrap();
    drop(stdin);
    assert_eq!(child.wait().code(), Some(0));
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        "before read\ngot hello\n"
    );
}

/// Output that cannot be written (a full disk) is an error at exit.
#[test]
fn unwritable_stdout_is_an_error() {
    if !std::path::Path::new("/dev/full").exists() {
        println!("skipped: no /dev/full on this machine");
        return;
    }
    let s = Scratch::new("dev-full");
    let mut cmd = s.weft("print(\"hello\")\n");
    cmd.stdout(
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    );
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write to stdout"), "{err}");
}

/// Stdin that cannot be read (a folder) is an IOError, not an empty input.
#[test]
fn unreadable_stdin_is_an_ioerror() {
    let s = Scratch::new("stdin-folder");
    let mut cmd = s.weft("import io\nprint(await io.read_all())\n");
    cmd.stdin(fs::File::open(&s.dir).unwrap());
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("IOError: cannot read stdin"), "{err}");
}

/// On a terminal, a prompt written without a newline shows before the
/// program waits for the answer.
#[test]
fn prompt_shows_on_a_terminal_before_reading() {
    let (mut master, slave) = match pty() {
        Some(p) => p,
        None => {
            println!("skipped: no pseudo-terminal available");
            return;
        }
    };
    let s = Scratch::new("tty-prompt");
    let mut cmd = s.weft(
        r#"
import io
io.write("Name? ")
let name = await io.stdin.read_line()
print("hello", name)
"#,
    );
    cmd.stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap());
    let mut child = Running::start(cmd);
    drop(slave);
    let mut seen = Vec::new();
    let deadline = Instant::now() + LIMIT;
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("Name? ") {
        assert!(Instant::now() < deadline, "no prompt: {seen:?}");
        match master.read(&mut buf) {
            Ok(0) | Err(_) => panic!("the terminal closed: {seen:?}"),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    master.write_all(b"Ada\n").unwrap();
    assert_eq!(child.wait().code(), Some(0));
}

/// A pseudo-terminal: the master side and the slave side.
fn pty() -> Option<(fs::File, fs::File)> {
    // SAFETY: posix_openpt/grantpt/unlockpt/ptsname on a descriptor we own.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        if master < 0 {
            return None;
        }
        let master = fs::File::from_raw_fd(master);
        use std::os::fd::AsRawFd;
        if libc::grantpt(master.as_raw_fd()) != 0 || libc::unlockpt(master.as_raw_fd()) != 0 {
            return None;
        }
        let name = libc::ptsname(master.as_raw_fd());
        if name.is_null() {
            return None;
        }
        let path = std::ffi::CStr::from_ptr(name).to_str().ok()?.to_string();
        let slave = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .ok()?;
        Some((master, slave))
    }
}

/// Conns dropped without `close()` are closed by the collector, which runs
/// when open descriptors near the limit: 500 such connections under a limit
/// of 64 descriptors succeed.
#[test]
fn dropped_conns_do_not_exhaust_descriptors() {
    let s = Scratch::new("fd-pressure");
    s.file(
        "main.weft",
        r#"
import net
let l = await net.listen("127.0.0.1:0")
async fn once() {
    let c = await net.connect(l.addr())
    let d = await l.accept()
    await c.write("x")
    let got = await d.read(1)
}
for i in range(0, 500) { await once() }
print("500 connections")
"#,
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec '{}' main.weft",
            env!("CARGO_BIN_EXE_weft")
        ))
        .current_dir(&s.dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "500 connections\n");
}
