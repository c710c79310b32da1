//! End-to-end tests of TLS in `net` (LANGUAGE.md §10): Weft TLS servers and
//! clients talking to each other and to rustls peers written here; server
//! verification with `opts.ca` and with `SSL_CERT_FILE`; and the `IOError`s
//! of unknown issuers, wrong names and bad certificate files. Each test makes
//! its own CA and server certificate in a fresh folder and runs the scripts
//! of tests/tls/ with the paths as arguments.
#![cfg(unix)]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::StreamOwned;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;

#[path = "support/tls.rs"]
mod support;
use support::*;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

// ---------------------------------------------------------------------------
// Weft with Weft.

#[test]
fn weft_server_and_client_round_trip() {
    let pki = Pki::localhost("round");
    let out = run(
        &script("round_trips.weft"),
        &[arg(&pki.cert), arg(&pki.key), arg(&pki.ca)],
        &[],
    );
    out.assert_ok();
    assert_eq!(
        out.lines(),
        [
            "conn true",
            "\"echo: one\"",
            "\"echo: two\"",
            "\"echo: \"",
            "\"echo: ünïcödé ✓\"",
            "\"echo: a\"",
            "\"echo: b\"",
            "\"echo: c\"",
            "b\"hello\"",
            "b\"0123456789\" true",
            "bulk 1988890 bytes back intact: true",
            "stream all sent and back intact: true",
            "TimeoutError",
            "\"echo: after the timeout\"",
            "\"bye\" nil nil",
            "conn 1: quit",
            "\"echo: hi\"",
            "conn 2: end",
            "waiting reader got nil",
            "conn 3: end",
            "done",
        ],
        "{}",
        out.describe()
    );
}

#[test]
fn many_concurrent_clients() {
    let pki = Pki::localhost("many");
    let out = run(
        &script("many_clients.weft"),
        &[arg(&pki.cert), arg(&pki.key), arg(&pki.ca), "50".into()],
        &[],
    );
    out.assert_ok();
    assert_eq!(
        out.lines(),
        [
            "50 of 50 clients echoed correctly",
            "server conns ended: {\"end\": 50}",
        ],
        "{}",
        out.describe()
    );
}

/// greeting.weft with a greeting of `size` bytes.
fn greeting(size: usize) {
    let pki = Pki::localhost("greeting");
    let out = run(
        &script("greeting.weft"),
        &[
            arg(&pki.cert),
            arg(&pki.key),
            arg(&pki.ca),
            size.to_string().into(),
        ],
        &[],
    );
    out.assert_ok();
    assert_eq!(
        out.lines(),
        [
            format!("client read a greeting of {} bytes", size + 4).as_str(),
            "server read \"thanks\"",
        ],
        "{}",
        out.describe()
    );
}

#[test]
fn server_speaks_first() {
    greeting(1000);
}

/// A greeting larger than what rustls buffers before the handshake is done
/// (64 KiB): the server's write has to drive the handshake, reading the
/// client's hello, before there is room for the rest.
#[test]
fn server_speaks_first_a_large_greeting() {
    greeting(200_000);
}

// ---------------------------------------------------------------------------
// Verification.

#[test]
fn ssl_cert_file_is_trusted() {
    let pki = Pki::localhost("certfile");
    for host in ["localhost", "127.0.0.1"] {
        let out = run(
            &script("verify.weft"),
            &[arg(&pki.cert), arg(&pki.key), host.into()],
            &[("SSL_CERT_FILE", &pki.ca)],
        );
        out.assert_ok();
        assert_eq!(
            out.lines(),
            ["client: echo: ping", "server: end"],
            "connecting to {host}\n{}",
            out.describe()
        );
    }
}

#[test]
fn ca_option_adds_to_ssl_cert_file() {
    let pki = Pki::localhost("caoption");
    let (other_ca, _) = new_ca("some other CA");
    let unrelated = pki.dir.write("other-ca.pem", &other_ca.pem());
    let out = run(
        &script("verify.weft"),
        &[
            arg(&pki.cert),
            arg(&pki.key),
            "localhost".into(),
            arg(&pki.ca),
        ],
        &[("SSL_CERT_FILE", &unrelated)],
    );
    out.assert_ok();
    assert_eq!(
        out.lines(),
        ["client: echo: ping", "server: end"],
        "{}",
        out.describe()
    );
}

/// The client's error in verify.weft's output, which must also show the
/// server's conn ending (in any order: the client may learn of the failure
/// first or last).
fn client_error(out: &Finished) -> String {
    out.assert_ok();
    let lines = out.lines();
    let has = |line: &str| lines.contains(&line);
    assert_eq!(lines.len(), 3, "{}", out.describe());
    assert!(
        has("client: IOError is the error's class: true"),
        "{}",
        out.describe()
    );
    assert!(
        lines.iter().any(|l| l.starts_with("server: ")),
        "{}",
        out.describe()
    );
    let error = lines
        .iter()
        .find_map(|l| l.strip_prefix("client: IOError: "))
        .unwrap_or_else(|| panic!("no IOError line\n{}", out.describe()));
    format!("IOError: {error}")
}

#[test]
fn unknown_issuer_is_an_io_error() {
    let pki = Pki::localhost("unknown");
    let empty = pki.dir.write("empty.pem", "");
    let (other_ca, _) = new_ca("some other CA");
    let unrelated = pki.dir.write("other-ca.pem", &other_ca.pem());
    let missing = pki.dir.0.join("missing.pem");
    for roots in [&empty, &unrelated, &missing] {
        let out = run(
            &script("verify.weft"),
            &[arg(&pki.cert), arg(&pki.key), "localhost".into()],
            &[("SSL_CERT_FILE", roots)],
        );
        let error = client_error(&out);
        assert!(
            error.contains("certificate") && error.contains("UnknownIssuer"),
            "with SSL_CERT_FILE={}: {error}",
            roots.display()
        );
    }
}

#[test]
fn wrong_host_name_is_an_io_error() {
    let pki = Pki::new("wrongname", &["example.test"]);
    for host in ["localhost", "127.0.0.1"] {
        let out = run(
            &script("verify.weft"),
            &[arg(&pki.cert), arg(&pki.key), host.into(), arg(&pki.ca)],
            &[],
        );
        let error = client_error(&out);
        assert!(
            error.contains("not valid for name") && error.contains(host),
            "connecting to {host}: {error}"
        );
    }
}

#[test]
fn bad_ca_file_is_an_io_error() {
    let pki = Pki::localhost("badca");
    let missing = pki.dir.0.join("missing-ca.pem");
    let out = run(
        &script("verify.weft"),
        &[
            arg(&pki.cert),
            arg(&pki.key),
            "localhost".into(),
            arg(&missing),
        ],
        &[],
    );
    assert_eq!(
        out.lines(),
        [
            format!(
                "client: IOError: cannot load CA file `{}`: No such file or directory",
                missing.display()
            )
            .as_str(),
            "client: IOError is the error's class: true"
        ],
        "{}",
        out.describe()
    );
    // No connection was made, so the server has nothing to tell.
    let out = run(
        &script("verify.weft"),
        &[
            arg(&pki.cert),
            arg(&pki.key),
            "localhost".into(),
            arg(&pki.key),
        ],
        &[],
    );
    assert!(
        out.stdout.starts_with(&format!(
            "client: IOError: cannot load CA file `{}`: it holds no certificate\n",
            pki.key.display()
        )),
        "{}",
        out.describe()
    );
}

// ---------------------------------------------------------------------------
// Server configuration.

/// listen.weft's output for these files.
fn listen(cert: &Path, key: &Path) -> Vec<String> {
    let out = run(&script("listen.weft"), &[arg(cert), arg(key)], &[]);
    out.assert_ok();
    out.lines().iter().map(|s| s.to_string()).collect()
}

#[test]
fn listen_tls_reports_bad_files() {
    let pki = Pki::localhost("listen");
    assert_eq!(listen(&pki.cert, &pki.key), ["listening on 127.0.0.1"]);

    let missing = pki.dir.0.join("missing.pem");
    assert_eq!(
        listen(&missing, &pki.key),
        [
            format!(
                "IOError: cannot load certificate `{}`: No such file or directory",
                missing.display()
            ),
            "an IOError: true".to_string(),
        ]
    );
    assert_eq!(
        listen(&pki.cert, &missing),
        [
            format!(
                "IOError: cannot load private key `{}`: No such file or directory",
                missing.display()
            ),
            "an IOError: true".to_string(),
        ]
    );

    // A key that is not the certificate's.
    let other = pki.dir.write(
        "other-key.pem",
        &KeyPair::generate().unwrap().serialize_pem(),
    );
    let lines = listen(&pki.cert, &other);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("IOError: ")
            && lines[0].contains("does not belong to the certificate")
            && lines[0].contains("other-key.pem"),
        "{lines:?}"
    );
    assert_eq!(lines[1], "an IOError: true");

    // Files of the wrong kind.
    assert_eq!(
        listen(&pki.key, &pki.key)[0],
        format!(
            "IOError: cannot load certificate `{}`: it holds no certificate",
            pki.key.display()
        )
    );
    let lines = listen(&pki.cert, &pki.cert);
    assert!(
        lines[0].starts_with(&format!(
            "IOError: cannot load private key `{}`: ",
            pki.cert.display()
        )),
        "{lines:?}"
    );
}

// ---------------------------------------------------------------------------
// Weft with rustls.

#[test]
fn weft_server_with_rustls_client() {
    let pki = Pki::localhost("rustclient");
    let mut weft = Running::start(
        &script("echo_server.weft"),
        &[arg(&pki.cert), arg(&pki.key)],
        &[],
        true,
    );
    let port = listening_port(&mut weft);

    for version in VERSIONS {
        let mut tls = rust_client(port, &pki.ca, version);
        tls.write_all(b"hello from rust\n").unwrap();
        assert_eq!(read_line(&mut tls).unwrap(), "echo: hello from rust");
        assert_eq!(tls.conn.protocol_version(), Some(version.version));
        // A megabyte out and back, in records rustls cut.
        let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        tls.write_all(format!("BULK {}\n", big.len()).as_bytes())
            .unwrap();
        tls.write_all(&big).unwrap();
        let mut back = vec![0u8; big.len()];
        tls.read_exact(&mut back).unwrap();
        assert!(back == big, "the payload came back changed");
        // QUIT: the server answers, then ends the session with a
        // close_notify (rustls reports an end without one as an error).
        tls.write_all(b"QUIT\n").unwrap();
        assert_eq!(read_line(&mut tls).unwrap(), "bye");
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty(), "{rest:?}");
    }

    let out = weft.finish();
    out.assert_ok();
    assert_eq!(
        out.lines(),
        [
            &format!("listening {port}"),
            "conn 1: quit",
            "conn 2: quit",
            "stopped"
        ],
        "{}",
        out.describe()
    );
}

#[test]
fn weft_client_with_rustls_server() {
    let pki = Pki::localhost("rustserver");
    for version in VERSIONS {
        weft_client_with_rustls_server_over(&pki, version);
    }
}

fn weft_client_with_rustls_server_over(
    pki: &Pki,
    version: &'static rustls::SupportedProtocolVersion,
) {
    let config = server_config(&pki.cert, &pki.key, version);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || -> io::Result<String> {
        let (sock, _) = listener.accept()?;
        sock.set_read_timeout(Some(SOCKET_TIMEOUT))?;
        sock.set_write_timeout(Some(SOCKET_TIMEOUT))?;
        let conn = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
        let mut tls = StreamOwned::new(conn, sock);
        let line = read_line(&mut tls)?;
        assert_eq!(tls.conn.protocol_version(), Some(version.version));
        tls.write_all(format!("rust: {line}\n").as_bytes())?;
        tls.write_all("0123456789".repeat(100_000).as_bytes())?;
        tls.conn.send_close_notify();
        tls.flush()?;
        Ok(line)
    });

    let out = run(
        &script("client.weft"),
        &[format!("localhost:{}", addr.port()).into(), arg(&pki.ca)],
        &[],
    );
    // Should the program have failed before connecting, this wakes the
    // server thread's accept (the connection fails its handshake at once).
    drop(TcpStream::connect(addr));
    let received = server.join().unwrap();
    out.assert_ok();
    assert_eq!(
        out.lines(),
        [
            "\"rust: hello from weft\"",
            "1000000 more bytes, as expected: true",
            "nil"
        ],
        "{}",
        out.describe()
    );
    assert_eq!(received.unwrap(), "hello from weft");
}

/// client.weft's output against a plain TCP server that accepts one conn
/// and hands it to `serve`.
fn client_against(serve: impl FnOnce(TcpStream) + Send + 'static, ca: &Path) -> Vec<String> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(SOCKET_TIMEOUT)).unwrap();
        sock.set_write_timeout(Some(SOCKET_TIMEOUT)).unwrap();
        serve(sock);
    });
    let out = run(
        &script("client.weft"),
        &[format!("127.0.0.1:{}", addr.port()).into(), arg(ca)],
        &[],
    );
    drop(TcpStream::connect(addr));
    server.join().unwrap();
    out.assert_ok();
    out.lines().iter().map(|s| s.to_string()).collect()
}

#[test]
fn weft_client_against_servers_without_tls() {
    let pki = Pki::localhost("notls");
    let port_of = |lines: &[String]| -> String {
        lines[0]
            .split("TLS handshake with 127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("{lines:?}"))
            .to_string()
    };

    // A server that answers the ClientHello with plain text.
    let lines = client_against(
        |mut sock| {
            let mut hello = [0u8; 5];
            let _ = sock.read_exact(&mut hello);
            let _ = sock.write_all(b"SSH-2.0-OpenSSH_9.6\r\n");
            let _ = sock.shutdown(Shutdown::Write);
            let _ = sock.read_to_end(&mut Vec::new());
        },
        &pki.ca,
    );
    let port = port_of(&lines);
    assert!(
        lines[0].starts_with(&format!(
            "IOError: TLS handshake with 127.0.0.1:{port} failed: "
        )),
        "{lines:?}"
    );
    assert_eq!(lines[1..], ["an IOError: true"], "{lines:?}");

    // A server that hangs up at once.
    let lines = client_against(drop, &pki.ca);
    let port = port_of(&lines);
    assert!(
        lines[0].starts_with(&format!(
            "IOError: TLS handshake with 127.0.0.1:{port} failed: "
        )),
        "{lines:?}"
    );
    assert_eq!(lines[1..], ["an IOError: true"], "{lines:?}");

    // Nothing listening.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let out = run(
        &script("client.weft"),
        &[addr.to_string().into(), arg(&pki.ca)],
        &[],
    );
    out.assert_ok();
    assert_eq!(
        out.lines(),
        [
            format!("IOError: cannot connect to {addr}: Connection refused").as_str(),
            "an IOError: true"
        ],
        "{}",
        out.describe()
    );
}

// ---------------------------------------------------------------------------
// Robustness.

#[test]
fn garbage_does_not_stop_the_server() {
    let pki = Pki::localhost("garbage");
    let mut weft = Running::start(
        &script("echo_server.weft"),
        &[arg(&pki.cert), arg(&pki.key)],
        &[],
        true,
    );
    let port = listening_port(&mut weft);

    // A client that connects and says nothing, for the whole test: the
    // handshake waits in its own conn, never in `accept`.
    let stalled = tcp_connect(port);

    // Plain text instead of a ClientHello: the server's read fails and it
    // closes the conn (it may send an alert first).
    let mut plain = tcp_connect(port);
    plain
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut reply = Vec::new();
    match plain.read_to_end(&mut reply) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server did not close the plain conn: {e}"),
    }

    // A client that connects and leaves before its handshake.
    let quiet = tcp_connect(port);
    quiet.shutdown(Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    match (&quiet).read_to_end(&mut reply) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server did not close the silent conn: {e}"),
    }

    // A real client is still served.
    let mut tls = rust_client(port, &pki.ca, &rustls::version::TLS13);
    tls.write_all(b"still there?\n").unwrap();
    assert_eq!(read_line(&mut tls).unwrap(), "echo: still there?");
    tls.write_all(b"QUIT\n").unwrap();
    assert_eq!(read_line(&mut tls).unwrap(), "bye");

    // The silent client leaves at last.
    stalled.shutdown(Shutdown::Write).unwrap();
    match (&stalled).read_to_end(&mut Vec::new()) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server did not close the stalled conn: {e}"),
    }

    let out = weft.finish();
    out.assert_ok();
    let lines = out.lines();
    assert_eq!(lines.len(), 6, "{}", out.describe());
    let ended = |line: &str, n: u32| {
        line == format!("conn {n}: end") || line.starts_with(&format!("conn {n}: IOError: "))
    };
    assert!(
        lines[1].starts_with("conn 2: IOError: "),
        "{}",
        out.describe()
    );
    assert!(ended(lines[2], 3), "{}", out.describe());
    assert_eq!(lines[3], "conn 4: quit", "{}", out.describe());
    assert!(ended(lines[4], 1), "{}", out.describe());
    assert_eq!(lines[5], "stopped", "{}", out.describe());
}

/// A self-signed certificate that is also marked as a CA (what `openssl
/// req -x509` makes) for "localhost" and 127.0.0.1, and its key.
fn self_signed_ca_marked(dir: &TempDir, names: &[&str]) -> (PathBuf, PathBuf) {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (
        dir.write("self.pem", &cert.pem()),
        dir.write("self-key.pem", &key.serialize_pem()),
    )
}

/// A server that presents, as itself, a certificate the client lists as
/// trusted (`opts.ca` or SSL_CERT_FILE) is accepted, even when the
/// certificate is marked as a CA, as long as it is for the name connected to.
#[test]
fn a_listed_self_signed_certificate_is_trusted() {
    let dir = TempDir::new("selfsigned");
    let (cert, key) = self_signed_ca_marked(&dir, &["localhost", "127.0.0.1"]);
    for host in ["localhost", "127.0.0.1"] {
        let out = run(
            &script("verify.weft"),
            &[arg(&cert), arg(&key), host.into(), arg(&cert)],
            &[],
        );
        out.assert_ok();
        assert_eq!(
            out.lines(),
            ["client: echo: ping", "server: end"],
            "{}",
            out.describe()
        );
        let out = run(
            &script("verify.weft"),
            &[arg(&cert), arg(&key), host.into()],
            &[("SSL_CERT_FILE", &cert)],
        );
        out.assert_ok();
        assert_eq!(
            out.lines(),
            ["client: echo: ping", "server: end"],
            "{}",
            out.describe()
        );
    }
    // Listed, but for another name: refused.
    let (other, other_key) = self_signed_ca_marked(&dir, &["example.test"]);
    let out = run(
        &script("verify.weft"),
        &[
            arg(&other),
            arg(&other_key),
            "localhost".into(),
            arg(&other),
        ],
        &[],
    );
    let error = client_error(&out);
    assert!(error.contains("not valid for name"), "{error}");
}
