//! The `fs` module (LANGUAGE.md §10). Every operation but `exists` runs on
//! a helper thread (the reactor's pool), so a slow disk never stalls other
//! tasks; failures are `IOError`s naming the path and the OS message.

use super::io_args::{bytes, data, data_bytes, record, text};
use crate::gc::Gc;
use crate::reactor::pool::Output;
use crate::runtime::Runtime;
use crate::scheduler::io::{io_error, os_message};
use crate::value::error::err;
use crate::value::{ErrorKind, Future, NResult, NativeFn, Outcome, Value};
use std::path::Path;

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "read", min: 1, max: 1, f: read },
    NativeFn { name: "read_bytes", min: 1, max: 1, f: read_bytes },
    NativeFn { name: "write", min: 2, max: 2, f: write },
    NativeFn { name: "append", min: 2, max: 2, f: append },
    NativeFn { name: "exists", min: 1, max: 1, f: exists },
    NativeFn { name: "list", min: 1, max: 1, f: list },
    NativeFn { name: "stat", min: 1, max: 1, f: stat },
    NativeFn { name: "remove", min: 1, max: 1, f: remove },
    NativeFn { name: "mkdir", min: 1, max: 1, f: mkdir },
];

pub fn members(_: &mut Runtime) -> Vec<(&'static str, Value)> {
    super::natives(FUNCTIONS)
}

/// What a file operation produced on its helper thread.
enum Done {
    Nil,
    Text(String),
    Bytes(Vec<u8>),
    Names(Vec<String>),
    Stat {
        size: u64,
        is_dir: bool,
        modified: f64,
    },
}

type FsResult = Result<Done, String>;

fn fail(verb: &str, path: &str, e: std::io::Error) -> String {
    format!("cannot {verb} `{path}`: {}", os_message(&e))
}

fn run(rt: &mut Runtime, job: impl FnOnce() -> FsResult + Send + 'static) -> NResult {
    match rt.job(Box::new(move || Box::new(job()) as Output), finish) {
        Ok(f) => Ok(Value::Future(f)),
        Err(e) => err(ErrorKind::IOError, os_message(&e)),
    }
}

fn finish(rt: &mut Runtime, _: Gc<Future>, out: Output) -> Option<Outcome> {
    let result = match out.downcast::<FsResult>() {
        Ok(r) => *r,
        Err(_) => Err("file operation failed".into()),
    };
    Some(match result {
        Ok(Done::Nil) => Ok(Value::Nil),
        Ok(Done::Text(s)) => Ok(rt.str(s)),
        Ok(Done::Bytes(b)) => Ok(bytes(rt, b)),
        Ok(Done::Names(names)) => {
            let items = names.into_iter().map(|n| rt.str(n)).collect();
            Ok(rt.list(items))
        }
        Ok(Done::Stat {
            size,
            is_dir,
            modified,
        }) => Ok(record(
            rt,
            vec![
                ("size", Value::Int(i64::try_from(size).unwrap_or(i64::MAX))),
                ("is_dir", Value::Bool(is_dir)),
                ("modified", Value::Float(modified)),
            ],
        )),
        Err(msg) => Err(io_error(rt, msg)),
    })
}

fn path_arg(rt: &Runtime, v: Value, f: &str) -> NResult<String> {
    let p = text(rt, v, &format!("fs.{f}()'s path"))?;
    if p.is_empty() {
        // Some calls would quietly succeed on "" (creating no folder).
        return err(ErrorKind::IOError, format!("fs.{f}(): the path is empty"));
    }
    if p.contains('\0') {
        return err(
            ErrorKind::ValueError,
            format!("fs.{f}(): a path cannot contain NUL"),
        );
    }
    Ok(p)
}

fn read(rt: &mut Runtime, a: &[Value]) -> NResult {
    let path = path_arg(rt, a[0], "read")?;
    run(rt, move || {
        let data = std::fs::read(&path).map_err(|e| fail("read", &path, e))?;
        String::from_utf8(data).map(Done::Text).map_err(|_| {
            format!("cannot read `{path}` as text: it is not valid UTF-8 (use fs.read_bytes)")
        })
    })
}

fn read_bytes(rt: &mut Runtime, a: &[Value]) -> NResult {
    let path = path_arg(rt, a[0], "read_bytes")?;
    run(rt, move || {
        std::fs::read(&path)
            .map(Done::Bytes)
            .map_err(|e| fail("read", &path, e))
    })
}

fn write(rt: &mut Runtime, a: &[Value]) -> NResult {
    let path = path_arg(rt, a[0], "write")?;
    let bytes = data_bytes(data(rt, a[1], "fs.write()'s data")?);
    run(rt, move || {
        std::fs::write(&path, bytes)
            .map(|_| Done::Nil)
            .map_err(|e| fail("write", &path, e))
    })
}

fn append(rt: &mut Runtime, a: &[Value]) -> NResult {
    let path = path_arg(rt, a[0], "append")?;
    let bytes = data_bytes(data(rt, a[1], "fs.append()'s data")?);
    run(rt, move || {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .and_then(|mut f| f.write_all(&bytes))
            .map(|_| Done::Nil)
            .map_err(|e| fail("append to", &path, e))
    })
}

/// Answered at once: a metadata lookup is quick, and `fs.exists` is not
/// awaited (LANGUAGE.md §10).
fn exists(rt: &mut Runtime, a: &[Value]) -> NResult {
    if a[0].as_str() == Some("") {
        return Ok(Value::Bool(false));
    }
    let path = path_arg(rt, a[0], "exists")?;
    Ok(Value::Bool(Path::new(&path).exists()))
}

fn list(rt: &mut Runtime, a: &[Value]) -> NResult {
    let path = path_arg(rt, a[0], "list")?;
    run(rt, move || {
        let entries = std::fs::read_dir(&path).map_err(|e| fail("list", &path, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| fail("list", &path, e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(Done::Names(names))
    })
}

fn stat(rt: &mut Runtime, a: &[Value]) -> NResult {
    let path = path_arg(rt, a[0], "stat")?;
    run(rt, move || {
        let m = std::fs::metadata(&path).map_err(|e| fail("stat", &path, e))?;
        let modified = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        Ok(Done::Stat {
            size: m.len(),
            is_dir: m.is_dir(),
            modified,
        })
    })
}

fn remove(rt: &mut Runtime, a: &[Value]) -> NResult {
    let path = path_arg(rt, a[0], "remove")?;
    run(rt, move || {
        let m = std::fs::symlink_metadata(&path).map_err(|e| fail("remove", &path, e))?;
        let r = if m.is_dir() {
            std::fs::remove_dir(&path)
        } else {
            std::fs::remove_file(&path)
        };
        r.map(|_| Done::Nil).map_err(|e| fail("remove", &path, e))
    })
}

fn mkdir(rt: &mut Runtime, a: &[Value]) -> NResult {
    let path = path_arg(rt, a[0], "mkdir")?;
    run(rt, move || {
        std::fs::create_dir_all(&path)
            .map(|_| Done::Nil)
            .map_err(|e| fail("create folder", &path, e))
    })
}
