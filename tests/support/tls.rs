//! Shared by the TLS test suites (`tests/tls.rs`, `tests/http_tls.rs`):
//! certificates made at test time with rcgen, Weft programs run under a
//! watchdog, and rustls peers.
#![allow(dead_code)]

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, StreamOwned};
use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How long a Weft program may run before it is killed and the test fails.
pub const LIMIT: Duration = Duration::from_secs(20);

/// How long a Rust peer waits on its socket before giving up.
pub const SOCKET_TIMEOUT: Duration = Duration::from_secs(10);

/// A scratch folder removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        pub static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("weft-tls-{}-{tag}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A test's certificates as PEM files: a CA, and a server certificate it
/// signed with the server's key.
pub struct Pki {
    pub dir: TempDir,
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn new_ca(name: &str) -> (Certificate, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert, Issuer::new(params, key))
}

/// A server certificate for `names` (DNS names or IP addresses) signed by
/// `issuer`, and its key.
pub fn new_server_cert(
    names: &[&str],
    issuer: &Issuer<'static, KeyPair>,
) -> (Certificate, KeyPair) {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "weft test server");
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    (cert, key)
}

impl Pki {
    /// A CA and a server certificate for `names`.
    pub fn new(tag: &str, names: &[&str]) -> Pki {
        let dir = TempDir::new(tag);
        let (ca_cert, issuer) = new_ca("weft test CA");
        let (cert, key) = new_server_cert(names, &issuer);
        let ca = dir.write("ca.pem", &ca_cert.pem());
        let cert = dir.write("cert.pem", &cert.pem());
        let key = dir.write("key.pem", &key.serialize_pem());
        Pki { dir, ca, cert, key }
    }

    /// The usual one: a certificate for "localhost" and 127.0.0.1.
    pub fn localhost(tag: &str) -> Pki {
        Pki::new(tag, &["localhost", "127.0.0.1"])
    }

    /// Writes a Weft program into the folder; its path.
    pub fn script(&self, name: &str, text: &str) -> PathBuf {
        self.dir.write(name, text)
    }
}

pub fn arg(p: &Path) -> OsString {
    p.as_os_str().to_owned()
}

// ---------------------------------------------------------------------------
// Running Weft programs under a time limit.

/// Kills a process that is still running when `LIMIT` has passed.
pub struct Watchdog {
    pub done: mpsc::Sender<()>,
    pub fired: Arc<AtomicBool>,
    pub thread: JoinHandle<()>,
}

impl Watchdog {
    pub fn new(child: &Child) -> Watchdog {
        let pid = child.id() as libc::pid_t;
        let (done, rx) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let flag = fired.clone();
        let thread = thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(LIMIT) {
                flag.store(true, Ordering::SeqCst);
                // The child is not reaped before the watchdog stops (see
                // `wait_unreaped`), so this pid is still the child's.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        });
        Watchdog {
            done,
            fired,
            thread,
        }
    }

    /// Stops watching; whether the child had to be killed.
    pub fn stop(self) -> bool {
        let _ = self.done.send(());
        self.thread.join().unwrap();
        self.fired.load(Ordering::SeqCst)
    }
}

/// Waits for the child to exit, leaving it a zombie so that its pid stays
/// its own until `Child::wait` reaps it.
pub fn wait_unreaped(child: &Child) {
    loop {
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                child.id() as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return;
        }
    }
}

/// What a finished Weft program wrote and how it exited.
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Panics, showing the output, unless the program exited with 0 and
    /// wrote nothing on stderr.
    pub fn assert_quiet(&self) {
        assert!(
            self.status.success() && self.stderr.is_empty(),
            "{}",
            self.describe()
        );
    }

    /// Panics, showing the output, unless the program exited with 0.
    pub fn assert_ok(&self) {
        assert!(self.status.success(), "{}", self.describe());
    }

    pub fn describe(&self) -> String {
        format!(
            "status {:?}\n--- stdout\n{}--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// A Weft program running under a watchdog.
pub struct Running {
    pub child: Child,
    pub watchdog: Watchdog,
    pub stdin: Option<ChildStdin>,
    pub stdout: BufReader<ChildStdout>,
    pub seen: String,
    pub stderr: JoinHandle<String>,
}

impl Running {
    /// Starts `weft SCRIPT ARGS` with `SSL_CERT_FILE` and `SSL_CERT_DIR`
    /// unset, then `env` set; stdin is a pipe when `stdin` is true.
    pub fn start(script: &Path, args: &[OsString], env: &[(&str, &Path)], stdin: bool) -> Running {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
        cmd.arg(script)
            .args(args)
            .env("NO_COLOR", "1")
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the weft executable runs");
        let watchdog = Watchdog::new(&child);
        let mut err = child.stderr.take().unwrap();
        let stderr = thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        Running {
            stdin: child.stdin.take(),
            stdout: BufReader::new(child.stdout.take().unwrap()),
            child,
            watchdog,
            seen: String::new(),
            stderr,
        }
    }

    /// The next line of stdout, without its newline; None at its end.
    pub fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line).unwrap() == 0 {
            return None;
        }
        self.seen.push_str(&line);
        Some(line.trim_end_matches('\n').to_string())
    }

    /// Closes stdin, reads the rest of the output and waits for the exit.
    /// Panics if the watchdog had to kill the program.
    pub fn finish(mut self) -> Finished {
        drop(self.stdin.take());
        let mut stdout = std::mem::take(&mut self.seen);
        let _ = self.stdout.read_to_string(&mut stdout);
        wait_unreaped(&self.child);
        let killed = self.watchdog.stop();
        let status = self.child.wait().unwrap();
        let done = Finished {
            status,
            stdout,
            stderr: self.stderr.join().unwrap(),
        };
        assert!(
            !killed,
            "the program was killed after {LIMIT:?}\n{}",
            done.describe()
        );
        done
    }
}

/// Runs `weft SCRIPT ARGS` with stdin closed to the end.
pub fn run(script: &Path, args: &[OsString], env: &[(&str, &Path)]) -> Finished {
    Running::start(script, args, env, false).finish()
}

// ---------------------------------------------------------------------------
// rustls peers.

// ring, as in the interpreter: it needs only a C compiler.
#[allow(deprecated)]
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS 1.3, the default, and 1.2, which rustls also speaks.
pub const VERSIONS: [&rustls::SupportedProtocolVersion; 2] =
    [&rustls::version::TLS13, &rustls::version::TLS12];

pub fn client_config(
    ca: &Path,
    version: &'static rustls::SupportedProtocolVersion,
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

pub fn server_config(
    cert: &Path,
    key: &Path,
    version: &'static rustls::SupportedProtocolVersion,
) -> Arc<ServerConfig> {
    let chain = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    Arc::new(config)
}

pub fn tcp_connect(port: u16) -> TcpStream {
    let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(SOCKET_TIMEOUT)).unwrap();
    sock.set_write_timeout(Some(SOCKET_TIMEOUT)).unwrap();
    sock
}

/// A rustls client connected to 127.0.0.1:`port`, verifying the server as
/// "localhost" against `ca` alone.
pub fn rust_client(
    port: u16,
    ca: &Path,
    version: &'static rustls::SupportedProtocolVersion,
) -> StreamOwned<ClientConnection, TcpStream> {
    let name = ServerName::try_from("localhost").unwrap();
    let conn = ClientConnection::new(client_config(ca, version), name).unwrap();
    StreamOwned::new(conn, tcp_connect(port))
}

/// Reads up to and without the next "\n" (one byte at a time, so nothing
/// after it is taken).
pub fn read_line(r: &mut impl Read) -> io::Result<String> {
    let mut line = Vec::new();
    let mut byte = [0u8];
    loop {
        if r.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if byte[0] == b'\n' {
            return Ok(String::from_utf8(line).unwrap());
        }
        line.push(byte[0]);
    }
}

/// The port in the "listening PORT" line a server program prints first.
pub fn listening_port(weft: &mut Running) -> u16 {
    let line = weft.line().expect("the server prints its port");
    line.strip_prefix("listening ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("not a `listening PORT` line: {line:?}"))
}
