//! The `net` module (LANGUAGE.md §10): TCP listeners and conns, TLS, UDP
//! and name resolution, and the methods of conns, listeners and sockets.
//! The waiting is done by the scheduler's I/O driver; these natives check
//! arguments and make futures.

use super::io_args::{data, ready, receiver, str_option, text};
use crate::reactor::pool::Output;
use crate::runtime::Runtime;
use crate::scheduler::io::net::{self as drv, ConnectPlan, ListenPlan};
use crate::scheduler::io::{io_error, os_message};
use crate::value::error::{err, type_error};
use crate::value::io::IoState;
use crate::value::{ErrorKind, Future, IoOp, NResult, NativeFn, Outcome, Value};
use std::net::SocketAddr;
use std::path::PathBuf;

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "listen", min: 1, max: 1, f: listen },
    NativeFn { name: "listen_tls", min: 2, max: 2, f: listen_tls },
    NativeFn { name: "connect", min: 1, max: 1, f: connect },
    NativeFn { name: "connect_tls", min: 1, max: 2, f: connect_tls },
    NativeFn { name: "udp", min: 1, max: 1, f: udp },
    NativeFn { name: "resolve", min: 1, max: 1, f: resolve },
];

pub fn members(_: &mut Runtime) -> Vec<(&'static str, Value)> {
    super::natives(FUNCTIONS)
}

/// `"host:port"`, or a `ValueError` naming the function.
fn address(rt: &Runtime, v: Value, f: &str) -> NResult<(String, String, u16)> {
    let text = text(rt, v, &format!("{f}()'s address"))?;
    match drv::split_addr(&text) {
        Some((host, port)) => Ok((text, host, port)),
        None => err(
            ErrorKind::ValueError,
            format!("{f}(): `{text}` is not an address of the form host:port"),
        ),
    }
}

fn spawn_job<T: Send + 'static>(
    rt: &mut Runtime,
    job: impl FnOnce() -> T + Send + 'static,
    done: crate::scheduler::io::JobDone,
) -> NResult {
    match rt.job(Box::new(move || Box::new(job()) as Output), done) {
        Ok(f) => Ok(Value::Future(f)),
        Err(e) => err(ErrorKind::IOError, os_message(&e)),
    }
}

fn resolve_msg(host: &str, e: &std::io::Error) -> String {
    format!("cannot resolve `{host}`: {}", os_message(e))
}

/// Looks `host` up on a helper thread, where `plan` (which may read files
/// too) turns the addresses into what `done` takes on the scheduler thread.
fn resolve_then<P: Send + 'static>(
    rt: &mut Runtime,
    host: String,
    port: u16,
    plan: impl FnOnce(String, Vec<SocketAddr>) -> Result<P, String> + Send + 'static,
    done: crate::scheduler::io::JobDone,
) -> NResult {
    spawn_job(
        rt,
        move || {
            let addrs = drv::resolve(&host, port).map_err(|e| resolve_msg(&host, &e))?;
            plan(host, addrs)
        },
        done,
    )
}

fn listen(rt: &mut Runtime, a: &[Value]) -> NResult {
    let (target, host, port) = address(rt, a[0], "listen")?;
    if let Some(addrs) = drv::literal(&host, port) {
        let plan = ListenPlan {
            target,
            addrs,
            tls: None,
        };
        let outcome = drv::listen(rt, plan);
        return Ok(ready(rt, outcome));
    }
    let plan = move |_, addrs| {
        Ok(ListenPlan {
            target,
            addrs,
            tls: None,
        })
    };
    resolve_then(rt, host, port, plan, drv::listen_ready)
}

fn listen_tls(rt: &mut Runtime, a: &[Value]) -> NResult {
    let (target, host, port) = address(rt, a[0], "listen_tls")?;
    let known = ["cert", "key"];
    let cert = str_option(rt, Some(a[1]), "cert", &known, "listen_tls")?;
    let key = str_option(rt, Some(a[1]), "key", &known, "listen_tls")?;
    let (Some(cert), Some(key)) = (cert, key) else {
        return type_error("listen_tls() needs the options `cert` and `key` (PEM file paths)");
    };
    let plan = move |_, addrs| {
        let config =
            crate::reactor::tls::server_config(&PathBuf::from(&cert), &PathBuf::from(&key))
                .map_err(|e| os_message(&e))?;
        Ok(ListenPlan {
            target,
            addrs,
            tls: Some(config),
        })
    };
    resolve_then(rt, host, port, plan, drv::listen_ready)
}

fn connect(rt: &mut Runtime, a: &[Value]) -> NResult {
    let (target, host, port) = address(rt, a[0], "connect")?;
    if let Some(addrs) = drv::literal(&host, port) {
        let plan = ConnectPlan {
            target,
            addrs,
            tls: None,
        };
        let obj = drv::connecting_conn(rt, plan);
        return Ok(rt.io_future(obj, IoOp::Connect, Value::Nil));
    }
    let plan = move |_, addrs| {
        Ok(ConnectPlan {
            target,
            addrs,
            tls: None,
        })
    };
    resolve_then(rt, host, port, plan, drv::plan_ready)
}

fn connect_tls(rt: &mut Runtime, a: &[Value]) -> NResult {
    let (target, host, port) = address(rt, a[0], "connect_tls")?;
    let ca = str_option(rt, a.get(1).copied(), "ca", &["ca"], "connect_tls")?;
    let plan = move |host, addrs| {
        let config = crate::reactor::tls::client_config(ca.as_deref().map(std::path::Path::new))
            .map_err(|e| os_message(&e))?;
        Ok(ConnectPlan {
            target,
            addrs,
            tls: Some((config, host)),
        })
    };
    resolve_then(rt, host, port, plan, drv::plan_ready)
}

fn udp(rt: &mut Runtime, a: &[Value]) -> NResult {
    let (target, host, port) = address(rt, a[0], "udp")?;
    if let Some(addrs) = drv::literal(&host, port) {
        let outcome = udp_bind(rt, &target, addrs);
        return Ok(ready(rt, outcome));
    }
    resolve_then(
        rt,
        host,
        port,
        move |_, addrs| Ok((target, addrs)),
        udp_ready,
    )
}

fn udp_bind(rt: &mut Runtime, target: &str, addrs: Vec<SocketAddr>) -> Outcome {
    let mut last = None;
    for addr in addrs {
        match drv::udp_bind(rt, addr) {
            Ok(obj) => return Ok(Value::Io(obj)),
            Err(e) => last = Some(e),
        }
    }
    let reason = last
        .map(|e| os_message(&e))
        .unwrap_or_else(|| "no address".into());
    Err(io_error(rt, format!("cannot bind {target}: {reason}")))
}

fn udp_ready(rt: &mut Runtime, _: crate::gc::Gc<Future>, out: Output) -> Option<Outcome> {
    Some(
        match out.downcast::<Result<(String, Vec<SocketAddr>), String>>() {
            Ok(r) => match *r {
                Ok((target, addrs)) => udp_bind(rt, &target, addrs),
                Err(msg) => Err(io_error(rt, msg)),
            },
            Err(_) => Err(io_error(rt, "udp failed")),
        },
    )
}

fn resolve(rt: &mut Runtime, a: &[Value]) -> NResult {
    let host = text(rt, a[0], "resolve()'s host")?;
    spawn_job(
        rt,
        move || -> Result<Vec<String>, String> {
            let addrs = drv::resolve(&host, 0).map_err(|e| resolve_msg(&host, &e))?;
            let mut ips: Vec<String> = Vec::new();
            for a in addrs {
                let ip = a.ip().to_string();
                if !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
            Ok(ips)
        },
        resolved,
    )
}

fn resolved(rt: &mut Runtime, _: crate::gc::Gc<Future>, out: Output) -> Option<Outcome> {
    Some(match out.downcast::<Result<Vec<String>, String>>() {
        Ok(r) => match *r {
            Ok(ips) => {
                let items = ips.into_iter().map(|s| rt.str(s)).collect();
                Ok(rt.list(items))
            }
            Err(msg) => Err(io_error(rt, msg)),
        },
        Err(_) => Err(io_error(rt, "resolve failed")),
    })
}

// ---- methods ----------------------------------------------------------

fn obj(a: &[Value]) -> crate::gc::Gc<crate::value::io::IoObj> {
    // The method tables are per type: the receiver is an I/O object.
    receiver(a[0]).expect("an I/O method's receiver is an I/O object")
}

fn size_arg(rt: &Runtime, v: Option<Value>, f: &str, default: usize) -> NResult<usize> {
    match v {
        None => Ok(default),
        Some(Value::Int(n)) if n > 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        Some(Value::Int(0)) if f == "read_exact" => Ok(0),
        Some(Value::Int(n)) if f == "read_exact" => err(
            ErrorKind::ValueError,
            format!("{f}() needs a size of 0 or more, not {n}"),
        ),
        Some(Value::Int(n)) => err(
            ErrorKind::ValueError,
            format!("{f}() needs a positive size, not {n}"),
        ),
        Some(v) => type_error(format!("{f}() takes an int, not {}", rt.type_name(v))),
    }
}

fn c_read(rt: &mut Runtime, a: &[Value]) -> NResult {
    if matches!(a.get(1), Some(Value::Int(0))) {
        // As a socket read of 0 bytes: empty, at once.
        let empty = super::io_args::bytes(rt, Vec::new());
        return Ok(super::io_args::ready(rt, Ok(empty)));
    }
    let max = size_arg(rt, a.get(1).copied(), "read", 65536)?;
    Ok(rt.io_future(obj(a), IoOp::Read { max }, Value::Nil))
}

fn c_read_line(rt: &mut Runtime, a: &[Value]) -> NResult {
    Ok(rt.io_future(obj(a), IoOp::ReadLine, Value::Nil))
}

fn c_read_exact(rt: &mut Runtime, a: &[Value]) -> NResult {
    let n = size_arg(rt, Some(a[1]), "read_exact", 0)?;
    if n > crate::value::limit::MAX_OBJECT_BYTES {
        return err(
            ErrorKind::ValueError,
            format!("read_exact({n}) is larger than the biggest bytes value"),
        );
    }
    Ok(rt.io_future(obj(a), IoOp::ReadExact { n }, Value::Nil))
}

fn c_read_all(rt: &mut Runtime, a: &[Value]) -> NResult {
    Ok(rt.io_future(obj(a), IoOp::ReadAll, Value::Nil))
}

fn c_write(rt: &mut Runtime, a: &[Value]) -> NResult {
    let payload = data(rt, a[1], "write()'s argument")?;
    Ok(rt.io_future(obj(a), IoOp::Write { done: 0 }, payload))
}

fn c_close(rt: &mut Runtime, a: &[Value]) -> NResult {
    crate::scheduler::io::close(rt, obj(a));
    Ok(Value::Nil)
}

fn c_peer(rt: &mut Runtime, a: &[Value]) -> NResult {
    let peer = match &*obj(a).state.borrow() {
        IoState::Conn(c) => c.peer.clone(),
        _ => String::new(),
    };
    Ok(rt.str(peer))
}

pub static CONN_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "read",
        min: 0,
        max: 1,
        f: c_read,
    },
    NativeFn {
        name: "read_line",
        min: 0,
        max: 0,
        f: c_read_line,
    },
    NativeFn {
        name: "read_exact",
        min: 1,
        max: 1,
        f: c_read_exact,
    },
    NativeFn {
        name: "read_all",
        min: 0,
        max: 0,
        f: c_read_all,
    },
    NativeFn {
        name: "write",
        min: 1,
        max: 1,
        f: c_write,
    },
    NativeFn {
        name: "close",
        min: 0,
        max: 0,
        f: c_close,
    },
    NativeFn {
        name: "peer",
        min: 0,
        max: 0,
        f: c_peer,
    },
];

fn l_accept(rt: &mut Runtime, a: &[Value]) -> NResult {
    Ok(rt.io_future(obj(a), IoOp::Accept, Value::Nil))
}

fn l_addr(rt: &mut Runtime, a: &[Value]) -> NResult {
    let addr = match &*obj(a).state.borrow() {
        IoState::Listener(l) => l.addr.clone(),
        IoState::Udp(u) => u.addr.clone(),
        _ => String::new(),
    };
    Ok(rt.str(addr))
}

pub static LISTENER_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "accept",
        min: 0,
        max: 0,
        f: l_accept,
    },
    NativeFn {
        name: "addr",
        min: 0,
        max: 0,
        f: l_addr,
    },
    NativeFn {
        name: "close",
        min: 0,
        max: 0,
        f: c_close,
    },
];

fn u_send_to(rt: &mut Runtime, a: &[Value]) -> NResult {
    let payload = data(rt, a[1], "send_to()'s data")?;
    let to = text(rt, a[2], "send_to()'s address")?;
    if to.parse::<std::net::SocketAddr>().is_err() {
        return err(
            ErrorKind::ValueError,
            format!("send_to(): `{to}` is not an address of the form ip:port"),
        );
    }
    let to = rt.str(to);
    let pair = rt.list(vec![payload, to]);
    Ok(rt.io_future(obj(a), IoOp::SendTo, pair))
}

fn u_recv_from(rt: &mut Runtime, a: &[Value]) -> NResult {
    Ok(rt.io_future(obj(a), IoOp::RecvFrom, Value::Nil))
}

pub static UDP_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "send_to",
        min: 2,
        max: 2,
        f: u_send_to,
    },
    NativeFn {
        name: "recv_from",
        min: 0,
        max: 0,
        f: u_recv_from,
    },
    NativeFn {
        name: "addr",
        min: 0,
        max: 0,
        f: l_addr,
    },
    NativeFn {
        name: "close",
        min: 0,
        max: 0,
        f: c_close,
    },
];
