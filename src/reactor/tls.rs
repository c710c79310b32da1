//! TLS over a non-blocking socket with rustls (no OpenSSL): the session
//! driver used by [`Stream`](super::stream::Stream), and the client and
//! server configurations (system roots, honouring `SSL_CERT_FILE`, plus an
//! extra CA file; a PEM certificate chain and key for servers).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, OnceLock};

pub struct TlsSession {
    conn: Connection,
}

fn tls_error(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("TLS error: {e}"))
}

fn would_block(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

impl TlsSession {
    pub fn client(config: Arc<ClientConfig>, host: &str) -> io::Result<TlsSession> {
        let name = ServerName::try_from(host.to_string()).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{host}` is not a valid TLS server name"),
            )
        })?;
        let conn = ClientConnection::new(config, name).map_err(tls_error)?;
        Ok(TlsSession { conn: conn.into() })
    }

    pub fn server(config: Arc<ServerConfig>) -> io::Result<TlsSession> {
        let conn = rustls::ServerConnection::new(config).map_err(tls_error)?;
        Ok(TlsSession { conn: conn.into() })
    }

    pub fn handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    pub fn wants_read(&self) -> bool {
        self.conn.wants_read()
    }

    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    /// Reads TLS records from the socket and decrypts them. After a fatal
    /// error the alert rustls queued is sent, best effort.
    fn receive(&mut self, sock: &mut TcpStream) -> io::Result<usize> {
        let n = loop {
            match self.conn.read_tls(sock) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        if let Err(e) = self.conn.process_new_packets() {
            let _ = self.flush(sock);
            return Err(tls_error(e));
        }
        Ok(n)
    }

    /// Decrypted bytes into `out`: how many, 0 at the end of the stream,
    /// or `WouldBlock`.
    pub fn read(&mut self, sock: &mut TcpStream, out: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.conn.reader().read(out) {
                Ok(n) => return Ok(n),
                // The peer closed the socket without a TLS goodbye: many
                // servers do, so it is an end like any other.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) if would_block(&e) => {}
                Err(e) => return Err(e),
            }
            // Handshake replies and key updates go out before waiting. A
            // failure to send is the writer's to report: a reader goes on
            // to what the peer sent, or the end.
            let _ = self.flush(sock);
            if self.receive(sock)? == 0 {
                // The next reader call reports the end (clean or not).
                if self.conn.reader().read(out).is_err() {
                    return Ok(0);
                }
            }
        }
    }

    /// Encrypts some of `data`: how much was taken, or `WouldBlock` while
    /// earlier records are still waiting for the socket.
    pub fn write(&mut self, sock: &mut TcpStream, data: &[u8]) -> io::Result<usize> {
        // rustls holds only so much plaintext before the handshake is done:
        // a server that speaks first must read the client's hello too.
        if self.conn.is_handshaking() {
            self.handshake(sock)?;
        }
        match self.flush(sock) {
            Err(e) if would_block(&e) && self.conn.wants_write() => return Err(e),
            Err(e) if !would_block(&e) => return Err(e),
            _ => {}
        }
        let n = self.conn.writer().write(data)?;
        match self.flush(sock) {
            Err(e) if !would_block(&e) => return Err(e),
            _ => {}
        }
        if n == 0 && !data.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }

    /// Sends every record rustls holds, or `WouldBlock`.
    pub fn flush(&mut self, sock: &mut TcpStream) -> io::Result<()> {
        while self.conn.wants_write() {
            match self.conn.write_tls(sock) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
                Ok(_) => {}
            }
        }
        Ok(())
    }

    /// Drives the handshake: `Ok` when it is done, else `WouldBlock`.
    pub fn handshake(&mut self, sock: &mut TcpStream) -> io::Result<()> {
        while self.conn.is_handshaking() {
            let mut progressed = false;
            match self.flush(sock) {
                Ok(()) => {}
                Err(e) if would_block(&e) => {}
                Err(e) => return Err(e),
            }
            if self.conn.is_handshaking() && self.conn.wants_read() {
                match self.receive(sock) {
                    Ok(0) => {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the peer closed the connection during the TLS handshake",
                        ))
                    }
                    Ok(_) => progressed = true,
                    Err(e) if would_block(&e) => {}
                    Err(e) => return Err(e),
                }
            }
            if !progressed && self.conn.is_handshaking() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
        match self.flush(sock) {
            Err(e) if !would_block(&e) => Err(e),
            _ => Ok(()),
        }
    }

    /// Sends a close_notify, if the socket takes it at once.
    pub fn close(&mut self, sock: &mut TcpStream) {
        self.conn.send_close_notify();
        let _ = self.flush(sock);
    }
}

// ring builds with nothing but a C compiler (aws-lc-rs wants cmake too);
// the price is no post-quantum key exchange, hence the deprecation.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn config_error(what: &str, path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("cannot load {what} `{}`: {e}", path.display()),
    )
}

/// A PEM file's bytes; the error names the file and the OS message.
fn read_pem(what: &str, path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let msg = e.to_string();
        let msg = match msg.rfind(" (os error ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        config_error(what, path, msg)
    })
}

/// The system's trust roots (the file named by `SSL_CERT_FILE` when it is
/// set), loaded once.
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
        roots
    })
}

/// Verifies servers as browsers do (webpki, against the trusted roots),
/// and also accepts a server that presents, as itself, one of the
/// certificates the user listed as trusted (`opts.ca`, `SSL_CERT_FILE`) for
/// the name connected to: a self-signed certificate made with `openssl req
/// -x509` is marked as a CA, which webpki refuses as a server's own
/// certificate, yet trusting it is what listing it means (curl and Python
/// accept it too).
#[derive(Debug)]
struct TrustListed {
    /// None when there is no root at all (only listed certificates).
    webpki: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    listed: Vec<CertificateDer<'static>>,
    algs: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl rustls::client::danger::ServerCertVerifier for TrustListed {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let verdict = match &self.webpki {
            Some(w) => w.verify_server_cert(end_entity, intermediates, server_name, ocsp, now),
            None => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            )),
        };
        if verdict.is_ok()
            || !self
                .listed
                .iter()
                .any(|c| c.as_ref() == end_entity.as_ref())
        {
            return verdict;
        }
        let cert = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|e| rustls::Error::General(format!("bad certificate: {e}")))?;
        cert.verify_is_valid_for_subject_name(server_name)
            .map_err(|_| {
                rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForNameContext {
                        expected: server_name.to_owned(),
                        presented: Vec::new(),
                    },
                )
            })?;
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algs.supported_schemes()
    }
}

/// The certificates in a PEM file.
fn certificates(what: &str, path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let pem = read_pem(what, path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| config_error(what, path, e))?;
    if certs.is_empty() {
        return Err(config_error(what, path, "it holds no certificate"));
    }
    Ok(certs)
}

/// The certificates of `SSL_CERT_FILE`, when it is set and readable.
fn cert_file_listed() -> &'static [CertificateDer<'static>] {
    static LISTED: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    LISTED.get_or_init(|| {
        std::env::var_os("SSL_CERT_FILE")
            .and_then(|p| certificates("SSL_CERT_FILE", Path::new(&p)).ok())
            .unwrap_or_default()
    })
}

/// A client configuration trusting the system's roots plus `extra_ca`.
/// Reads files: call it off the scheduler thread.
pub fn client_config(extra_ca: Option<&Path>) -> io::Result<Arc<ClientConfig>> {
    static DEFAULT: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    let build = |roots: RootCertStore,
                 listed: Vec<CertificateDer<'static>>|
     -> io::Result<Arc<ClientConfig>> {
        let webpki = if roots.is_empty() {
            None
        } else {
            let w = rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots),
                provider(),
            )
            .build()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("TLS error: {e}")))?;
            Some(w)
        };
        let algs = provider().signature_verification_algorithms;
        let verifier = TrustListed {
            webpki,
            listed,
            algs,
        };
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Arc::new(config))
    };
    let Some(path) = extra_ca else {
        if let Some(c) = DEFAULT.get() {
            return Ok(c.clone());
        }
        let c = build(system_roots().clone(), cert_file_listed().to_vec())?;
        return Ok(DEFAULT.get_or_init(|| c).clone());
    };
    let mut roots = system_roots().clone();
    let extra = certificates("CA file", path)?;
    for cert in &extra {
        // A certificate webpki cannot use as a root is still trusted as
        // itself (see `TrustListed`).
        let _ = roots.add(cert.clone());
    }
    let mut listed = cert_file_listed().to_vec();
    listed.extend(extra);
    build(roots, listed)
}

/// A server configuration from a PEM certificate chain and private key.
pub fn server_config(cert: &Path, key: &Path) -> io::Result<Arc<ServerConfig>> {
    let cert_pem = read_pem("certificate", cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| config_error("certificate", cert, e))?;
    if chain.is_empty() {
        return Err(config_error("certificate", cert, "it holds no certificate"));
    }
    let key_pem = read_pem("private key", key)?;
    let key_der =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| config_error("private key", key, e))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the private key `{}` does not belong to the certificate `{}`",
                    key.display(),
                    cert.display()
                ),
            ),
            e => tls_error(e),
        })?;
    Ok(Arc::new(config))
}
