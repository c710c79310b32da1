//! Smoke tests for the examples that need a peer or input, which
//! tests/examples.rs skips: the servers (`echo_server`, `chat_server`,
//! `tcp_proxy`) are started on 127.0.0.1:0 and driven over TCP from the
//! address they print first; `wc` counts a temp file and piped stdin;
//! `parallel_jobs` has its report checked. Every socket read and write has a
//! timeout and every child is killed when its guard drops (also when a check
//! fails), so a broken example fails in seconds instead of hanging.
//! One trial per behaviour (`cargo test --test io_examples -- chat`).

use libtest_mimic::{Arguments, Trial};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::mpsc::Receiver;
use std::thread::{self, JoinHandle};

#[path = "support/examples.rs"]
mod support;
use support::*;

/// The start of `s`, for failure messages about long lines.
fn short(s: &str) -> String {
    if s.chars().count() <= 80 {
        return format!("{s:?}");
    }
    let head: String = s.chars().take(80).collect();
    format!("{head:?}... ({} bytes)", s.len())
}

fn expect_eq(what: &str, got: &str, want: &str) -> Outcome {
    if got == want {
        return Ok(());
    }
    Err(format!("{what}: got {}, expected {}", short(got), short(want)).into())
}

/// A server example, started with `args`, whose first line of output,
/// `listening on ADDR`, gave its address.
struct Server {
    addr: String,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    _child: Guard,
}

impl Server {
    fn start(name: &str, args: &[&str]) -> Outcome<Server> {
        let child = weft(name, args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run weft: {e}"))?;
        let mut child = Guard(child);
        let stdout = lines_of(child.0.stdout.take());
        let stderr = lines_of(child.0.stderr.take());
        let mut server = Server {
            addr: String::new(),
            stdout,
            stderr,
            _child: child,
        };
        let first = server.next_line()?;
        match first.strip_prefix("listening on ") {
            Some(addr) => server.addr = addr.to_string(),
            None => return Err(format!("{name}: first line {first:?}").into()),
        }
        Ok(server)
    }

    /// The next line the server prints on stdout.
    fn next_line(&self) -> Outcome<String> {
        self.stdout.recv_timeout(WAIT).map_err(|_| {
            let stderr: Vec<String> = self.stderr.try_iter().collect();
            format!("no line on stdout; stderr:\n{}", stderr.join("\n")).into()
        })
    }

    /// The next line the server prints on stderr.
    fn next_error(&self) -> Outcome<String> {
        self.stderr
            .recv_timeout(WAIT)
            .map_err(|_| "no line on stderr".into())
    }

    fn connect(&self) -> Outcome<Client> {
        Client::connect(&self.addr)
    }
}

/// A TCP client whose reads and writes time out after `WAIT`.
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: &str) -> Outcome<Client> {
        let stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
        stream.set_read_timeout(Some(WAIT))?;
        stream.set_write_timeout(Some(WAIT))?;
        let reader = BufReader::new(stream.try_clone()?);
        Ok(Client { stream, reader })
    }

    fn send(&mut self, text: &str) -> Outcome {
        self.stream
            .write_all(text.as_bytes())
            .map_err(|e| format!("write: {e}").into())
    }

    /// Writes `data` from another thread, so the test can read the replies
    /// meanwhile (neither side's socket buffers need to hold all of it).
    fn send_in_background(&self, data: String) -> Outcome<JoinHandle<std::io::Result<()>>> {
        let mut stream = self.stream.try_clone()?;
        Ok(thread::spawn(move || stream.write_all(data.as_bytes())))
    }

    /// The next line, without its `\n`; end of stream or a timeout fails.
    fn line(&mut self) -> Outcome<String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => Err("the server closed the connection".into()),
            Ok(_) => {
                if line.ends_with('\n') {
                    line.pop();
                }
                Ok(line)
            }
            Err(e) if is_timeout(&e) => Err(format!("no line within {WAIT:?}").into()),
            Err(e) => Err(format!("read: {e}").into()),
        }
    }

    /// Reads until the server closes the connection; the number of bytes read.
    fn read_to_end(&mut self) -> Outcome<u64> {
        std::io::copy(&mut self.reader, &mut std::io::sink())
            .map_err(|e| format!("the server did not close the connection: {e}").into())
    }

    fn local_addr(&self) -> Outcome<String> {
        Ok(self.stream.local_addr()?.to_string())
    }
}

/// A read or write that ran out of time (the error kind differs by platform).
fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn join_writer(writer: JoinHandle<std::io::Result<()>>) -> Outcome {
    match writer.join() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("background write: {e}").into()),
        Err(_) => Err("the writer thread panicked".into()),
    }
}

fn echo_server() -> Outcome {
    let server = Server::start("echo_server", &["127.0.0.1:0"])?;
    let mut a = server.connect()?;
    let mut b = server.connect()?;
    a.send("hello\n")?;
    b.send("world\r\n")?;
    expect_eq("b", &b.line()?, "echo: world")?;
    expect_eq("a", &a.line()?, "echo: hello")?;

    // Long lines, more than the socket buffers hold, echoed while being sent.
    let long = "z".repeat(256 * 1024);
    let writer = a.send_in_background(format!("{long}\n").repeat(8))?;
    for _ in 0..8 {
        expect_eq("a", &a.line()?, &format!("echo: {long}"))?;
    }
    join_writer(writer)?;

    // A client hanging up does not disturb another.
    drop(a);
    b.send("still here\n")?;
    expect_eq("b", &b.line()?, "echo: still here")
}

/// A chat client that has sent its name; `online` is how many clients the
/// server's greeting counts, this one included.
fn chat_join(server: &Server, name: &str, online: usize) -> Outcome<Client> {
    let mut c = server.connect()?;
    let welcome = c.line()?;
    if !welcome.starts_with("* welcome") {
        return Err(format!("{name}: first line {welcome:?}").into());
    }
    c.send(&format!("{name}\n"))?;
    expect_eq(
        name,
        &c.line()?,
        &format!("* hello {name}, {online} online"),
    )?;
    Ok(c)
}

fn chat_server() -> Outcome {
    let server = Server::start("chat_server", &["127.0.0.1:0"])?;
    let mut alice = chat_join(&server, "alice", 1)?;
    let mut bob = chat_join(&server, "bob", 2)?;
    expect_eq("alice", &alice.line()?, "* bob joined")?;
    alice.send("hi bob\n")?;
    expect_eq("bob", &bob.line()?, "alice: hi bob")?;
    bob.send("hi alice\n")?;
    expect_eq("alice", &alice.line()?, "bob: hi alice")?;

    // Carol joins and then never reads.
    let mut carol = chat_join(&server, "carol", 3)?;
    expect_eq("alice", &alice.line()?, "* carol joined")?;
    expect_eq("bob", &bob.line()?, "* carol joined")?;

    // Alice floods, 100 lines of 1000 bytes at a time, and bob reads each
    // batch before the next is sent (so bob is never the slow one). Carol's
    // socket buffers and then her queue fill up, and the server must drop
    // her rather than stall: go on until bob hears of it, and a little more.
    let text = "x".repeat(999);
    let batch = format!("{text}\n").repeat(100);
    let from_alice = format!("alice: {text}");
    let dropped = "* carol dropped (too slow)";
    let mut sent = 0usize;
    let mut batches_after_drop = None;
    while batches_after_drop != Some(10) {
        if sent >= 64_000 {
            return Err(format!("carol was not dropped after {sent} lines of 1000 bytes").into());
        }
        alice.send(&batch)?;
        for _ in 0..100 {
            let mut line = bob.line()?;
            if line == dropped && batches_after_drop.is_none() {
                batches_after_drop = Some(0);
                line = bob.line()?;
            }
            if line != from_alice {
                return Err(format!("bob, after {sent} lines: got {}", short(&line)).into());
            }
            sent += 1;
        }
        batches_after_drop = batches_after_drop.map(|n| n + 1);
    }
    expect_eq("alice", &alice.line()?, dropped)?;

    // Both still hear each other, and carol's connection was closed after
    // what her socket buffers held.
    bob.send("still here\n")?;
    expect_eq("alice", &alice.line()?, "bob: still here")?;
    let carol_got = carol.read_to_end()?;
    if carol_got >= (sent * 1007) as u64 {
        return Err(format!("carol got all {carol_got} bytes, yet was dropped").into());
    }
    drop(bob);
    expect_eq("alice", &alice.line()?, "* bob left")
}

fn tcp_proxy() -> Outcome {
    let echo = Server::start("echo_server", &["127.0.0.1:0"])?;
    let proxy = Server::start("tcp_proxy", &["127.0.0.1:0", &echo.addr])?;
    let mut c = proxy.connect()?;
    let me = c.local_addr()?;
    expect_eq("proxy", &proxy.next_line()?, &format!("{me} connected"))?;
    c.send("through the proxy\n")?;
    expect_eq("client", &c.line()?, "echo: through the proxy")?;

    // Bytes flow both ways at once, more than the socket buffers hold.
    let long = "p".repeat(100_000);
    let writer = c.send_in_background(format!("{long}\n").repeat(30))?;
    for _ in 0..30 {
        expect_eq("client", &c.line()?, &format!("echo: {long}"))?;
    }
    join_writer(writer)?;

    // Hanging up ends both directions (the proxy reports it once both of
    // its tasks have finished), and the proxy takes the next client.
    drop(c);
    expect_eq("proxy", &proxy.next_line()?, &format!("{me} closed"))?;
    let mut d = proxy.connect()?;
    d.send("again\n")?;
    expect_eq("client", &d.line()?, "echo: again")?;

    // A target that refuses: the client is closed and the proxy says why.
    let gone = TcpListener::bind("127.0.0.1:0")?;
    let dead = gone.local_addr()?.to_string();
    drop(gone);
    let proxy = Server::start("tcp_proxy", &["127.0.0.1:0", &dead])?;
    let mut e = proxy.connect()?;
    let got = e.read_to_end()?;
    if got != 0 {
        return Err(format!("{got} bytes from a proxy with no target").into());
    }
    let why = proxy.next_error()?;
    if !why.contains(&format!("cannot connect to {dead}")) {
        return Err(format!("proxy stderr: {why:?}").into());
    }
    Ok(())
}

/// What a run of an example that finishes printed, and its exit status.
struct Finished {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run_to_end(name: &str, args: &[&str], stdin: Option<&str>) -> Outcome<Finished> {
    let child = weft(name, args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run weft: {e}"))?;
    let mut child = Guard(child);
    if let (Some(input), Some(mut pipe)) = (stdin, child.0.stdin.take()) {
        let input = input.to_string();
        thread::spawn(move || pipe.write_all(input.as_bytes()));
    }
    let stdout = all_of(child.0.stdout.take());
    let stderr = all_of(child.0.stderr.take());
    let stdout = stdout
        .recv_timeout(WAIT)
        .map_err(|_| format!("{name} did not finish"))?;
    let stderr = stderr
        .recv_timeout(WAIT)
        .map_err(|_| format!("{name} did not finish"))?;
    let status = child.0.wait()?.code().unwrap_or(-1);
    Ok(Finished {
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

fn expect_run(run: &Finished, status: i32, stdout: &str, stderr: &str) -> Outcome {
    if run.status == status && run.stdout == stdout && run.stderr == stderr {
        return Ok(());
    }
    Err(format!(
        "status {} (expected {status})\nstdout:\n{}\nexpected:\n{stdout}\nstderr:\n{}\nexpected:\n{stderr}",
        run.status, run.stdout, run.stderr
    )
    .into())
}

/// One line of `wc` output.
fn wc_row(lines: usize, words: usize, bytes: usize, name: &str) -> String {
    let row = format!("{lines:>7} {words:>7} {bytes:>7}");
    if name.is_empty() {
        format!("{row}\n")
    } else {
        format!("{row} {name}\n")
    }
}

/// A folder of its own under the system's temp folder, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Outcome<TempDir> {
        let dir = std::env::temp_dir().join(format!("weft-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(TempDir(dir))
    }

    fn file(&self, name: &str, text: &str) -> Outcome<String> {
        let path = self.0.join(name);
        std::fs::write(&path, text)?;
        Ok(path.to_string_lossy().into_owned())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn wc_files() -> Outcome {
    let dir = TempDir::new("wc")?;
    let a = dir.file("a.txt", "hello world\nfoo  bar\tbaz\n")?;
    let b = dir.file("b.txt", "héllo\n\n wörld  ")?;
    let run = run_to_end("wc", &[&a], None)?;
    expect_run(&run, 0, &wc_row(2, 5, 25, &a), "")?;

    let both = wc_row(2, 5, 25, &a) + &wc_row(2, 2, 17, &b) + &wc_row(4, 7, 42, "total");
    let run = run_to_end("wc", &[&a, &b], None)?;
    expect_run(&run, 0, &both, "")?;

    // A missing file is reported on stderr; the others are still counted.
    let missing = dir.0.join("missing.txt").to_string_lossy().into_owned();
    let run = run_to_end("wc", &[&a, &missing, &b], None)?;
    let err = format!("wc: cannot read `{missing}`: No such file or directory\n");
    expect_run(&run, 1, &both, &err)
}

fn wc_stdin() -> Outcome {
    let run = run_to_end("wc", &[], Some("one two\nthree\n  four"))?;
    expect_run(&run, 0, &wc_row(2, 4, 20, ""), "")?;
    let run = run_to_end("wc", &[], Some(""))?;
    expect_run(&run, 0, &wc_row(0, 0, 0, ""), "")
}

fn parallel_jobs() -> Outcome {
    let run = run_to_end("parallel_jobs", &[], None)?;
    let report = "\
sleep 0.1: exit 0
echo hi: exit 0, printed \"hi\"
false: exit 1
no-such-command-weft: IOError: cannot run `no-such-command-weft`: No such file or directory
sleep 5: timed out after 1000 ms
sh -c exit 3: exit 3
sleep 0.2: exit 0
at most 3 ran at once (limit 3)
";
    // The last line, the wall time, varies.
    let (head, last) = run
        .stdout
        .rsplit_once("wall time")
        .unwrap_or((&run.stdout, ""));
    if run.status != 0 || head != report || !last.ends_with(" ms\n") || !run.stderr.is_empty() {
        return Err(format!(
            "status {}\nstdout:\n{}\nexpected:\n{report}wall time N ms\nstderr:\n{}",
            run.status, run.stdout, run.stderr
        )
        .into());
    }
    Ok(())
}

fn main() {
    let trials = vec![
        Trial::test("echo_server", echo_server),
        Trial::test("chat_server", chat_server),
        Trial::test("tcp_proxy", tcp_proxy),
        Trial::test("wc_files", wc_files),
        Trial::test("wc_stdin", wc_stdin),
        Trial::test("parallel_jobs", parallel_jobs),
    ];
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
