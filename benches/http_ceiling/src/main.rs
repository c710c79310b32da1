//! http_ceiling: a minimal single-threaded keep-alive HTTP/1.1 hello-world server on the
//! `polling` crate (epoll), the upper reference for `benches/http_raw.weft`.
//!
//! One event loop, level-triggered: on a readable connection it reads what is there, answers
//! every complete request head (up to the blank line) with the same 13-byte body in one
//! write, and closes after a `Connection: close` request. Request bodies are not read.
//! Usage: http_ceiling [ADDR] [--oneshot]   (default 127.0.0.1:0; prints
//! `listening on 127.0.0.1:PORT`)
//!
//! `--oneshot` copies the syscall pattern of Weft's reactor, to measure what it costs: each
//! connection is registered oneshot and re-armed (`epoll_ctl`) after every wait, and every
//! read goes on until the socket says `EAGAIN`, so a request costs a second `recvfrom`.

use polling::{Event, Events, PollMode, Poller};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!";
const RESPONSE_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nHello, world!";

struct Conn {
    stream: TcpStream,
    /// Received bytes not yet parsed (an incomplete head).
    input: Vec<u8>,
    /// Responses the socket has not taken yet.
    output: Vec<u8>,
    /// Close once `output` is sent.
    closing: bool,
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Whether the request whose head is `head` keeps the connection open.
fn keep_alive(head: &[u8]) -> bool {
    let mut lines = head.split(|&b| b == b'\n');
    let request = lines.next().unwrap_or_default();
    let mut keep = !request.trim_ascii_end().ends_with(b"HTTP/1.0");
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with(b"connection:") {
            let value = &lower[11..];
            if value.windows(5).any(|w| w == b"close") {
                keep = false;
            } else if value.windows(10).any(|w| w == b"keep-alive") {
                keep = true;
            }
        }
    }
    keep
}

impl Conn {
    /// Handles readability: false when the connection is finished. A short read ends the
    /// reading unless `until_eagain`.
    fn readable(&mut self, scratch: &mut [u8], until_eagain: bool) -> bool {
        loop {
            match self.stream.read(scratch) {
                Ok(0) => return false,
                Ok(n) => {
                    self.input.extend_from_slice(&scratch[..n]);
                    if n < scratch.len() && !until_eagain {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return false,
            }
        }
        let mut start = 0;
        while !self.closing {
            let Some(end) = find_head_end(&self.input[start..]) else {
                break;
            };
            let head = &self.input[start..start + end];
            if keep_alive(head) {
                self.output.extend_from_slice(RESPONSE);
            } else {
                self.output.extend_from_slice(RESPONSE_CLOSE);
                self.closing = true;
            }
            start += end + 4;
        }
        self.input.drain(..start);
        self.flush()
    }

    /// Sends pending output: false when the connection is finished.
    fn flush(&mut self) -> bool {
        while !self.output.is_empty() {
            match self.stream.write(&self.output) {
                Ok(n) => {
                    self.output.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return false,
            }
        }
        !self.closing
    }
}

fn main() -> io::Result<()> {
    let mut addr = "127.0.0.1:0".to_string();
    let mut oneshot = false;
    for arg in std::env::args().skip(1) {
        if arg == "--oneshot" {
            oneshot = true;
        } else {
            addr = arg;
        }
    }
    let mode = if oneshot {
        PollMode::Oneshot
    } else {
        PollMode::Level
    };
    let listener = TcpListener::bind(&addr)?;
    listener.set_nonblocking(true)?;
    println!("listening on {}", listener.local_addr()?);
    io::stdout().flush()?;

    let poller = Poller::new()?;
    // SAFETY: every registered descriptor is deleted from the poller before it is closed.
    unsafe { poller.add_with_mode(&listener, Event::readable(0), PollMode::Level)? };
    // conns[k - 1] is the connection registered under key k.
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut events = Events::new();
    let mut scratch = vec![0u8; 64 << 10];
    loop {
        events.clear();
        match poller.wait(&mut events, None::<Duration>) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        for ev in events.iter() {
            if ev.key == 0 {
                loop {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            stream.set_nonblocking(true)?;
                            stream.set_nodelay(true)?;
                            let slot = free.pop().unwrap_or_else(|| {
                                conns.push(None);
                                conns.len() - 1
                            });
                            // SAFETY: as above.
                            unsafe {
                                poller.add_with_mode(&stream, Event::readable(slot + 1), mode)?
                            };
                            conns[slot] = Some(Conn {
                                stream,
                                input: Vec::new(),
                                output: Vec::new(),
                                closing: false,
                            });
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        // Out of descriptors and the like: try again on the next event.
                        Err(_) => break,
                    }
                }
                continue;
            }
            let slot = ev.key - 1;
            let Some(conn) = conns[slot].as_mut() else {
                continue;
            };
            let was_blocked = !conn.output.is_empty();
            let alive = if ev.readable {
                conn.readable(&mut scratch, oneshot)
            } else {
                conn.flush()
            };
            let blocked = !conn.output.is_empty();
            if !alive {
                let conn = conns[slot].take().expect("the slot holds a connection");
                poller.delete(&conn.stream)?;
                free.push(slot);
            } else if blocked != was_blocked || oneshot {
                let interest = if blocked {
                    Event::all(slot + 1)
                } else {
                    Event::readable(slot + 1)
                };
                poller.modify_with_mode(&conn.stream, interest, mode)?;
            }
        }
    }
}
