//! The server's stdin/stdout transport: JSON-RPC messages framed by
//! `Content-Length` headers, read and written on two threads that talk to
//! the server loop through an `lsp_server::Connection`.
//!
//! A message that is not JSON, or not a JSON-RPC message, is answered with
//! the protocol's `ParseError` or `InvalidRequest` and the session goes on,
//! as JSON-RPC asks; only the end of stdin, a header that cannot be read or
//! a length past [`MAX_MESSAGE`] ends it (the stream can no longer be
//! followed).

use lsp_server::{Connection, Message};
use std::io::{self, BufRead, Write};
use std::thread::JoinHandle;

/// The largest message accepted: a document of this size is far past
/// anything an editor sends, and the limit keeps a bad length from
/// allocating without bound.
pub const MAX_MESSAGE: usize = 256 << 20;

pub struct Threads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Waits for both threads; the reader's error, if any, is why the
    /// session ended early.
    pub fn join(self) -> io::Result<()> {
        let read = self.reader.join().unwrap_or(Ok(()));
        let write = self.writer.join().unwrap_or(Ok(()));
        read.and(write)
    }
}

/// A connection over this process's stdin and stdout.
pub fn stdio() -> (Connection, Threads) {
    let (to_server, receiver) = crossbeam_channel::bounded::<Message>(0);
    let (sender, to_client) = crossbeam_channel::bounded::<Message>(0);
    let writer = std::thread::spawn(move || {
        for msg in to_client {
            let mut out = io::stdout().lock();
            msg.write(&mut out)?;
            out.flush()?;
        }
        Ok(())
    });
    let reader = std::thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        while let Some(body) = read_frame(&mut input)? {
            match decode(&body) {
                Ok(msg) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                    if to_server.send(msg).is_err() || exit {
                        break;
                    }
                }
                Err(reply) => {
                    let mut out = io::stdout().lock();
                    write!(out, "Content-Length: {}\r\n\r\n{reply}", reply.len())?;
                    out.flush()?;
                }
            }
        }
        Ok(())
    });
    (Connection { sender, receiver }, Threads { reader, writer })
}

/// One message's body, or `None` at the end of input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            // Blank lines before the headers are tolerated.
            if length.is_some() {
                break;
            }
            continue;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(bad(format!("malformed header {:?}", clip(header))));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) if n <= MAX_MESSAGE => length = Some(n),
                _ => return Err(bad(format!("bad Content-Length {:?}", clip(value)))),
            }
        }
    }
    let mut body = vec![0; length.unwrap_or(0)];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// The message in `body`, or the error response to send back.
fn decode(body: &[u8]) -> Result<Message, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        reply(
            serde_json::Value::Null,
            -32700,
            &format!("parse error: {e}"),
        )
    })?;
    let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
    serde_json::from_value::<Message>(value)
        .map_err(|e| reply(id, -32600, &format!("invalid request: {e}")))
}

fn reply(id: serde_json::Value, code: i32, message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message},
    })
    .to_string()
}

fn bad(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn clip(text: &str) -> String {
    crate::diagnostics::clip(text).into_owned()
}
