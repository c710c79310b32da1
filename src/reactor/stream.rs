//! A buffered, non-blocking byte stream: a TCP socket (plain or TLS), a
//! pipe to or from a child process, or stdin (filled by a helper thread).
//!
//! Reads land in a per-stream buffer that exists only while it holds
//! unread bytes, so an idle connection costs no buffer memory; `read_line`
//! and `read_exact` are answered from the buffer, and a read that is
//! cancelled leaves its bytes there for the next one. Nothing here blocks:
//! an operation that cannot go on reports `WouldBlock` and clears the
//! direction's readiness mark (see [`super::source`]); the caller waits for
//! the poller's next edge.

use super::source::Source;
use super::tls::TlsSession;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;

pub enum Transport {
    Tcp(Source<TcpStream>),
    Tls(Source<TcpStream>, Box<TlsSession>),
    /// A pipe from or to a child process.
    Pipe(Source<File>),
    /// Bytes handed in from elsewhere ([`Stream::push`]): stdin, read on a
    /// helper thread.
    Fed,
    /// Closed: reads see the end, writes fail.
    Closed,
}

pub struct Stream {
    transport: Transport,
    buf: Vec<u8>,
    pos: usize,
    /// The other side closed its end (after `buf` is drained, reads see nil).
    eof: bool,
}

/// Read buffers above this are compacted rather than grown.
const COMPACT_AT: usize = 64 << 10;

impl Stream {
    pub fn new(transport: Transport) -> Stream {
        Stream {
            transport,
            buf: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    pub fn is_fed(&self) -> bool {
        matches!(self.transport, Transport::Fed)
    }

    /// Unread bytes.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    pub fn at_eof(&self) -> bool {
        self.eof
    }

    /// Takes the first `n` buffered bytes.
    pub fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.buf.len() - self.pos);
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.consume(n);
        out
    }

    /// Drops the first `n` buffered bytes.
    pub fn consume(&mut self, n: usize) {
        self.pos += n;
        if self.pos >= self.buf.len() {
            // Drained: give the memory back (an idle conn holds no buffer).
            self.buf = Vec::new();
            self.pos = 0;
        }
    }

    /// Adds bytes read elsewhere (stdin); an empty slice is the end.
    pub fn push(&mut self, data: &[u8]) {
        if data.is_empty() {
            self.eof = true;
        } else {
            self.append(data);
        }
    }

    fn append(&mut self, data: &[u8]) {
        if self.pos > 0 && (self.pos >= COMPACT_AT || self.pos * 2 >= self.buf.len()) {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Reads what is available into the buffer: the number of bytes added,
    /// 0 at the end of the stream, or `WouldBlock` (also, without a system
    /// call, while the descriptor is not marked readable).
    pub fn fill(&mut self, scratch: &mut [u8]) -> io::Result<usize> {
        if self.eof {
            return Ok(0);
        }
        let n = match &mut self.transport {
            Transport::Tcp(s) => read_ready(s, scratch)?,
            Transport::Pipe(s) => read_ready(s, scratch)?,
            Transport::Tls(s, tls) => {
                // TLS records arrive in pieces: only a would-block says the
                // socket is drained.
                let (src, tls) = (s, tls);
                match tls.read(src.get_mut(), scratch) {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        src.clear_read();
                        return Err(e);
                    }
                    other => other?,
                }
            }
            Transport::Fed => return Err(io::ErrorKind::WouldBlock.into()),
            Transport::Closed => 0,
        };
        if n == 0 {
            self.eof = true;
        } else {
            self.append(&scratch[..n]);
        }
        Ok(n)
    }

    /// Writes some of `data`: how much was taken, or `WouldBlock`.
    pub fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match &mut self.transport {
            Transport::Tcp(s) => write_ready(s, data),
            Transport::Pipe(s) => write_ready(s, data),
            Transport::Tls(s, tls) => match tls.write(s.get_mut(), data) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    s.clear_write();
                    Err(e)
                }
                other => other,
            },
            Transport::Fed | Transport::Closed => Err(closed()),
        }
    }

    /// Sends what a TLS session still holds; `WouldBlock` until all of it
    /// has gone. Plain streams hold nothing.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.transport {
            Transport::Tls(s, tls) => match tls.flush(s.get_mut()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    s.clear_write();
                    Err(e)
                }
                other => other,
            },
            _ => Ok(()),
        }
    }

    /// Drives a TLS handshake: `Ok` once it is done, `WouldBlock` while it
    /// waits for the peer.
    pub fn handshake(&mut self) -> io::Result<()> {
        match &mut self.transport {
            Transport::Tls(s, tls) => tls.handshake(s.get_mut()),
            _ => Ok(()),
        }
    }

    pub fn tcp(&self) -> Option<&TcpStream> {
        match &self.transport {
            Transport::Tcp(s) | Transport::Tls(s, _) => Some(s.get()),
            _ => None,
        }
    }

    /// Starts TLS on a connected TCP stream.
    pub fn start_tls(&mut self, session: TlsSession) {
        let old = std::mem::replace(&mut self.transport, Transport::Closed);
        self.transport = match old {
            Transport::Tcp(s) => Transport::Tls(s, Box::new(session)),
            other => other,
        };
    }

    /// Replaces the transport (a connect moving on to the next address).
    pub fn set_transport(&mut self, transport: Transport) {
        self.transport = transport;
    }

    /// Closes the descriptor (a TLS session says goodbye first, if the
    /// socket takes it at once). Buffered bytes stay readable.
    pub fn close(&mut self) {
        if let Transport::Tls(s, tls) = &mut self.transport {
            tls.close(s.get_mut());
        }
        self.transport = Transport::Closed;
        self.eof = true;
    }
}

/// A read of a descriptor marked readable; a would-block clears the mark.
/// (A short read does not: the end of the stream may have come in the same
/// edge as the last bytes, and would bring no other.)
fn read_ready<T: AsFd + Read>(s: &mut Source<T>, buf: &mut [u8]) -> io::Result<usize> {
    if !s.ready().read {
        return Err(io::ErrorKind::WouldBlock.into());
    }
    match retry(|| s.get_mut().read(buf)) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            s.clear_read();
            Err(e)
        }
        other => other,
    }
}

/// A write to a descriptor marked writable; a would-block or a short write
/// (the buffer is full) clears the mark.
fn write_ready<T: AsFd + Write>(s: &mut Source<T>, data: &[u8]) -> io::Result<usize> {
    if !s.ready().write {
        return Err(io::ErrorKind::WouldBlock.into());
    }
    match retry(|| s.get_mut().write(data)) {
        Ok(n) if n < data.len() => {
            s.clear_write();
            Ok(n)
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            s.clear_write();
            Err(e)
        }
        other => other,
    }
}

/// Retries a call that a signal interrupted.
fn retry(mut f: impl FnMut() -> io::Result<usize>) -> io::Result<usize> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

pub fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "the connection is closed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffered_bytes_are_taken_in_order_and_the_buffer_is_freed_when_drained() {
        let mut s = Stream::new(Transport::Fed);
        s.push(b"hello ");
        s.push(b"world");
        assert_eq!(s.take(3), b"hel");
        assert_eq!(s.buffered(), b"lo world");
        s.consume(8);
        assert!(s.buffered().is_empty());
        assert_eq!(s.buf.capacity(), 0);
        assert!(!s.at_eof());
        s.push(b"");
        assert!(s.at_eof());
    }

    #[test]
    fn a_fed_stream_waits_for_its_feeder_and_a_closed_one_ends() {
        let mut s = Stream::new(Transport::Fed);
        let mut scratch = [0u8; 16];
        assert_eq!(
            s.fill(&mut scratch).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        s.close();
        assert_eq!(s.fill(&mut scratch).unwrap(), 0);
        assert!(s.write(b"x").is_err());
    }
}
