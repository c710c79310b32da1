//! End-to-end tests of `http` over TLS (LANGUAGE.md §10): `http.serve` on a
//! `net.listen_tls` listener, and `http.get`/`http.request` on https URLs
//! verified with the `ca` option (or `SSL_CERT_FILE`) and refused without
//! it; a rustls client talking to the Weft https server, and the Weft
//! client talking to an https server written here. Each test makes its own
//! CA and server certificate in a fresh folder, writes the Weft programs
//! it runs there, and runs them with the paths as arguments.
#![cfg(unix)]

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::thread;

#[path = "support/tls.rs"]
mod support;
use support::*;

// ---------------------------------------------------------------------------
// The Weft programs.

/// An https server and requests to it: by IP and by name, a POST, a
/// streamed (chunked) response, a large body, and a redirect from a plain
/// http server to the https one. Arguments: CERT KEY CA.
const REQUESTS: &str = r#"
import net
import http
import os

let [cert, key, ca] = os.args
let l = await net.listen_tls("127.0.0.1:0", {"cert": cert, "key": key})
let port = l.addr().split(":")[1]
async fn stream() {
    for i in 0..3 { yield "part ${i};" }
}
let big = "0123456789".repeat(100000)
let server = spawn http.serve(l, async fn(req) {
    if req.path == "/stream" { return {"body": stream()} }
    if req.path == "/big" { return big }
    if req.method == "POST" { return {"json": {"got": req.body, "type": req.headers.get("content-type")}} }
    return "hello over TLS: ${req.method} ${req.path} host=${req.headers["host"].replace(port, "PORT")}"
})
let plain = await net.listen("127.0.0.1:0")
let redirector = spawn http.serve(plain, async fn(req) {
    return {"status": 301, "headers": {"location": "https://localhost:${port}/moved"}}
})

async fn show(label, request) {
    try {
        let res = await request
        let body = res["body"]
        if len(body) > 100 { body = "${len(body)} chars, as sent: ${body == big}" }
        print("${label}: ${res["status"]} ${body}")
    } catch e {
        print("${label}: ${e}")
    }
}
await show("by ip", http.get("https://127.0.0.1:${port}/a", {"ca": ca}))
await show("by name", http.get("https://localhost:${port}/b?x=1", {"ca": ca}))
await show("post", http.request("POST", "https://localhost:${port}/c", {"ca": ca, "json": ["ünï", 1]}))
await show("stream", http.get("https://localhost:${port}/stream", {"ca": ca}))
await show("big", http.get("https://localhost:${port}/big", {"ca": ca, "timeout": 15000}))
await show("redirect", http.get("http://${plain.addr()}/x", {"ca": ca}))
l.close()
plain.close()
await server
await redirector
print("stopped")
"#;

/// One GET to an https server on HOST, with the `ca` option when FIRST_CA
/// is not "-" (else with none), printed as "first: ..."; then one with
/// `ca` = CA on a new program-wide pool key (the IP when HOST is a name,
/// and the other way round), printed as "second: ...", which shows the
/// server goes on after a refused handshake.
/// Arguments: CERT KEY CA HOST FIRST_CA.
const ONE_GET: &str = r#"
import net
import http
import os

let [cert, key, ca, host, first_ca] = os.args
let l = await net.listen_tls("127.0.0.1:0", {"cert": cert, "key": key})
let port = l.addr().split(":")[1]
let server = spawn http.serve(l, async fn(req) { return "served ${req.path}" })

let opts = {}
if first_ca != "-" { opts["ca"] = first_ca }
try {
    let res = await http.get("https://${host}:${port}/first", opts)
    print("first:", res["status"], res["body"])
} catch e {
    print("first:", str(e).replace(port, "PORT"))
    print("first: an IOError:", e is IOError)
}
let other = "localhost"
if host == "localhost" { other = "127.0.0.1" }
try {
    let res = await http.get("https://${other}:${port}/second", {"ca": ca})
    print("second:", res["status"], res["body"])
} catch e {
    print("second:", str(e).replace(port, "PORT"))
}
l.close()
await server
"#;

/// A GET with `ca`, then the same URL without it in the same program: the
/// idle connection from the first, verified against CA, must not serve the
/// second. Arguments: CERT KEY CA.
const CA_THEN_NONE: &str = r#"
import net
import http
import os

let [cert, key, ca] = os.args
let l = await net.listen_tls("127.0.0.1:0", {"cert": cert, "key": key})
let url = "https://localhost:${l.addr().split(":")[1]}/"
let server = spawn http.serve(l, async fn(req) { return "served" })
for opts in [{"ca": ca}, {}, {"ca": ca}] {
    try {
        let res = await http.get(url, opts)
        print(opts.has("ca") && "with ca:" || "without:", res["status"], res["body"])
    } catch e {
        print(opts.has("ca") && "with ca:" || "without:", "an IOError:", e is IOError)
    }
}
l.close()
await server
"#;

/// An https server that runs until stdin ends, then stops. Prints
/// "listening PORT" first and "stopped" last. Arguments: CERT KEY.
const SERVER: &str = r#"
import net
import http
import io
import os

let [cert, key] = os.args
let l = await net.listen_tls("127.0.0.1:0", {"cert": cert, "key": key})
print("listening", l.addr().split(":")[1])
let count = 0
let server = spawn http.serve(l, async fn(req) {
    count += 1
    return {"headers": {"x-count": count}, "body": "${req.method} ${req.path} body=${req.body}"}
})
await io.read_all()
l.close()
await server
print("stopped")
"#;

/// Two GETs to an https server outside the program (HOST:PORT), verified
/// with CA; prints each status, a header and the body.
/// Arguments: HOST:PORT CA.
const CLIENT: &str = r#"
import http
import os

let [addr, ca] = os.args
for path in ["/one", "/two"] {
    try {
        let res = await http.get("https://${addr}${path}", {"ca": ca})
        print(path, res["status"], res["headers"].get("x-server"), repr(res["body"]))
    } catch e {
        print(path, str(e))
    }
}
"#;

// ---------------------------------------------------------------------------
// Certificates and scratch folders.

/// A line without its "\r\n" (HTTP's line end).
fn read_crlf_line(r: &mut impl Read) -> io::Result<String> {
    let mut line = read_line(r)?;
    if line.ends_with('\r') {
        line.pop();
    }
    Ok(line)
}

/// A message's head: its first line and its header lines.
fn read_head(r: &mut impl Read) -> io::Result<(String, Vec<String>)> {
    let first = read_crlf_line(r)?;
    let mut headers = Vec::new();
    loop {
        let line = read_crlf_line(r)?;
        if line.is_empty() {
            return Ok((first, headers));
        }
        headers.push(line);
    }
}

/// The value of header `name` (any case) among `headers`.
fn header<'a>(headers: &'a [String], name: &str) -> Option<&'a str> {
    headers.iter().find_map(|h| {
        let (n, v) = h.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A response with a content-length: status line, headers and body.
fn read_response(r: &mut impl Read) -> io::Result<(String, Vec<String>, String)> {
    let (status, headers) = read_head(r)?;
    let n: usize = header(&headers, "content-length")
        .expect("a content-length")
        .parse()
        .unwrap();
    let mut body = vec![0u8; n];
    r.read_exact(&mut body)?;
    Ok((status, headers, String::from_utf8(body).unwrap()))
}

// ---------------------------------------------------------------------------
// Weft with Weft.

#[test]
fn https_requests_with_ca() {
    let pki = Pki::localhost("requests");
    let script = pki.script("requests.weft", REQUESTS);
    let out = run(&script, &[arg(&pki.cert), arg(&pki.key), arg(&pki.ca)], &[]);
    out.assert_quiet();
    assert_eq!(
        out.lines(),
        [
            "by ip: 200 hello over TLS: GET /a host=127.0.0.1:PORT",
            "by name: 200 hello over TLS: GET /b host=localhost:PORT",
            "post: 200 {\"got\":\"[\\\"ünï\\\",1]\",\"type\":\"application/json\"}",
            "stream: 200 part 0;part 1;part 2;",
            "big: 200 1000000 chars, as sent: true",
            "redirect: 200 hello over TLS: GET /moved host=localhost:PORT",
            "stopped",
        ],
        "{}",
        out.describe()
    );
}

/// ONE_GET's output: the first request to `host` with `first_ca` (or
/// without `ca`), then a second with the test's CA.
fn one_get(pki: &Pki, host: &str, first_ca: Option<&Path>, env: &[(&str, &Path)]) -> Finished {
    let script = pki.script("one_get.weft", ONE_GET);
    let first = first_ca.map_or_else(|| OsString::from("-"), arg);
    run(
        &script,
        &[
            arg(&pki.cert),
            arg(&pki.key),
            arg(&pki.ca),
            host.into(),
            first,
        ],
        env,
    )
}

/// The first request's error in ONE_GET's output, checking that it was an
/// IOError and that the second request was served.
fn first_error(out: &Finished) -> String {
    out.assert_quiet();
    let lines = out.lines();
    assert_eq!(lines.len(), 3, "{}", out.describe());
    assert_eq!(lines[1], "first: an IOError: true", "{}", out.describe());
    assert_eq!(lines[2], "second: 200 served /second", "{}", out.describe());
    lines[0]
        .strip_prefix("first: ")
        .expect("a first line")
        .to_string()
}

#[test]
fn https_get_with_ca_is_verified_by_name_and_ip() {
    let pki = Pki::localhost("withca");
    for host in ["localhost", "127.0.0.1"] {
        let out = one_get(&pki, host, Some(&pki.ca), &[]);
        out.assert_quiet();
        assert_eq!(
            out.lines(),
            ["first: 200 served /first", "second: 200 served /second"],
            "{host}\n{}",
            out.describe()
        );
    }
}

#[test]
fn https_get_without_ca_is_refused() {
    let pki = Pki::localhost("noca");
    for host in ["localhost", "127.0.0.1"] {
        let error = first_error(&one_get(&pki, host, None, &[]));
        assert!(
            error.starts_with("IOError: ")
                && error.contains("certificate")
                && error.contains("UnknownIssuer"),
            "{host}: {error}"
        );
    }
}

#[test]
fn https_get_with_another_ca_is_refused() {
    let pki = Pki::localhost("otherca");
    let (other, _) = new_ca("some other CA");
    let other = pki.dir.write("other-ca.pem", &other.pem());
    let error = first_error(&one_get(&pki, "localhost", Some(&other), &[]));
    assert!(
        error.starts_with("IOError: ")
            && error.contains("certificate")
            && error.contains("UnknownIssuer"),
        "{error}"
    );
}

#[test]
fn https_get_to_a_name_the_certificate_lacks_is_refused() {
    // A certificate for 127.0.0.1 only: "localhost" is not its name.
    let pki = Pki::new("wrongname", &["127.0.0.1"]);
    let out = one_get(&pki, "localhost", Some(&pki.ca), &[]);
    out.assert_quiet();
    let lines = out.lines();
    assert_eq!(lines.len(), 3, "{}", out.describe());
    assert_eq!(lines[1], "first: an IOError: true", "{}", out.describe());
    assert!(
        lines[0].starts_with("first: IOError: ")
            && lines[0].contains("not valid for name")
            && lines[0].contains("localhost"),
        "{}",
        out.describe()
    );
    assert_eq!(lines[2], "second: 200 served /second", "{}", out.describe());
}

#[test]
fn https_get_trusts_ssl_cert_file() {
    let pki = Pki::localhost("certfile");
    let out = one_get(&pki, "localhost", None, &[("SSL_CERT_FILE", &pki.ca)]);
    out.assert_quiet();
    assert_eq!(
        out.lines(),
        ["first: 200 served /first", "second: 200 served /second"],
        "{}",
        out.describe()
    );
}

#[test]
fn https_get_with_a_missing_ca_file_is_an_io_error() {
    let pki = Pki::localhost("missingca");
    let missing = pki.dir.0.join("missing-ca.pem");
    let error = first_error(&one_get(&pki, "localhost", Some(&missing), &[]));
    assert_eq!(
        error,
        format!(
            "IOError: cannot load CA file `{}`: No such file or directory",
            missing.display()
        )
    );
}

/// A connection verified against `ca` for one request must not be reused
/// for a request without `ca` to the same host: that one is refused as if
/// it were the first.
#[test]
fn a_pooled_connection_verified_with_ca_does_not_serve_a_request_without_it() {
    let pki = Pki::localhost("pooled");
    let script = pki.script("ca_then_none.weft", CA_THEN_NONE);
    let out = run(&script, &[arg(&pki.cert), arg(&pki.key), arg(&pki.ca)], &[]);
    out.assert_quiet();
    assert_eq!(
        out.lines(),
        [
            "with ca: 200 served",
            "without: an IOError: true",
            "with ca: 200 served"
        ],
        "{}",
        out.describe()
    );
}

// ---------------------------------------------------------------------------
// Weft with rustls.

#[test]
fn weft_https_server_with_rustls_client() {
    let pki = Pki::localhost("rustclient");
    let script = pki.script("server.weft", SERVER);
    let mut weft = Running::start(&script, &[arg(&pki.cert), arg(&pki.key)], &[], true);
    let port = listening_port(&mut weft);

    let mut count = 0;
    for version in VERSIONS {
        let name = ServerName::try_from("localhost").unwrap();
        let conn = ClientConnection::new(client_config(&pki.ca, version), name).unwrap();
        let mut tls = StreamOwned::new(conn, tcp_connect(port));
        // Two requests on one connection (keep-alive), a POST with a body
        // among them.
        tls.write_all(b"GET /hello?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let (status, headers, body) = read_response(&mut tls).unwrap();
        count += 1;
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, "GET /hello body=");
        assert_eq!(
            header(&headers, "x-count"),
            Some(count.to_string().as_str())
        );
        assert_eq!(tls.conn.protocol_version(), Some(version.version));

        tls.write_all(b"POST /data HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nabcde")
            .unwrap();
        let (status, headers, body) = read_response(&mut tls).unwrap();
        count += 1;
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, "POST /data body=abcde");
        assert_eq!(
            header(&headers, "x-count"),
            Some(count.to_string().as_str())
        );

        // `Connection: close`: the server answers, then ends the session
        // with a close_notify (rustls reports an end without one as an
        // error).
        tls.write_all(b"GET /last HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let (status, headers, body) = read_response(&mut tls).unwrap();
        count += 1;
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, "GET /last body=");
        assert_eq!(header(&headers, "connection"), Some("close"));
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "{rest:?}");
    }

    let out = weft.finish();
    out.assert_quiet();
    assert_eq!(
        out.lines(),
        [&format!("listening {port}"), "stopped"],
        "{}",
        out.describe()
    );
}

#[test]
fn weft_https_client_with_rustls_server() {
    let pki = Pki::localhost("rustserver");
    let config = server_config(&pki.cert, &pki.key, &rustls::version::TLS13);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // One connection, two requests on it: a chunked response, then one
    // with a content-length. What it returns is the request lines and
    // host headers it saw.
    let server = thread::spawn(move || -> io::Result<Vec<String>> {
        let (sock, _) = listener.accept()?;
        sock.set_read_timeout(Some(SOCKET_TIMEOUT))?;
        sock.set_write_timeout(Some(SOCKET_TIMEOUT))?;
        let conn = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
        let mut tls = StreamOwned::new(conn, sock);
        let mut seen = Vec::new();
        let (line, headers) = read_head(&mut tls)?;
        seen.push(format!(
            "{line} | host: {}",
            header(&headers, "host").unwrap_or("-")
        ));
        tls.write_all(
            b"HTTP/1.1 200 OK\r\nX-Server: rustls\r\nTransfer-Encoding: chunked\r\n\r\n\
              6\r\nchunks\r\n7;ext=1\r\n over t\r\n3\r\nls!\r\n0\r\n\r\n",
        )?;
        let (line, headers) = read_head(&mut tls)?;
        seen.push(format!(
            "{line} | host: {}",
            header(&headers, "host").unwrap_or("-")
        ));
        tls.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nnothing")?;
        tls.conn.send_close_notify();
        tls.flush()?;
        Ok(seen)
    });

    let dir = TempDir::new("client");
    let script = dir.write("client.weft", CLIENT);
    let out = run(
        &script,
        &[format!("localhost:{}", addr.port()).into(), arg(&pki.ca)],
        &[],
    );
    // Should the program have failed before connecting, this wakes the
    // server thread's accept (the connection fails its handshake at once).
    drop(TcpStream::connect(addr));
    let seen = server.join().unwrap();
    out.assert_quiet();
    assert_eq!(
        out.lines(),
        [
            "/one 200 rustls \"chunks over tls!\"",
            "/two 404 nil \"nothing\""
        ],
        "{}",
        out.describe()
    );
    let port = addr.port();
    assert_eq!(
        seen.unwrap(),
        [
            format!("GET /one HTTP/1.1 | host: localhost:{port}"),
            format!("GET /two HTTP/1.1 | host: localhost:{port}"),
        ]
    );
}
