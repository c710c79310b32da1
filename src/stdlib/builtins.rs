//! Global functions (LANGUAGE.md §9): `print eprint str repr int float type
//! len range assert exit`, and the `init` of the error classes.

use crate::runtime::Runtime;
use crate::value::error::{err, type_error, value_error};
use crate::value::{Ctrl, ErrorKind, NResult, NativeFn, Range, Value};
use std::io::Write;

/// In the order of `bytecode::builtins::BUILTINS`.
pub static FUNCTIONS: [NativeFn; 21] = [
    NativeFn {
        name: "print",
        min: 0,
        max: u8::MAX,
        f: print,
    },
    NativeFn {
        name: "eprint",
        min: 0,
        max: u8::MAX,
        f: eprint,
    },
    NativeFn {
        name: "str",
        min: 1,
        max: 1,
        f: str_,
    },
    NativeFn {
        name: "repr",
        min: 1,
        max: 1,
        f: repr,
    },
    NativeFn {
        name: "int",
        min: 1,
        max: 1,
        f: int,
    },
    NativeFn {
        name: "float",
        min: 1,
        max: 1,
        f: float,
    },
    NativeFn {
        name: "type",
        min: 1,
        max: 1,
        f: type_,
    },
    NativeFn {
        name: "len",
        min: 1,
        max: 1,
        f: len,
    },
    NativeFn {
        name: "range",
        min: 1,
        max: 3,
        f: range,
    },
    NativeFn {
        name: "assert",
        min: 1,
        max: 2,
        f: assert,
    },
    NativeFn {
        name: "exit",
        min: 0,
        max: 1,
        f: exit,
    },
    NativeFn {
        name: "sleep",
        min: 1,
        max: 1,
        f: super::concurrency::sleep,
    },
    NativeFn {
        name: "Channel",
        min: 0,
        max: 1,
        f: super::concurrency::channel,
    },
    NativeFn {
        name: "Mutex",
        min: 0,
        max: 0,
        f: super::concurrency::mutex,
    },
    NativeFn {
        name: "Semaphore",
        min: 0,
        max: 1,
        f: super::concurrency::semaphore,
    },
    NativeFn {
        name: "Event",
        min: 0,
        max: 0,
        f: super::concurrency::event,
    },
    NativeFn {
        name: "__first",
        min: 1,
        max: 1,
        f: super::concurrency::first,
    },
    NativeFn {
        name: "__all",
        min: 1,
        max: 1,
        f: super::concurrency::all,
    },
    NativeFn {
        name: "__as_future",
        min: 2,
        max: 2,
        f: super::concurrency::as_future,
    },
    NativeFn {
        name: "__observe",
        min: 1,
        max: 1,
        f: super::concurrency::observe,
    },
    NativeFn {
        name: "__spawn_helper",
        min: 1,
        max: 1,
        f: super::concurrency::spawn_helper,
    },
];

/// `Error(message)` and every subclass that does not define its own `init`.
pub static ERROR_INIT: NativeFn = NativeFn {
    name: "init",
    min: 0,
    max: 1,
    f: error_init,
};

fn line(rt: &Runtime, args: &[Value]) -> NResult<String> {
    let mut s = String::new();
    for (i, v) in args.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        crate::value::display::try_display_into(&mut s, *v, &rt.symbols)?;
    }
    s.push('\n');
    Ok(s)
}

fn print(rt: &mut Runtime, args: &[Value]) -> NResult {
    let text = line(rt, args)?;
    if let Err(e) = rt.out.write_all(text.as_bytes()) {
        return stdout_failed(rt, e);
    }
    Ok(Value::Nil)
}

/// A write to stdout failed. A reader that went away (`weft x.weft | head
/// -1`) ends the program quietly with status 0, as it would a shell tool;
/// anything else is an `IOError`.
pub(super) fn stdout_failed(rt: &mut Runtime, e: std::io::Error) -> NResult {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        rt.out.close();
        return Err(crate::value::Ctrl::Exit(0));
    }
    err(ErrorKind::IOError, format!("cannot write to stdout: {e}"))
}

fn eprint(rt: &mut Runtime, args: &[Value]) -> NResult {
    let text = line(rt, args)?;
    rt.flush();
    let _ = std::io::stderr().write_all(text.as_bytes());
    Ok(Value::Nil)
}

fn str_(rt: &mut Runtime, args: &[Value]) -> NResult {
    match args[0] {
        v @ Value::Str(_) => Ok(v),
        v => {
            let mut s = String::new();
            crate::value::display::try_display_into(&mut s, v, &rt.symbols)?;
            Ok(rt.str(s))
        }
    }
}

fn repr(rt: &mut Runtime, args: &[Value]) -> NResult {
    let s = crate::value::display::try_repr(args[0], &rt.symbols)?;
    Ok(rt.str(s))
}

fn int(rt: &mut Runtime, args: &[Value]) -> NResult {
    match args[0] {
        v @ Value::Int(_) => Ok(v),
        Value::Bool(b) => Ok(Value::Int(b as i64)),
        Value::Float(x) => {
            if x.is_nan() || x.is_infinite() {
                return value_error(format!("cannot convert {x:?} to int"));
            }
            let t = x.trunc();
            if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&t) {
                return value_error(format!("{x:?} is too large for an int"));
            }
            Ok(Value::Int(t as i64))
        }
        Value::Str(s) => match s.as_str().trim().parse::<i64>() {
            Ok(n) => Ok(Value::Int(n)),
            Err(_) => value_error(format!("invalid int: {}", rt.repr(args[0]))),
        },
        v => type_error(format!("cannot convert {} to int", rt.type_name(v))),
    }
}

fn float(rt: &mut Runtime, args: &[Value]) -> NResult {
    match args[0] {
        Value::Int(n) => Ok(Value::Float(n as f64)),
        v @ Value::Float(_) => Ok(v),
        Value::Str(s) => {
            let t = s.as_str().trim();
            let ok_chars = t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
            match t.parse::<f64>() {
                Ok(x) if ok_chars && !t.is_empty() => Ok(Value::Float(x)),
                _ => value_error(format!("invalid float: {}", rt.repr(args[0]))),
            }
        }
        v => type_error(format!("cannot convert {} to float", rt.type_name(v))),
    }
}

fn type_(rt: &mut Runtime, args: &[Value]) -> NResult {
    let name = rt.type_name(args[0]);
    Ok(rt.str(name))
}

fn len(rt: &mut Runtime, args: &[Value]) -> NResult {
    let n = match args[0] {
        Value::Str(s) => s.char_len(),
        Value::List(l) => l.items.borrow().len(),
        Value::Map(m) => m.len(),
        Value::Bytes(b) => b.data.len(),
        Value::Range(r) => {
            return match i64::try_from(r.len()) {
                Ok(n) => Ok(Value::Int(n)),
                Err(_) => err(
                    ErrorKind::ArithmeticError,
                    "the range is too long for its length to be an int",
                ),
            };
        }
        v => return type_error(format!("{} has no length", rt.type_name(v))),
    };
    Ok(Value::Int(n as i64))
}

fn range(rt: &mut Runtime, args: &[Value]) -> NResult {
    let mut ints = [0i64; 3];
    for (i, v) in args.iter().enumerate() {
        match v {
            Value::Int(n) => ints[i] = *n,
            _ => {
                return type_error(format!(
                    "range() arguments must be ints, not {}",
                    rt.type_name(*v)
                ))
            }
        }
    }
    let (start, end, step) = match args.len() {
        1 => (0, ints[0], 1),
        2 => (ints[0], ints[1], 1),
        _ => (ints[0], ints[1], ints[2]),
    };
    if step == 0 {
        return value_error("range() step must not be zero");
    }
    Ok(Value::Range(rt.heap.alloc(Range {
        start,
        end,
        step,
        inclusive: false,
    })))
}

fn assert(rt: &mut Runtime, args: &[Value]) -> NResult {
    if args[0].is_truthy() {
        return Ok(Value::Nil);
    }
    let message = match args.get(1) {
        Some(Value::Str(s)) => s.as_str().to_string(),
        Some(v) => rt.display(*v),
        None => "assertion failed".to_string(),
    };
    err(ErrorKind::AssertionError, message)
}

/// `exit(status)`: a status outside 0..=255 is a `ValueError`, since the
/// operating system would keep only its low 8 bits (`exit(256)` would
/// report success).
fn exit(rt: &mut Runtime, args: &[Value]) -> NResult {
    let code = match args.first() {
        None | Some(Value::Nil) => 0,
        Some(Value::Int(n)) => match u8::try_from(*n) {
            Ok(code) => code,
            Err(_) => return value_error(format!("exit status must be 0..=255, got {n}")),
        },
        Some(v) => return type_error(format!("exit() takes an int, not {}", rt.type_name(*v))),
    };
    Err(Ctrl::Exit(code))
}

fn error_init(rt: &mut Runtime, args: &[Value]) -> NResult {
    if let Value::Instance(inst) = args[0] {
        let message = match args.get(1) {
            Some(v) => *v,
            None => rt.str(""),
        };
        inst.set(rt.names.message, message);
    }
    Ok(Value::Nil)
}
