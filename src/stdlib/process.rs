//! The native half of the `process` module (LANGUAGE.md §10): starting a
//! child without a shell (`__process.spawn`), and the child's methods and
//! fields. `process.run` is written in Weft (`std/process.weft`) on top of
//! them: it feeds stdin, collects stdout and stderr and waits, all at once.

use super::io_args::{option, receiver, str_option, text};
use crate::runtime::Runtime;
use crate::scheduler::io::process::{self as drv, SpawnSpec};
use crate::value::error::{err, type_error};
use crate::value::io::IoState;
use crate::value::{ErrorKind, IoOp, Key, NResult, NativeFn, Value};

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "spawn", min: 1, max: 3, f: spawn },
    NativeFn { name: "__spawn_run", min: 1, max: 3, f: spawn_run },
];

fn spawn_run(rt: &mut Runtime, a: &[Value]) -> NResult {
    start(rt, a, true)
}

pub fn members(_: &mut Runtime) -> Vec<(&'static str, Value)> {
    super::natives(FUNCTIONS)
}

fn spawn(rt: &mut Runtime, a: &[Value]) -> NResult {
    start(rt, a, false)
}

/// `spawn(cmd, args = [], opts = {})`; `for_run` allows the `stdin`
/// option, which `process.run` feeds.
fn start(rt: &mut Runtime, a: &[Value], for_run: bool) -> NResult {
    let f = if for_run {
        "process.run"
    } else {
        "process.spawn"
    };
    let cmd = text(rt, a[0], &format!("{f}()'s command"))?;
    if cmd.is_empty() || cmd.contains('\0') {
        return err(
            ErrorKind::ValueError,
            format!("{f}(): `{cmd}` is not a command"),
        );
    }
    let mut args = Vec::new();
    match a.get(1).copied().unwrap_or(Value::Nil) {
        Value::Nil => {}
        Value::List(l) => {
            for v in l.items.borrow().iter() {
                match v {
                    Value::Str(s) if !s.as_str().contains('\0') => {
                        args.push(s.as_str().to_string())
                    }
                    Value::Str(_) => {
                        return err(
                            ErrorKind::ValueError,
                            format!("{f}(): an argument cannot contain NUL"),
                        )
                    }
                    _ => {
                        // Numbers and the like are passed as they print.
                        args.push(rt.display(*v))
                    }
                }
            }
        }
        v => {
            return type_error(format!(
                "{f}() takes its arguments as a list, not {}",
                rt.type_name(v)
            ))
        }
    }
    let opts = a.get(2).copied();
    let known: &[&str] = &["stdin", "cwd", "env"];
    let cwd = str_option(rt, opts, "cwd", known, f)?;
    let mut env = Vec::new();
    match option(rt, opts, "env", known, f)? {
        None => {}
        Some(Value::Map(m)) => {
            for (k, v) in m.entries().iter() {
                let Key::Str(k) = k else {
                    return type_error(format!("{f}(): `env` names are strings"));
                };
                // Values that are not strings are passed as `str` shows them.
                let v = match v {
                    Value::Str(s) => s,
                    other => {
                        let text = rt.display(other);
                        match rt.str(text) {
                            Value::Str(s) => s,
                            _ => unreachable!("rt.str makes a string"),
                        }
                    }
                };
                if k.as_str().is_empty() || k.as_str().contains(['=', '\0']) {
                    return err(
                        ErrorKind::ValueError,
                        format!(
                            "{f}(): `{}` cannot be an environment variable name",
                            k.as_str()
                        ),
                    );
                }
                if v.as_str().contains('\0') {
                    return err(
                        ErrorKind::ValueError,
                        format!("{f}(): the value of `{}` contains NUL", k.as_str()),
                    );
                }
                env.push((k.as_str().to_string(), v.as_str().to_string()));
            }
        }
        Some(v) => {
            return type_error(format!(
                "{f}(): `env` must be a map, not {}",
                rt.type_name(v)
            ))
        }
    }
    let input = option(rt, opts, "stdin", known, f)?;
    if let Some(v) = input {
        if !matches!(v, Value::Str(_) | Value::Bytes(_)) {
            return type_error(format!(
                "{f}(): `stdin` must be a string or bytes, not {}",
                rt.type_name(v)
            ));
        }
    }
    let spec = SpawnSpec {
        cmd,
        args,
        cwd,
        env,
    };
    let child = match drv::spawn(rt, spec) {
        Ok(obj) => obj,
        Err(msg) => return err(ErrorKind::IOError, msg),
    };
    // `spawn`'s `stdin` option is written, then the pipe closed, while the
    // program goes on (`run` feeds its own, so that it can wait for it).
    if let (Some(data), false) = (input, for_run) {
        if let Some(Value::Io(pipe)) = child_field(rt, Value::Io(child), "stdin") {
            if let Value::Future(fut) = rt.io_future(pipe, IoOp::Feed { done: 0 }, data) {
                crate::scheduler::io::start(rt, fut);
            }
        }
    }
    Ok(Value::Io(child))
}

fn wait(rt: &mut Runtime, a: &[Value]) -> NResult {
    let obj = receiver(a[0]).expect("a child method's receiver is a child");
    Ok(rt.io_future(obj, IoOp::Wait, Value::Nil))
}

fn kill(_: &mut Runtime, a: &[Value]) -> NResult {
    let obj = receiver(a[0]).expect("a child method's receiver is a child");
    if let IoState::Child(c) = &mut *obj.state.borrow_mut() {
        if c.status.is_none() {
            // Fails only if it was reaped already.
            let _ = c.process.kill();
        }
    }
    Ok(Value::Nil)
}

pub static CHILD_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "wait",
        min: 0,
        max: 0,
        f: wait,
    },
    NativeFn {
        name: "kill",
        min: 0,
        max: 0,
        f: kill,
    },
];

/// `child.pid`, `child.stdin`, `child.stdout`, `child.stderr`.
pub fn child_field(rt: &Runtime, v: Value, name: &str) -> Option<Value> {
    let obj = receiver(v)?;
    let state = obj.state.borrow();
    let IoState::Child(c) = &*state else {
        return None;
    };
    let _ = rt;
    match name {
        "pid" => Some(Value::Int(c.process.id().into())),
        "stdin" => Some(c.stdin),
        "stdout" => Some(c.stdout),
        "stderr" => Some(c.stderr),
        _ => None,
    }
}
