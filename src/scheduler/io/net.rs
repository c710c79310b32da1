//! Sockets for the I/O driver: accepting, connecting (trying each address
//! a name resolved to, then the TLS handshake), UDP datagrams, and the
//! plans that helper threads prepare (resolved addresses, TLS
//! configurations read from files).

use super::{io_error, new_conn, new_obj, os_message};
use crate::gc::Gc;
use crate::reactor::source::Source;
use crate::reactor::stream::Transport;
use crate::reactor::tls::TlsSession;
use crate::runtime::Runtime;
use crate::value::io::{Connecting, IoObj, IoState, Listener, Udp};
use crate::value::{Future, FutureKind, IoOp, Outcome, Value};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::Arc;

/// What a connect needs once names are resolved and files read.
pub struct ConnectPlan {
    pub target: String,
    pub addrs: Vec<SocketAddr>,
    pub tls: Option<(Arc<rustls::ClientConfig>, String)>,
}

/// What a listen needs.
pub struct ListenPlan {
    pub target: String,
    pub addrs: Vec<SocketAddr>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// Splits `"host:port"` (`"[::1]:80"` too).
pub fn split_addr(addr: &str) -> Option<(String, u16)> {
    let (host, port) = addr.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    Some((host.to_string(), port))
}

/// The address of an IP literal, which needs no lookup (and so no helper
/// thread).
pub fn literal(host: &str, port: u16) -> Option<Vec<SocketAddr>> {
    let ip = host.parse::<std::net::IpAddr>().ok()?;
    Some(vec![SocketAddr::new(ip, port)])
}

/// The addresses of `host` (blocking: on a helper thread, or for IP
/// literals, which need no lookup).
pub fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    if let Some(addrs) = literal(host, port) {
        return Ok(addrs);
    }
    let mut addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    let mut seen = std::collections::HashSet::new();
    addrs.retain(|a| seen.insert(*a));
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "the name has no addresses",
        ));
    }
    Ok(addrs)
}

fn record(plan: &mut Connecting, addr: Option<SocketAddr>, e: &io::Error) {
    if plan.first_error.is_none() {
        let at = addr.map(|a| a.to_string()).unwrap_or_default();
        plan.first_error = Some(format!("cannot connect to {at}: {}", os_message(e)));
    }
    plan.current = None;
    plan.connected = false;
}

fn start_socket(addr: SocketAddr) -> io::Result<TcpStream> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_nonblocking(true)?;
    sock.set_nodelay(true)?;
    match sock.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => return Err(e),
    }
    Ok(sock.into())
}

/// Drives a connect: each address in turn, then the TLS handshake.
pub fn connect(rt: &mut Runtime, obj: Gc<IoObj>) -> Option<Outcome> {
    let reactor = match rt.sched.reactor() {
        Ok(r) => r,
        Err(e) => {
            let msg = os_message(&e);
            return Some(Err(io_error(rt, msg)));
        }
    };
    let failure = {
        let mut state = obj.state.borrow_mut();
        let IoState::Conn(c) = &mut *state else {
            return None;
        };
        let Some(plan) = c.connecting.as_mut() else {
            return Some(Ok(Value::Io(obj)));
        };
        loop {
            if plan.current.is_none() {
                if plan.addrs.is_empty() {
                    break plan
                        .first_error
                        .take()
                        .unwrap_or_else(|| "cannot connect: no address to try".into());
                }
                let addr = plan.addrs.remove(0);
                // The failed socket goes first: its registration shares the key.
                c.stream.set_transport(Transport::Closed);
                let source = start_socket(addr).and_then(|s| Source::new(s, reactor, obj.key));
                match source {
                    Ok(src) => {
                        c.stream.set_transport(Transport::Tcp(src));
                        plan.current = Some(addr);
                        c.peer = addr.to_string();
                    }
                    Err(e) => {
                        record(plan, Some(addr), &e);
                        continue;
                    }
                }
            }
            if !plan.connected {
                let Some(tcp) = c.stream.tcp() else {
                    plan.current = None;
                    continue;
                };
                match tcp.take_error() {
                    Ok(Some(e)) | Err(e) => {
                        record(plan, plan.current, &e);
                        continue;
                    }
                    Ok(None) => {}
                }
                match tcp.peer_addr() {
                    Ok(_) => plan.connected = true,
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => return None,
                    Err(e) => {
                        record(plan, plan.current, &e);
                        continue;
                    }
                }
                if let Some((config, host)) = plan.tls.clone() {
                    match TlsSession::client(config, &host) {
                        Ok(session) => c.stream.start_tls(session),
                        Err(e) => break os_message(&e),
                    }
                }
            }
            match c.stream.handshake() {
                Ok(()) => {
                    c.connecting = None;
                    return Some(Ok(Value::Io(obj)));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
                Err(e) => {
                    break format!("TLS handshake with {} failed: {}", c.peer, os_message(&e))
                }
            }
        }
    };
    if let IoState::Conn(c) = &mut *obj.state.borrow_mut() {
        c.connecting = None;
        c.stream.close();
    }
    Some(Err(io_error(rt, failure)))
}

/// A conn about to connect to `plan`'s addresses; the future awaits it.
pub fn connecting_conn(rt: &mut Runtime, plan: ConnectPlan) -> Gc<IoObj> {
    let key = rt.sched.new_key();
    let obj = new_conn(rt, key, Transport::Closed, plan.target);
    if let IoState::Conn(c) = &mut *obj.state.borrow_mut() {
        c.connecting = Some(Box::new(Connecting {
            addrs: plan.addrs,
            current: None,
            tls: plan.tls,
            first_error: None,
            connected: false,
        }));
    }
    obj
}

/// A helper thread finished a connect's plan: start connecting, under the
/// same future.
pub fn plan_ready(
    rt: &mut Runtime,
    fut: Gc<Future>,
    out: crate::reactor::pool::Output,
) -> Option<Outcome> {
    let plan = match out.downcast::<Result<ConnectPlan, String>>() {
        Ok(p) => *p,
        Err(_) => return Some(Err(io_error(rt, "connect failed"))),
    };
    match plan {
        Ok(plan) => {
            let obj = connecting_conn(rt, plan);
            fut.kind.set(FutureKind::Io {
                obj,
                op: IoOp::Connect,
                started: false,
            });
            super::start(rt, fut);
            None
        }
        Err(msg) => Some(Err(io_error(rt, msg))),
    }
}

/// Binds a listener for `plan`.
pub fn listen(rt: &mut Runtime, plan: ListenPlan) -> Outcome {
    let mut last = None;
    for addr in &plan.addrs {
        match bind(rt, *addr) {
            Ok(obj) => {
                if let IoState::Listener(l) = &mut *obj.state.borrow_mut() {
                    l.tls = plan.tls.clone();
                }
                return Ok(Value::Io(obj));
            }
            Err(e) => last = Some(e),
        }
    }
    let reason = last
        .map(|e| os_message(&e))
        .unwrap_or_else(|| "no address".into());
    Err(io_error(
        rt,
        format!("cannot listen on {}: {reason}", plan.target),
    ))
}

fn bind(rt: &mut Runtime, addr: SocketAddr) -> io::Result<Gc<IoObj>> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_reuse_address(true)?;
    sock.set_nonblocking(true)?;
    sock.bind(&addr.into())?;
    sock.listen(1024)?;
    let listener: TcpListener = sock.into();
    let local = listener.local_addr()?;
    let key = rt.sched.new_key();
    let source = Source::new(listener, rt.sched.reactor()?, key)?;
    Ok(new_obj(
        rt,
        key,
        IoState::Listener(Listener {
            source: Some(source),
            addr: local.to_string(),
            tls: None,
        }),
    ))
}

/// A helper thread finished a listen's plan.
pub fn listen_ready(
    rt: &mut Runtime,
    _: Gc<Future>,
    out: crate::reactor::pool::Output,
) -> Option<Outcome> {
    Some(match out.downcast::<Result<ListenPlan, String>>() {
        Ok(p) => match *p {
            Ok(plan) => listen(rt, plan),
            Err(msg) => Err(io_error(rt, msg)),
        },
        Err(_) => Err(io_error(rt, "listen failed")),
    })
}

/// Accepts one connection; a closed listener gives nil.
pub fn accept(rt: &mut Runtime, obj: Gc<IoObj>) -> Option<Outcome> {
    let (accepted, tls) = {
        let state = obj.state.borrow();
        let IoState::Listener(l) = &*state else {
            return None;
        };
        let Some(src) = &l.source else {
            return Some(Ok(Value::Nil));
        };
        if !src.ready().read {
            return None;
        }
        let accepted = loop {
            match src.get().accept() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // The client gave up before we took it: take the next.
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
                other => break other,
            }
        };
        if matches!(&accepted, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            src.clear_read();
        }
        (accepted, l.tls.clone())
    };
    let (stream, peer) = match accepted {
        Ok(x) => x,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
        Err(e) => {
            return Some(Err(io_error(
                rt,
                format!("accept failed: {}", os_message(&e)),
            )))
        }
    };
    let made = (|| -> io::Result<Gc<IoObj>> {
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        let key = rt.sched.new_key();
        let source = Source::new(stream, rt.sched.reactor()?, key)?;
        let transport = match tls {
            Some(config) => Transport::Tls(source, Box::new(TlsSession::server(config)?)),
            None => Transport::Tcp(source),
        };
        Ok(new_conn(rt, key, transport, peer.to_string()))
    })();
    Some(match made {
        Ok(conn) => Ok(Value::Io(conn)),
        Err(e) => Err(io_error(rt, format!("accept failed: {}", os_message(&e)))),
    })
}

/// Binds a UDP socket.
pub fn udp_bind(rt: &mut Runtime, addr: SocketAddr) -> io::Result<Gc<IoObj>> {
    let sock = UdpSocket::bind(addr)?;
    sock.set_nonblocking(true)?;
    let local = sock.local_addr()?;
    let key = rt.sched.new_key();
    let source = Source::new(sock, rt.sched.reactor()?, key)?;
    Ok(new_obj(
        rt,
        key,
        IoState::Udp(Udp {
            source: Some(source),
            addr: local.to_string(),
        }),
    ))
}

/// `send_to` (payload `[data, addr]`) and `recv_from`.
pub fn udp(rt: &mut Runtime, obj: Gc<IoObj>, fut: Gc<Future>, op: IoOp) -> Option<Outcome> {
    let mut scratch = std::mem::take(&mut rt.sched.scratch);
    if scratch.is_empty() {
        scratch = vec![0; 64 << 10];
    }
    let result = {
        let state = obj.state.borrow();
        let IoState::Udp(u) = &*state else {
            return None;
        };
        let Some(src) = &u.source else {
            rt.sched.scratch = scratch;
            return Some(if op == IoOp::RecvFrom {
                Ok(Value::Nil)
            } else {
                Err(io_error(
                    rt,
                    format!("cannot send on {}: the socket is closed", u.addr),
                ))
            });
        };
        let ready = src.ready();
        if (op == IoOp::SendTo && !ready.write) || (op == IoOp::RecvFrom && !ready.read) {
            rt.sched.scratch = scratch;
            return None;
        }
        let result = if op == IoOp::SendTo {
            let (data, to) = match fut.payload.get() {
                Value::List(l) => {
                    let items = l.items.borrow();
                    (items.first().copied(), items.get(1).copied())
                }
                _ => (None, None),
            };
            let bytes: Vec<u8> = match data {
                Some(Value::Str(s)) => s.as_str().as_bytes().to_vec(),
                Some(Value::Bytes(b)) => b.data.to_vec(),
                _ => Vec::new(),
            };
            let to = to.and_then(|v| v.as_str().and_then(|s| s.parse::<SocketAddr>().ok()));
            match to {
                Some(to) => src.get().send_to(&bytes, to).map(|_| None),
                None => Err(io::Error::new(io::ErrorKind::InvalidInput, "bad address")),
            }
        } else {
            src.get()
                .recv_from(&mut scratch)
                .map(|(n, from)| Some((scratch[..n].to_vec(), from)))
        };
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            if op == IoOp::SendTo {
                src.clear_write();
            } else {
                src.clear_read();
            }
        }
        result
    };
    rt.sched.scratch = scratch;
    match result {
        Ok(None) => Some(Ok(Value::Nil)),
        Ok(Some((data, from))) => {
            let b = Value::Bytes(rt.heap.alloc(crate::value::Bytes {
                data: data.into_boxed_slice(),
            }));
            let a = rt.str(from.to_string());
            Some(Ok(rt.list(vec![b, a])))
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => None,
        Err(e) => {
            let what = match (op, fut.payload.get()) {
                (IoOp::SendTo, Value::List(l)) => {
                    let to = l.items.borrow().get(1).copied().unwrap_or(Value::Nil);
                    format!("cannot send to {}", rt.display(to))
                }
                _ => {
                    let state = obj.state.borrow();
                    let addr = match &*state {
                        IoState::Udp(u) => u.addr.clone(),
                        _ => String::new(),
                    };
                    format!("cannot receive on {addr}")
                }
            };
            Some(Err(io_error(rt, format!("{what}: {}", os_message(&e)))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn finish(rt: &mut Runtime, v: Value) -> Outcome {
        let Value::Future(f) = v else {
            panic!("not a future")
        };
        super::super::start(rt, f);
        while f.result.get().is_none() {
            rt.poll_blocking().unwrap();
        }
        f.result.get().unwrap()
    }

    #[test]
    fn a_conn_that_moved_past_a_refused_address_reads_and_writes() {
        let mut rt = Runtime::new();
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = server.local_addr().unwrap();
        let plan = ConnectPlan {
            target: "test".into(),
            addrs: vec![closed, open],
            tls: None,
        };
        let obj = connecting_conn(&mut rt, plan);
        let connect = rt.io_future(obj, IoOp::Connect, Value::Nil);
        assert!(matches!(finish(&mut rt, connect), Ok(Value::Io(_))));
        let (mut peer, _) = server.accept().unwrap();
        let ping = rt.str("ping");
        let write = rt.io_future(obj, IoOp::Write { done: 0 }, ping);
        assert!(matches!(finish(&mut rt, write), Ok(Value::Nil)));
        let mut buf = [0u8; 4];
        peer.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        peer.write_all(b"pong").unwrap();
        let read = rt.io_future(obj, IoOp::ReadExact { n: 4 }, Value::Nil);
        match finish(&mut rt, read) {
            Ok(Value::Bytes(b)) => assert_eq!(&*b.data, b"pong"),
            other => panic!("read gave {other:?}"),
        }
    }
}
