//! Smoke tests for the `http` examples: the servers (`http_hello`,
//! `todo_api`, `sse_clock`) are started on 127.0.0.1:0 and driven with
//! plain HTTP/1.1 over `TcpStream` from the address their first line,
//! `listening on http://ADDR`, gives; `fetch_many` is run on its own (it
//! serves itself) and against `http_hello`. The client here is deliberately
//! small and strict: it reads exactly the framing the server announces
//! (`content-length` or chunked), so a response with a wrong length breaks
//! the next request on the same connection. Every read has a timeout and
//! every child is killed when its guard drops, so a broken example fails in
//! seconds instead of hanging. One trial per example
//! (`cargo test --test http_examples -- todo`).

use libtest_mimic::{Arguments, Trial};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::mpsc::Receiver;

#[path = "support/examples.rs"]
mod support;
use support::*;

fn expect<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Outcome {
    if got == want {
        return Ok(());
    }
    Err(format!("{what}: got {got:?}, expected {want:?}").into())
}

/// A server example, started with `127.0.0.1:0`, whose first line of
/// output, `listening on http://ADDR`, gave its address.
struct Server {
    addr: String,
    stderr: Receiver<String>,
    _stdout: Receiver<String>,
    _child: Guard,
}

impl Server {
    fn start(name: &str) -> Outcome<Server> {
        let child = weft(name, &["127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run weft: {e}"))?;
        let mut child = Guard(child);
        let stdout = lines_of(child.0.stdout.take());
        let stderr = lines_of(child.0.stderr.take());
        let first = stdout.recv_timeout(WAIT).map_err(|_| {
            let stderr: Vec<String> = stderr.try_iter().collect();
            format!("{name} printed no line; stderr:\n{}", stderr.join("\n"))
        })?;
        let Some(addr) = first.strip_prefix("listening on http://") else {
            return Err(format!("{name}: first line {first:?}").into());
        };
        Ok(Server {
            addr: addr.to_string(),
            stderr,
            _stdout: stdout,
            _child: child,
        })
    }

    fn connect(&self) -> Outcome<Conn> {
        Conn::connect(&self.addr)
    }

    /// Fails if the server has reported anything on stderr so far (a
    /// handler that threw, a task that died).
    fn quiet(&self) -> Outcome {
        let errors: Vec<String> = self.stderr.try_iter().collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(format!("the server wrote to stderr:\n{}", errors.join("\n")).into())
    }
}

/// A response as read off the wire.
struct Response {
    status: u16,
    /// Lower-cased names, in the order received.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, after checking that it says it is JSON.
    fn json(&self) -> Outcome<Value> {
        let kind = self.header("content-type").unwrap_or("");
        if !kind.starts_with("application/json") {
            return Err(format!("content-type {kind:?}, expected application/json").into());
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("body {:?} is not JSON: {e}", self.text()).into())
    }

    /// Fails unless the status is `status`, showing the body otherwise.
    fn expect_status(&self, what: &str, status: u16) -> Outcome<&Response> {
        if self.status == status {
            return Ok(self);
        }
        Err(format!(
            "{what}: status {}, expected {status}; body {:?}",
            self.status,
            self.text()
        )
        .into())
    }
}

/// One HTTP/1.1 connection; reads time out after `WAIT`.
struct Conn {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    fn connect(addr: &str) -> Outcome<Conn> {
        let stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
        stream.set_read_timeout(Some(WAIT))?;
        stream.set_write_timeout(Some(WAIT))?;
        let reader = BufReader::new(stream.try_clone()?);
        Ok(Conn {
            stream,
            reader,
            host: addr.to_string(),
        })
    }

    /// Writes a request; a body gets its `content-length`.
    fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> Outcome {
        let mut req = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\n", self.host);
        if let Some(body) = body {
            req += &format!(
                "content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
        } else {
            req += "\r\n";
        }
        self.stream
            .write_all(req.as_bytes())
            .map_err(|e| format!("write {method} {path}: {e}").into())
    }

    /// Sends a request and reads its whole response.
    fn request(&mut self, method: &str, path: &str, body: Option<&str>) -> Outcome<Response> {
        self.send(method, path, body)?;
        self.response(method).map_err(|e| {
            let why = e.message().unwrap_or("failed");
            format!("{method} {path}: {why}").into()
        })
    }

    fn get(&mut self, path: &str) -> Outcome<Response> {
        self.request("GET", path, None)
    }

    /// The next line, without its CRLF; end of stream or a timeout fails.
    fn line(&mut self) -> Outcome<String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => Err("the server closed the connection".into()),
            Ok(_) => {
                let Some(line) = line.strip_suffix("\r\n") else {
                    return Err(format!("line {line:?} does not end with CRLF").into());
                };
                Ok(line.to_string())
            }
            Err(e) => Err(format!("read: {e}").into()),
        }
    }

    fn exact(&mut self, n: usize) -> Outcome<Vec<u8>> {
        let mut data = vec![0; n];
        self.reader
            .read_exact(&mut data)
            .map_err(|e| format!("reading {n} bytes: {e}"))?;
        Ok(data)
    }

    /// The status line and headers of the next response.
    fn head(&mut self) -> Outcome<Response> {
        let status_line = self.line()?;
        let mut parts = status_line.splitn(3, ' ');
        let (Some("HTTP/1.1"), Some(code), Some(_reason)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("status line {status_line:?}").into());
        };
        let status = code
            .parse()
            .map_err(|_| format!("status line {status_line:?}"))?;
        let mut headers = Vec::new();
        loop {
            let line = self.line()?;
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(format!("header line {line:?}").into());
            };
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
        Ok(Response {
            status,
            headers,
            body: Vec::new(),
        })
    }

    /// The next chunk of a chunked body, or None after the last one (and
    /// its trailers) has been read.
    fn chunk(&mut self) -> Outcome<Option<Vec<u8>>> {
        let line = self.line()?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size, 16).map_err(|_| format!("chunk size line {line:?}"))?;
        if size == 0 {
            while !self.line()?.is_empty() {}
            return Ok(None);
        }
        let data = self.exact(size)?;
        let end = self.line()?;
        if !end.is_empty() {
            return Err(format!("chunk of {size} bytes followed by {end:?}").into());
        }
        Ok(Some(data))
    }

    /// The next response to a request with `method`, body included.
    fn response(&mut self, method: &str) -> Outcome<Response> {
        let mut res = self.head()?;
        let chunked = res
            .header("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"));
        let length = res.header("content-length").map(str::to_string);
        if method == "HEAD" || res.status == 204 || res.status == 304 || res.status < 200 {
            return Ok(res);
        }
        if chunked {
            while let Some(data) = self.chunk()? {
                res.body.extend(data);
            }
        } else if let Some(length) = length {
            let n = length
                .parse()
                .map_err(|_| format!("content-length {length:?}"))?;
            res.body = self.exact(n)?;
        } else {
            return Err("a response with neither content-length nor chunked encoding".into());
        }
        Ok(res)
    }
}

fn hello() -> Outcome {
    let server = Server::start("http_hello")?;
    let mut c = server.connect()?;
    let res = c.get("/")?;
    res.expect_status("GET /", 200)?;
    expect("body", res.text().as_str(), "Hello, world!\n")?;
    expect("content-length", res.header("content-length"), Some("14"))?;
    let kind = res.header("content-type").unwrap_or("");
    if !kind.starts_with("text/plain") {
        return Err(format!("content-type {kind:?}").into());
    }
    if res.header("date").is_none() {
        return Err("no date header".into());
    }

    // The same connection serves more requests: another path, a HEAD
    // (headers only: a stray body would be misread as the next response),
    // and a GET after it.
    let res = c.get("/some/where?x=1")?;
    res.expect_status("second GET", 200)?;
    expect("second body", res.text().as_str(), "Hello, world!\n")?;
    let res = c.request("HEAD", "/", None)?;
    res.expect_status("HEAD", 200)?;
    expect(
        "HEAD content-length",
        res.header("content-length"),
        Some("14"),
    )?;
    let res = c.get("/")?;
    expect("GET after HEAD", res.text().as_str(), "Hello, world!\n")?;

    // A second client at the same time.
    let mut d = server.connect()?;
    expect(
        "other client",
        d.get("/")?.text().as_str(),
        "Hello, world!\n",
    )?;
    expect(
        "first client again",
        c.get("/")?.text().as_str(),
        "Hello, world!\n",
    )?;
    server.quiet()
}

/// The `error` field of a JSON error body with `status`.
fn expect_error(what: &str, res: &Response, status: u16) -> Outcome {
    res.expect_status(what, status)?;
    let body = res.json()?;
    match body.get("error") {
        Some(Value::String(s)) if !s.is_empty() => Ok(()),
        _ => Err(format!("{what}: body {body}, expected {{\"error\": \"...\"}}").into()),
    }
}

fn todo_api() -> Outcome {
    let server = Server::start("todo_api")?;
    let mut c = server.connect()?;
    expect(
        "empty list",
        c.get("/todos")?.expect_status("list", 200)?.json()?,
        json!([]),
    )?;

    // Create two.
    let res = c.request("POST", "/todos", Some(r#"{"title": "buy milk"}"#))?;
    let milk = json!({"id": 1, "title": "buy milk", "done": false});
    expect(
        "created",
        res.expect_status("POST", 201)?.json()?,
        milk.clone(),
    )?;
    let res = c.request("POST", "/todos", Some(r#"{"title": "walk the dog"}"#))?;
    let dog = json!({"id": 2, "title": "walk the dog", "done": false});
    expect(
        "created",
        res.expect_status("POST", 201)?.json()?,
        dog.clone(),
    )?;
    let res = c.get("/todos")?;
    expect("list", res.json()?, json!([milk, dog]))?;
    expect(
        "read",
        c.get("/todos/1")?.expect_status("GET", 200)?.json()?,
        milk,
    )?;

    // Update one field, then the other.
    let res = c.request("PUT", "/todos/1", Some(r#"{"done": true}"#))?;
    let done = json!({"id": 1, "title": "buy milk", "done": true});
    expect("done", res.expect_status("PUT", 200)?.json()?, done.clone())?;
    let res = c.request("PUT", "/todos/1", Some(r#"{"title": "buy oat milk"}"#))?;
    let renamed = json!({"id": 1, "title": "buy oat milk", "done": true});
    expect(
        "renamed",
        res.expect_status("PUT", 200)?.json()?,
        renamed.clone(),
    )?;
    expect("read again", c.get("/todos/1")?.json()?, renamed)?;

    // Delete: 204 with no body; then the id is unknown everywhere.
    let res = c.request("DELETE", "/todos/1", None)?;
    res.expect_status("DELETE", 204)?;
    expect("DELETE body", res.body.as_slice(), b"".as_slice())?;
    expect_error("GET deleted", &c.get("/todos/1")?, 404)?;
    expect_error(
        "DELETE deleted",
        &c.request("DELETE", "/todos/1", None)?,
        404,
    )?;
    let res = c.request("PUT", "/todos/1", Some(r#"{"done": false}"#))?;
    expect_error("PUT deleted", &res, 404)?;
    expect_error("GET unknown", &c.get("/todos/99")?, 404)?;
    expect_error("GET non-number", &c.get("/todos/abc")?, 404)?;

    // Bad bodies are 400s, and the connection goes on after each.
    for body in [
        "not json",
        r#"{"title": "unclosed"#,
        "",
        "[1, 2]",
        "{}",
        r#"{"title": 5}"#,
    ] {
        let res = c.request("POST", "/todos", Some(body))?;
        expect_error(&format!("POST {body:?}"), &res, 400)?;
    }
    let res = c.request("PUT", "/todos/2", Some("{oops"))?;
    expect_error("PUT bad JSON", &res, 400)?;
    let res = c.request("PUT", "/todos/2", Some(r#"{"done": "yes"}"#))?;
    expect_error("PUT bad done", &res, 400)?;
    expect("after the errors", c.get("/todos")?.json()?, json!([dog]))?;

    // The router's own answers: no such route, and a route without the method.
    c.get("/nowhere")?.expect_status("GET /nowhere", 404)?;
    let res = c.request("PATCH", "/todos/2", None)?;
    res.expect_status("PATCH", 405)?;
    let allow = res.header("allow").unwrap_or("");
    if !["GET", "PUT", "DELETE"].iter().all(|m| allow.contains(m)) {
        return Err(format!("405 allow header {allow:?}").into());
    }

    // Another connection sees the same store, and ids are never reused.
    let mut d = server.connect()?;
    let res = d.request("POST", "/todos", Some(r#"{"title": "third"}"#))?;
    let third = json!({"id": 3, "title": "third", "done": false});
    expect(
        "created",
        res.expect_status("POST", 201)?.json()?,
        third.clone(),
    )?;
    expect("final list", c.get("/todos")?.json()?, json!([dog, third]))?;
    server.quiet()
}

/// Whether `event` is `data: HH:MM:SS UTC\n\n`.
fn is_clock_event(event: &str) -> bool {
    let Some(time) = event
        .strip_prefix("data: ")
        .and_then(|e| e.strip_suffix(" UTC\n\n"))
    else {
        return false;
    };
    let parts: Vec<&str> = time.split(':').collect();
    parts.len() == 3
        && parts
            .iter()
            .zip([24, 60, 60])
            .all(|(p, limit)| p.len() == 2 && p.parse::<u32>().is_ok_and(|n| n < limit))
}

fn sse_clock() -> Outcome {
    let server = Server::start("sse_clock")?;
    let mut c = server.connect()?;
    c.send("GET", "/events", None)?;
    let res = c.head()?;
    res.expect_status("GET /events", 200)?;
    expect(
        "content-type",
        res.header("content-type"),
        Some("text/event-stream"),
    )?;
    expect(
        "transfer-encoding",
        res.header("transfer-encoding"),
        Some("chunked"),
    )?;
    if res.header("content-length").is_some() {
        return Err("a streamed response with a content-length".into());
    }

    // Two events, however they are cut into chunks (one chunk each, as the
    // example yields them, but a client may not rely on that).
    let mut stream = String::new();
    let mut events = Vec::new();
    while events.len() < 2 {
        let Some(data) = c.chunk()? else {
            return Err(format!("the stream ended after {stream:?}").into());
        };
        stream += std::str::from_utf8(&data).map_err(|_| "a chunk that is not UTF-8")?;
        while let Some(end) = stream.find("\n\n") {
            events.push(stream[..end + 2].to_string());
            stream.drain(..end + 2);
        }
    }
    for event in &events {
        if !is_clock_event(event) {
            return Err(format!("event {event:?}, expected \"data: HH:MM:SS UTC\\n\\n\"").into());
        }
    }
    if events[0] == events[1] {
        return Err(format!("two events a second apart are the same: {:?}", events[0]).into());
    }
    drop(c);

    // The page, on a new connection while the server goes on.
    let mut d = server.connect()?;
    let res = d.get("/")?;
    res.expect_status("GET /", 200)?;
    let kind = res.header("content-type").unwrap_or("");
    if !kind.starts_with("text/html") {
        return Err(format!("page content-type {kind:?}").into());
    }
    if !res.text().contains("new EventSource('/events')") {
        return Err(format!("the page does not open /events:\n{}", res.text()).into());
    }
    d.get("/nowhere")?.expect_status("GET /nowhere", 404)?;
    server.quiet()
}

/// What a run of `fetch_many` printed, after checking that it ended well.
fn run_fetch_many(args: &[&str]) -> Outcome<Vec<String>> {
    let child = weft("fetch_many", args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run weft: {e}"))?;
    let mut child = Guard(child);
    let stdout = all_of(child.0.stdout.take());
    let stderr = all_of(child.0.stderr.take());
    let stdout = stdout
        .recv_timeout(WAIT)
        .map_err(|_| "fetch_many did not finish")?;
    let stderr = stderr
        .recv_timeout(WAIT)
        .map_err(|_| "fetch_many did not finish")?;
    let status = child.0.wait()?.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    let stderr = String::from_utf8_lossy(&stderr);
    if status != 0 || !stderr.is_empty() {
        return Err(format!("status {status}\nstdout:\n{stdout}\nstderr:\n{stderr}").into());
    }
    Ok(stdout.lines().map(str::to_string).collect())
}

/// Checks `lines` against `want`, where a `want` line ending in `*` only
/// has to start with the rest.
fn expect_lines(lines: &[String], want: &[String]) -> Outcome {
    let fits = lines.len() == want.len()
        && lines
            .iter()
            .zip(want)
            .all(|(l, w)| match w.strip_suffix('*') {
                Some(start) => l.starts_with(start),
                None => l == w,
            });
    if fits {
        return Ok(());
    }
    Err(format!(
        "printed:\n{}\nexpected:\n{}",
        lines.join("\n"),
        want.join("\n")
    )
    .into())
}

/// A local address nothing listens on (it was free a moment ago).
fn refusing_addr() -> Outcome<String> {
    let gone = TcpListener::bind("127.0.0.1:0")?;
    Ok(gone.local_addr()?.to_string())
}

fn fetch_many_alone() -> Outcome {
    let lines = run_fetch_many(&[])?;
    let first = lines.first().map(String::as_str).unwrap_or("");
    let Some(base) = first.strip_prefix("no URLs given: fetching from a local server at ") else {
        return Err(format!("first line {first:?}").into());
    };
    let want: Vec<String> = [
        first.to_string(),
        format!("{base}/fast: 200, 5 bytes"),
        format!("{base}/big: 200, 100000 bytes"),
        format!("{base}/slow: timed out after 1000 ms"),
        format!("{base}/missing: 404, *"),
        "http://127.0.0.1:*".to_string(),
        "5 URLs in *".to_string(),
    ]
    .into();
    expect_lines(&lines, &want)?;
    if !lines[5].contains("/: failed: IOError: cannot connect to 127.0.0.1:") {
        return Err(format!("the refused URL: {:?}", lines[5]).into());
    }
    Ok(())
}

fn fetch_many_urls() -> Outcome {
    let hello = Server::start("http_hello")?;
    let refused = refusing_addr()?;
    let urls = [
        format!("http://{}/", hello.addr),
        format!("http://{refused}/"),
        "not-a-url".to_string(),
        format!("http://{}/again", hello.addr),
    ];
    let args: Vec<&str> = urls.iter().map(String::as_str).collect();
    let lines = run_fetch_many(&args)?;
    let want: Vec<String> = [
        format!("{}: 200, 14 bytes", urls[0]),
        format!("{}: failed: IOError: cannot connect to {refused}*", urls[1]),
        "not-a-url: not fetched: ValueError: *".to_string(),
        format!("{}: 200, 14 bytes", urls[3]),
        "4 URLs in *".to_string(),
    ]
    .into();
    expect_lines(&lines, &want)?;
    hello.quiet()
}

fn main() {
    let trials = vec![
        Trial::test("http_hello", hello),
        Trial::test("todo_api", todo_api),
        Trial::test("sse_clock", sse_clock),
        Trial::test("fetch_many_alone", fetch_many_alone),
        Trial::test("fetch_many_urls", fetch_many_urls),
    ];
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
