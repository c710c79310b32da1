//! The native half of the `http` module (LANGUAGE.md §10): parsing an
//! HTTP/1.1 request head with `httparse`. Connection handling, routing
//! and responses are to be written in Weft (`std/http.weft`); only the
//! byte-level parsing of the head, where a native parser is markedly
//! faster, is done here. `__http.parse_head(head)` takes the head (up to
//! and including the blank line) and gives a map `method`, `target`,
//! `version` (`"1.0"` or `"1.1"`), `headers` (lower-case names; repeated
//! headers joined with `", "`) and `length` (bytes of the head), or nil
//! when the head is incomplete, or an int status for a head that must be
//! refused: 400 (malformed) or 431 (more than 100 headers).

use super::io_args::record;
use crate::runtime::Runtime;
use crate::value::error::type_error;
use crate::value::{Key, Map, NResult, NativeFn, Value};

/// Headers beyond this make the request a 431.
pub const MAX_HEADERS: usize = 100;

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "parse_head", min: 1, max: 1, f: parse_head },
];

pub fn members(_: &mut Runtime) -> Vec<(&'static str, Value)> {
    super::natives(FUNCTIONS)
}

fn parse_head(rt: &mut Runtime, a: &[Value]) -> NResult {
    let data: &[u8] = match &a[0] {
        Value::Str(s) => s.as_str().as_bytes(),
        Value::Bytes(b) => &b.data,
        v => {
            return type_error(format!(
                "parse_head() takes a string or bytes, not {}",
                rt.type_name(*v)
            ))
        }
    };
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    let length = match req.parse(data) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(Value::Nil),
        Err(httparse::Error::TooManyHeaders) => return Ok(Value::Int(431)),
        Err(_) => return Ok(Value::Int(400)),
    };
    let (Some(method), Some(target), Some(minor)) = (req.method, req.path, req.version) else {
        return Ok(Value::Int(400));
    };
    let mut headers: Vec<(String, String)> = Vec::with_capacity(req.headers.len());
    for h in req.headers.iter() {
        let name = h.name.to_ascii_lowercase();
        let value = String::from_utf8_lossy(h.value).into_owned();
        match headers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => {
                v.push_str(", ");
                v.push_str(&value);
            }
            None => headers.push((name, value)),
        }
    }
    let map = Map::with_capacity(headers.len());
    for (name, value) in headers {
        let key = rt.heap.alloc(crate::value::Str::new(name));
        let value = rt.str(value);
        // A head of at most 100 headers is far below the size limit.
        let _ = map.insert(Key::Str(key), value);
    }
    let headers = Value::Map(rt.heap.alloc(map));
    let method = rt.str(method);
    let target = rt.str(target);
    let version = rt.str(if minor == 0 { "1.0" } else { "1.1" });
    Ok(record(
        rt,
        vec![
            ("method", method),
            ("target", target),
            ("version", version),
            ("headers", headers),
            (
                "length",
                Value::Int(i64::try_from(length).unwrap_or(i64::MAX)),
            ),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(rt: &mut Runtime, head: &str) -> Value {
        let v = rt.str(head);
        parse_head(rt, &[v]).unwrap()
    }

    fn field(rt: &Runtime, m: Value, name: &str) -> Value {
        let Value::Map(m) = m else {
            panic!("not a map: {}", rt.display(m))
        };
        let found = m
            .entries()
            .iter()
            .find(|(k, _)| matches!(k, Key::Str(s) if s.as_str() == name))
            .map(|(_, v)| v);
        found.unwrap_or(Value::Nil)
    }

    #[test]
    fn a_complete_head_gives_its_parts() {
        let mut rt = Runtime::new();
        let head = "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\nbody";
        let m = parse(&mut rt, head);
        assert_eq!(rt.display(field(&rt, m, "method")), "GET");
        assert_eq!(rt.display(field(&rt, m, "target")), "/a?b=1");
        assert_eq!(rt.display(field(&rt, m, "version")), "1.1");
        assert_eq!(
            rt.display(field(&rt, m, "headers")),
            r#"{"host": "x", "x-a": "1, 2"}"#
        );
        assert_eq!(
            rt.display(field(&rt, m, "length")),
            (head.len() - 4).to_string()
        );
    }

    #[test]
    fn incomplete_malformed_and_oversized_heads() {
        let mut rt = Runtime::new();
        assert!(matches!(
            parse(&mut rt, "GET / HTTP/1.1\r\nHost"),
            Value::Nil
        ));
        assert!(matches!(
            parse(&mut rt, "GET / HTTP/9\r\n\r\n"),
            Value::Int(400)
        ));
        assert!(matches!(parse(&mut rt, "G E T\r\n\r\n"), Value::Int(400)));
        let mut many = String::from("GET / HTTP/1.1\r\n");
        for i in 0..=MAX_HEADERS {
            many.push_str(&format!("h{i}: v\r\n"));
        }
        many.push_str("\r\n");
        assert!(matches!(parse(&mut rt, &many), Value::Int(431)));
    }
}
