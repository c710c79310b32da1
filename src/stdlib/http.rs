//! The native half of the `http` module (LANGUAGE.md §10): the byte-level
//! work where a native parser is markedly faster than Weft code. Connection
//! handling, routing and responses are written in Weft (`std/http.weft`),
//! which calls these as `__http.NAME`:
//!
//! - `parse_head(buf)`: an HTTP/1.x request head, parsed with `httparse`,
//!   as `[method, path, query, version, headers, length]` (`query` is the
//!   target's part after `?`, or nil; `version` is `"1.0"` or `"1.1"`;
//!   `headers` has lower-case names, repeats joined with `", "`; `length`
//!   is the head's size in bytes), or nil while it is incomplete, or the
//!   status for a head that must be refused: 400 (malformed) or 431 (over
//!   8 KiB, or more than 100 headers).
//! - `parse_response(buf)`: a response head, as `[status, version, headers,
//!   length]`, nil while incomplete, or 0 when malformed.
//! - `chunk_head(buf)`: the size line of a chunk of a chunked body, as
//!   `[size, length]`; for the last chunk (size 0) `length` also covers the
//!   trailer section. Nil while incomplete, 400 when malformed.
//! - `frame_chunk(data)`: `data` framed as one chunk (bytes).
//! - `parse_query(s)`: a query string as a map of percent-decoded names to
//!   values (`+` is a space; a repeated name keeps its last value).
//! - `unescape(s)`: a percent-decoded path segment.
//! - `concat(pieces)`: a list of bytes joined into one.
//! - `byte_len(s)`: the UTF-8 length of a string (or of bytes).
//! - `date()`: the current time as an HTTP date (`Sun, 06 Nov 1994
//!   08:49:37 GMT`), computed once per second.
//! - `report(headline, error, handler?)`: writes the report of an error (its
//!   span and stack trace) to stderr and goes on; an error that was never
//!   thrown (a bad response) is shown at the handler's declaration.

use super::io_args::bytes as bytes_value;
use crate::runtime::Runtime;
use crate::value::error::type_error;
use crate::value::{Key, Map, NResult, NativeFn, Value};
use std::cell::RefCell;

/// Headers beyond this make the request a 431.
pub const MAX_HEADERS: usize = 100;
/// A request head longer than this is a 431.
pub const MAX_HEAD: usize = 8 * 1024;
/// A chunk-size line (with extensions) or a trailer section longer than
/// this is malformed.
const MAX_CHUNK_LINE: usize = 4 * 1024;

#[rustfmt::skip]
static FUNCTIONS: &[NativeFn] = &[
    NativeFn { name: "parse_head", min: 1, max: 1, f: parse_head },
    NativeFn { name: "parse_response", min: 1, max: 1, f: parse_response },
    NativeFn { name: "chunk_head", min: 1, max: 1, f: chunk_head },
    NativeFn { name: "frame_chunk", min: 1, max: 1, f: frame_chunk },
    NativeFn { name: "parse_query", min: 1, max: 1, f: parse_query },
    NativeFn { name: "unescape", min: 1, max: 1, f: unescape },
    NativeFn { name: "concat", min: 1, max: 1, f: concat },
    NativeFn { name: "byte_len", min: 1, max: 1, f: byte_len },
    NativeFn { name: "date", min: 0, max: 0, f: date },
    NativeFn { name: "report", min: 2, max: 3, f: report },
];

pub fn members(_: &mut Runtime) -> Vec<(&'static str, Value)> {
    super::natives(FUNCTIONS)
}

/// The bytes of a string or bytes argument.
fn data<'a>(rt: &Runtime, v: &'a Value, what: &str) -> NResult<&'a [u8]> {
    match v {
        Value::Str(s) => Ok(s.as_str().as_bytes()),
        Value::Bytes(b) => Ok(&b.data),
        v => type_error(format!(
            "{what}() takes a string or bytes, not {}",
            rt.type_name(*v)
        )),
    }
}

fn int(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Header names lower-cased, repeated names joined with `", "`, as a map.
fn header_map(rt: &mut Runtime, parsed: &[httparse::Header]) -> Value {
    let mut headers: Vec<(String, String)> = Vec::with_capacity(parsed.len());
    for h in parsed {
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
        // At most 100 headers: far below the size limit.
        let _ = map.insert(Key::Str(key), value);
    }
    Value::Map(rt.heap.alloc(map))
}

fn parse_head(rt: &mut Runtime, a: &[Value]) -> NResult {
    let data = data(rt, &a[0], "parse_head")?;
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    let length = match req.parse(data) {
        Ok(httparse::Status::Complete(n)) if n > MAX_HEAD => return Ok(Value::Int(431)),
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if data.len() > MAX_HEAD => return Ok(Value::Int(431)),
        Ok(httparse::Status::Partial) => return Ok(Value::Nil),
        Err(httparse::Error::TooManyHeaders) => return Ok(Value::Int(431)),
        Err(_) => return Ok(Value::Int(400)),
    };
    let (Some(method), Some(target), Some(minor)) = (req.method, req.path, req.version) else {
        return Ok(Value::Int(400));
    };
    // Two Hosts are refused (RFC 9112, section 3.2); a missing one is
    // accepted, as by Python's server, for hand-written requests.
    let hosts = req
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("host"))
        .count();
    if hosts > 1 {
        return Ok(Value::Int(400));
    }
    let Some((path, query)) = path_and_query(method, target) else {
        return Ok(Value::Int(400));
    };
    let headers = header_map(rt, req.headers);
    let method = rt.str(method);
    let path = rt.str(path);
    let query = match query {
        Some(q) => rt.str(q),
        None => Value::Nil,
    };
    let version = rt.str(if minor == 0 { "1.0" } else { "1.1" });
    Ok(rt.list(vec![method, path, query, version, headers, int(length)]))
}

/// The path and query of a request target: origin form (`/a?b`) as it is,
/// absolute form (`http://host/a?b`, which servers must accept) without its
/// scheme and authority, `*` for OPTIONS; None for anything else.
fn path_and_query<'a>(method: &str, target: &'a str) -> Option<(&'a str, Option<&'a str>)> {
    let split = |t: &'a str| match t.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (t, None),
    };
    if target.starts_with('/') || (method == "OPTIONS" && target == "*") {
        return Some(split(target));
    }
    let scheme = target.find("://")?;
    if !matches!(
        target[..scheme].to_ascii_lowercase().as_str(),
        "http" | "https"
    ) {
        return None;
    }
    let rest = &target[scheme + 3..];
    match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => Some(split(&rest[i..])),
        Some(i) => Some(("/", Some(&rest[i + 1..]))),
        None => Some(("/", None)),
    }
}

fn parse_response(rt: &mut Runtime, a: &[Value]) -> NResult {
    let data = data(rt, &a[0], "parse_response")?;
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut res = httparse::Response::new(&mut slots);
    let length = match res.parse(data) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if data.len() > 64 * 1024 => return Ok(Value::Int(0)),
        Ok(httparse::Status::Partial) => return Ok(Value::Nil),
        Err(_) => return Ok(Value::Int(0)),
    };
    let (Some(status), Some(minor)) = (res.code, res.version) else {
        return Ok(Value::Int(0));
    };
    let headers = header_map(rt, res.headers);
    let version = rt.str(if minor == 0 { "1.0" } else { "1.1" });
    Ok(rt.list(vec![
        Value::Int(i64::from(status)),
        version,
        headers,
        int(length),
    ]))
}

/// The offset just past the first CRLF in `data`, if any.
fn line_end(data: &[u8]) -> Option<usize> {
    data.windows(2).position(|w| w == b"\r\n").map(|i| i + 2)
}

fn chunk_head(rt: &mut Runtime, a: &[Value]) -> NResult {
    let data = data(rt, &a[0], "chunk_head")?;
    let Some(end) = line_end(data) else {
        // A line ended by a bare LF will never see its CRLF.
        let malformed = data.len() > MAX_CHUNK_LINE || data.contains(&b'\n');
        return Ok(if malformed {
            Value::Int(400)
        } else {
            Value::Nil
        });
    };
    if end > MAX_CHUNK_LINE {
        return Ok(Value::Int(400));
    }
    // `1a;name=value`: the size is hex digits, extensions are ignored.
    let line = &data[..end - 2];
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let rest = &line[digits..];
    let rest_ok = rest.is_empty() || matches!(rest[0], b';' | b' ' | b'\t');
    let size = std::str::from_utf8(&line[..digits])
        .ok()
        .and_then(|hex| usize::from_str_radix(hex, 16).ok());
    let Some(size) = size.filter(|_| digits > 0 && rest_ok) else {
        return Ok(Value::Int(400));
    };
    if size > 0 {
        return Ok(rt.list(vec![int(size), int(end)]));
    }
    // The last chunk: trailer lines up to an empty line.
    let mut at = end;
    loop {
        let Some(n) = line_end(&data[at..]) else {
            return Ok(if data.len() - end > MAX_CHUNK_LINE {
                Value::Int(400)
            } else {
                Value::Nil
            });
        };
        at += n;
        if at - end > MAX_CHUNK_LINE {
            return Ok(Value::Int(400));
        }
        if n == 2 {
            return Ok(rt.list(vec![Value::Int(0), int(at)]));
        }
    }
}

fn frame_chunk(rt: &mut Runtime, a: &[Value]) -> NResult {
    let data = data(rt, &a[0], "frame_chunk")?;
    let mut framed = format!("{:x}\r\n", data.len()).into_bytes();
    framed.reserve(data.len() + 2);
    framed.extend_from_slice(data);
    framed.extend_from_slice(b"\r\n");
    Ok(bytes_value(rt, framed))
}

fn parse_query(rt: &mut Runtime, a: &[Value]) -> NResult {
    let data = data(rt, &a[0], "parse_query")?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(data)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let map = Map::with_capacity(pairs.len());
    for (k, v) in pairs {
        let key = rt.heap.alloc(crate::value::Str::new(k));
        let value = rt.str(v);
        map.insert(Key::Str(key), value)?;
    }
    Ok(Value::Map(rt.heap.alloc(map)))
}

fn unescape(rt: &mut Runtime, a: &[Value]) -> NResult {
    let data = data(rt, &a[0], "unescape")?;
    let decoded = percent_encoding::percent_decode(data)
        .decode_utf8_lossy()
        .into_owned();
    Ok(rt.str(decoded))
}

fn concat(rt: &mut Runtime, a: &[Value]) -> NResult {
    let Value::List(list) = a[0] else {
        return type_error(format!("concat() takes a list, not {}", rt.type_name(a[0])));
    };
    let items = list.items.borrow();
    let mut joined = Vec::new();
    for item in items.iter() {
        joined.extend_from_slice(data(rt, item, "concat")?);
    }
    drop(items);
    Ok(bytes_value(rt, joined))
}

fn byte_len(rt: &mut Runtime, a: &[Value]) -> NResult {
    Ok(int(data(rt, &a[0], "byte_len")?.len()))
}

thread_local! {
    /// The second last formatted and its HTTP date.
    static DATE: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

fn date(rt: &mut Runtime, _: &[Value]) -> NResult {
    let now = std::time::SystemTime::now();
    let second = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let text = DATE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.0 != second {
            *cache = (second, httpdate::fmt_http_date(now));
        }
        cache.1.clone()
    });
    Ok(rt.str(text))
}

fn report(rt: &mut Runtime, a: &[Value]) -> NResult {
    let headline = rt.display(a[0]);
    let error = a[1];
    let origin = match error {
        Value::Instance(inst) if inst.class.is_error => inst.origin.get().cloned(),
        _ => rt.last_origin.clone(),
    };
    let what = match error {
        Value::Instance(inst) if inst.class.is_error => rt.display(error),
        _ => rt.repr(error),
    };
    let mut report =
        crate::runtime::report::error_report(rt, error, origin, format!("{headline}: {what}"));
    // An error made for a bad response has no place in the user's code:
    // point at the handler that gave the response.
    if let (true, Some(Value::Closure(handler))) = (report.labels.is_empty(), a.get(2)) {
        let proto = &handler.proto.code;
        if !crate::runtime::report::is_library(&rt.sources, proto.source) {
            // The declaration's first line, not its whole body.
            let range = proto.span.range();
            let text = &rt.sources.get(proto.source).text;
            let end = text
                .get(range.clone())
                .and_then(|decl| decl.find('\n'))
                .map_or(range.end, |eol| range.start + eol);
            let span = crate::span::Span::new(range.start, end);
            report = report.with_label(proto.source, span, "the handler");
        }
    }
    rt.flush();
    crate::report_to_stderr(&crate::diagnostics::render(&report, &rt.sources, rt.color));
    Ok(Value::Nil)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::NativeImpl;

    fn call(rt: &mut Runtime, f: NativeImpl, text: &str) -> String {
        let v = rt.str(text);
        let out = f(rt, &[v]).unwrap();
        rt.repr(out)
    }

    #[test]
    fn a_complete_head_gives_its_parts() {
        let mut rt = Runtime::new();
        let head = "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\nbody";
        assert_eq!(
            call(&mut rt, parse_head, head),
            format!(
                r#"["GET", "/a", "b=1", "1.1", {{"host": "x", "x-a": "1, 2"}}, {}]"#,
                head.len() - 4
            )
        );
        assert_eq!(
            call(&mut rt, parse_head, "\r\nPOST /x HTTP/1.0\r\n\r\n"),
            r#"["POST", "/x", nil, "1.0", {}, 22]"#
        );
    }

    #[test]
    fn incomplete_malformed_and_oversized_heads() {
        let mut rt = Runtime::new();
        assert_eq!(call(&mut rt, parse_head, "GET / HTTP/1.1\r\nHost"), "nil");
        assert_eq!(call(&mut rt, parse_head, "GET / HTTP/9\r\n\r\n"), "400");
        assert_eq!(call(&mut rt, parse_head, "G E T\r\n\r\n"), "400");
        let mut many = String::from("GET / HTTP/1.1\r\n");
        for i in 0..=MAX_HEADERS {
            many.push_str(&format!("h{i}: v\r\n"));
        }
        many.push_str("\r\n");
        assert_eq!(call(&mut rt, parse_head, &many), "431");
        let long = format!("GET / HTTP/1.1\r\nx: {}", "a".repeat(MAX_HEAD));
        assert_eq!(call(&mut rt, parse_head, &long), "431");
        assert_eq!(call(&mut rt, parse_head, &format!("{long}\r\n\r\n")), "431");
    }

    #[test]
    fn request_targets_and_hosts() {
        let mut rt = Runtime::new();
        let parts = |rt: &mut Runtime, target: &str| {
            let head = format!("GET {target} HTTP/1.1\r\nHost: h\r\n\r\n");
            let out = call(rt, parse_head, &head);
            out.split(", {").next().unwrap().to_string()
        };
        assert_eq!(
            parts(&mut rt, "http://h/a?b=1"),
            r#"["GET", "/a", "b=1", "1.1""#
        );
        assert_eq!(parts(&mut rt, "HTTPS://h:8/"), r#"["GET", "/", nil, "1.1""#);
        assert_eq!(parts(&mut rt, "http://h?q"), r#"["GET", "/", "q", "1.1""#);
        assert_eq!(parts(&mut rt, "http://h"), r#"["GET", "/", nil, "1.1""#);
        assert_eq!(parts(&mut rt, "users/7"), "400");
        assert_eq!(parts(&mut rt, "ftp://h/x"), "400");
        assert_eq!(parts(&mut rt, "*"), "400");
        assert!(call(&mut rt, parse_head, "GET / HTTP/1.1\r\n\r\n").starts_with("[\"GET\""));
        assert_eq!(
            call(
                &mut rt,
                parse_head,
                "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
            ),
            "400"
        );
        assert!(call(&mut rt, parse_head, "GET / HTTP/1.0\r\n\r\n").starts_with("[\"GET\""));
        assert!(
            call(&mut rt, parse_head, "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")
                .starts_with("[\"OPTIONS\", \"*\"")
        );
    }

    #[test]
    fn response_heads() {
        let mut rt = Runtime::new();
        assert_eq!(
            call(
                &mut rt,
                parse_response,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabc"
            ),
            r#"[404, "1.1", {"content-length": "3"}, 45]"#
        );
        assert_eq!(call(&mut rt, parse_response, "HTTP/1.1 200 OK\r\n"), "nil");
        assert_eq!(call(&mut rt, parse_response, "SMTP ready\r\n\r\n"), "0");
    }

    #[test]
    fn chunk_sizes_and_trailers() {
        let mut rt = Runtime::new();
        assert_eq!(call(&mut rt, chunk_head, "1a;x=y\r\ndata"), "[26, 8]");
        assert_eq!(call(&mut rt, chunk_head, "1a"), "nil");
        assert_eq!(call(&mut rt, chunk_head, "zz\r\n"), "400");
        assert_eq!(call(&mut rt, chunk_head, "\r\n"), "400");
        assert_eq!(call(&mut rt, chunk_head, "3\nabc\n"), "400");
        assert_eq!(call(&mut rt, chunk_head, "0\r\n"), "nil");
        assert_eq!(call(&mut rt, chunk_head, "0\r\n\r\nnext"), "[0, 5]");
        assert_eq!(call(&mut rt, chunk_head, "0\r\nA: b\r\n\r\n"), "[0, 11]");
        assert_eq!(
            call(&mut rt, chunk_head, &format!("{}\r\n", "f".repeat(40))),
            "400"
        );
        assert_eq!(
            call(&mut rt, frame_chunk, "héllo"),
            r#"b"6\x0d\x0ah\xc3\xa9llo\x0d\x0a""#
        );
    }

    #[test]
    fn queries_and_segments_are_decoded() {
        let mut rt = Runtime::new();
        assert_eq!(
            call(&mut rt, parse_query, "a=1&b=x+y%21&a=2&flag&%E2%9C%93=ok"),
            r#"{"a": "2", "b": "x y!", "flag": "", "✓": "ok"}"#
        );
        assert_eq!(call(&mut rt, unescape, "a%20b+c%2F"), r#""a b+c/""#);
        assert_eq!(call(&mut rt, byte_len, "héllo"), "6");
    }
}
