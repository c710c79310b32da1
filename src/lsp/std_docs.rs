//! Parameter names and one-line descriptions of the functions written in Rust that programs call by name (built-in globals and the members of native standard modules), for hover and completion in the language server: natives carry no parameter names of their own. The `every_native_is_described` test keeps it complete.

/// One documented name: `"print"` or `"time.sleep"`.
pub struct NativeDoc {
    pub name: &'static str,
    /// The parameter list as Weft would write it: `"ms"`, `"path, data"`, `"max = 65536"`, `"...values"`; `""` for none (or for a value such as `math.pi`).
    pub params: &'static str,
    /// One or two sentences, from LANGUAGE.md's wording where it has some.
    pub doc: &'static str,
}

/// Built-in globals first, then the members of each native module (`fs`,
/// `json`, `math`, `net`, `os`, `runtime`, `time`), each group sorted by
/// name.
pub const NATIVE_DOCS: &[NativeDoc] = &[
    // ---- built-in globals (LANGUAGE.md §8, §9)
    NativeDoc {
        name: "Channel",
        params: "capacity = 0",
        doc: "A new channel buffering up to `capacity` values (0 is a rendezvous): `await ch.send(v)`, `await ch.recv()`, `ch.try_send(v)`, `ch.close()`, `ch.len()`; `for await v in ch` reads until it is closed and drained.",
    },
    NativeDoc {
        name: "Event",
        params: "",
        doc: "A new event, initially unset: `await e.wait()` waits until `e.set()` is called; `e.is_set()` tells whether it was.",
    },
    NativeDoc {
        name: "Mutex",
        params: "",
        doc: "A new FIFO-fair mutex: `await m.lock()`, then `m.unlock()` (a `ValueError` from a task that does not hold it).",
    },
    NativeDoc {
        name: "Semaphore",
        params: "n = 1",
        doc: "A new semaphore with `n` permits (an int >= 0): `await s.acquire()` takes one, `s.release()` gives one back.",
    },
    NativeDoc {
        name: "assert",
        params: "cond, message = \"assertion failed\"",
        doc: "Throws an `AssertionError` with `message` when `cond` is falsy; otherwise returns nil.",
    },
    NativeDoc {
        name: "eprint",
        params: "...values",
        doc: "Writes the values to stderr, converted as `str` does and joined by spaces, then a newline (stdout is flushed first).",
    },
    NativeDoc {
        name: "exit",
        params: "code = 0",
        doc: "Ends the program at once with exit status `code` (an int in 0..=255, else a `ValueError`).",
    },
    NativeDoc {
        name: "float",
        params: "x",
        doc: "`x` as a float: from an int, a float, or a string (surrounding whitespace ignored; `inf`, `-inf` and `nan` accepted); a string that is not a number is a `ValueError`.",
    },
    NativeDoc {
        name: "int",
        params: "x",
        doc: "`x` as an int: from a bool, a float (truncated toward zero; `ValueError` for inf, NaN or out of range), or a string of digits (surrounding whitespace ignored; `int(\"3.5\")` is a `ValueError`).",
    },
    NativeDoc {
        name: "len",
        params: "x",
        doc: "The length of a string (in characters), list, map, bytes or range; anything else is a `TypeError`.",
    },
    NativeDoc {
        name: "print",
        params: "...values",
        doc: "Writes the values to stdout, converted as `str` does and joined by spaces, then a newline; `print()` prints an empty line.",
    },
    NativeDoc {
        name: "range",
        params: "a, b = nil, step = 1",
        doc: "The ints from `a` up to `b` (excluded) by `step`; `range(n)` alone counts from 0 to `n`. All arguments are ints and `step` must not be 0.",
    },
    NativeDoc {
        name: "repr",
        params: "x",
        doc: "`x` as source-like text, as the REPL echoes it: like `str`, but a top-level string is quoted too.",
    },
    NativeDoc {
        name: "sleep",
        params: "ms",
        doc: "Suspends the task for `ms` milliseconds (int or float; always suspends, even for 0); returns a future to await.",
    },
    NativeDoc {
        name: "str",
        params: "x",
        doc: "`x` as text, as `print` shows it (a string is returned as it is; inside lists and maps strings are quoted).",
    },
    NativeDoc {
        name: "type",
        params: "x",
        doc: "The name of `x`'s type as a string (`\"int\"`, `\"string\"`, `\"list\"`, ...; an instance gives its class's name).",
    },
    // ---- fs (LANGUAGE.md §10)
    NativeDoc {
        name: "fs.append",
        params: "path, data",
        doc: "Appends `data` (a string or bytes) to the file at `path`, creating it if missing; returns a future to await. Failures throw `IOError` naming the path.",
    },
    NativeDoc {
        name: "fs.exists",
        params: "path",
        doc: "Whether something exists at `path`, as a bool answered at once (not a future).",
    },
    NativeDoc {
        name: "fs.list",
        params: "dir",
        doc: "The names of the entries of folder `dir`, sorted; returns a future to await.",
    },
    NativeDoc {
        name: "fs.mkdir",
        params: "path",
        doc: "Creates the folder `path`, and its missing parents too; returns a future to await.",
    },
    NativeDoc {
        name: "fs.read",
        params: "path",
        doc: "The contents of the file at `path` as a string (an `IOError` if it is not valid UTF-8: use `fs.read_bytes`); returns a future to await.",
    },
    NativeDoc {
        name: "fs.read_bytes",
        params: "path",
        doc: "The contents of the file at `path` as bytes; returns a future to await.",
    },
    NativeDoc {
        name: "fs.remove",
        params: "path",
        doc: "Removes a file, or an empty folder, at `path`; returns a future to await.",
    },
    NativeDoc {
        name: "fs.stat",
        params: "path",
        doc: "A map with keys `size` (bytes), `is_dir` and `modified` (float seconds since the epoch) for `path`; returns a future to await.",
    },
    NativeDoc {
        name: "fs.write",
        params: "path, data",
        doc: "Writes `data` (a string or bytes) to the file at `path`, replacing what it held; returns a future to await. Failures throw `IOError` naming the path.",
    },
    // ---- json
    NativeDoc {
        name: "json.parse",
        params: "s",
        doc: "The value of JSON text `s` (a string or bytes): objects become maps in their order, integers ints, other numbers floats, `null` nil. Bad input is a `ValueError` with line and column.",
    },
    NativeDoc {
        name: "json.stringify",
        params: "v, indent = nil",
        doc: "`v` as JSON text, compact unless `indent` (spaces per level, or a string used as the unit) puts one entry per line. Non-JSON values are a `TypeError`; inf, NaN and cycles a `ValueError`.",
    },
    // ---- math
    NativeDoc {
        name: "math.abs",
        params: "x",
        doc: "The absolute value of int or float `x` (same type; `abs` of the smallest int is an `ArithmeticError`).",
    },
    NativeDoc {
        name: "math.ceil",
        params: "x",
        doc: "The smallest int not below `x` (an int; ints pass through).",
    },
    NativeDoc {
        name: "math.floor",
        params: "x",
        doc: "The largest int not above `x` (an int; ints pass through).",
    },
    NativeDoc {
        name: "math.max",
        params: "...values",
        doc: "The largest of the arguments, or of the elements of a single list argument, returned unchanged (numbers or strings; an empty list is a `ValueError`).",
    },
    NativeDoc {
        name: "math.min",
        params: "...values",
        doc: "The smallest of the arguments, or of the elements of a single list argument, returned unchanged (numbers or strings; an empty list is a `ValueError`).",
    },
    NativeDoc {
        name: "math.pi",
        params: "",
        doc: "The float π (3.141592653589793).",
    },
    NativeDoc {
        name: "math.random",
        params: "",
        doc: "A random float in [0, 1); not for cryptography.",
    },
    NativeDoc {
        name: "math.sqrt",
        params: "x",
        doc: "The square root of number `x`, as a float (NaN for a negative `x`).",
    },
    // ---- net
    NativeDoc {
        name: "net.connect",
        params: "addr",
        doc: "Opens a TCP connection to `\"host:port\"` (names resolved without blocking the scheduler); returns a future to await, giving a conn.",
    },
    NativeDoc {
        name: "net.connect_tls",
        params: "addr, opts = {}",
        doc: "Opens a TLS connection to `\"host:port\"`, verifying the server against the system's roots plus `opts.ca` (a PEM path); returns a future to await, giving a conn.",
    },
    NativeDoc {
        name: "net.listen",
        params: "addr",
        doc: "Listens for TCP connections on `addr` (`\"127.0.0.1:0\"` picks a free port): returns a future to await, giving a listener (`await l.accept()`, `l.addr()`, `l.close()`).",
    },
    NativeDoc {
        name: "net.listen_tls",
        params: "addr, opts",
        doc: "Listens on `addr` and accepts TLS connections, with `opts` keys `cert` and `key` (PEM file paths); returns a future to await, giving a listener.",
    },
    NativeDoc {
        name: "net.resolve",
        params: "host",
        doc: "The IP addresses of `host` as a list of strings; returns a future to await.",
    },
    NativeDoc {
        name: "net.udp",
        params: "addr",
        doc: "A UDP socket bound to `addr` (`await s.send_to(data, addr)`, `await s.recv_from()` → `[bytes, addr]`, `s.addr()`); returns a future to await.",
    },
    // ---- os
    NativeDoc {
        name: "os.args",
        params: "",
        doc: "The script's command-line arguments, as a list of strings.",
    },
    NativeDoc {
        name: "os.env",
        params: "name",
        doc: "The value of environment variable `name` as a string, or nil when it is unset.",
    },
    // ---- runtime
    NativeDoc {
        name: "runtime.gc",
        params: "",
        doc: "Asks for a garbage collection, which runs at the VM's next safepoint (the next call).",
    },
    NativeDoc {
        name: "runtime.heap_bytes",
        params: "",
        doc: "The size in bytes of the objects on the collected heap, as an int.",
    },
    NativeDoc {
        name: "runtime.tasks",
        params: "",
        doc: "The live tasks as a list of maps with keys `id` (the main script is 0), `state` (`\"ready\"`, `\"running\"` or `\"waiting\"`) and `where` (the `\"file:line\"` it waits at, or nil).",
    },
    // ---- time
    NativeDoc {
        name: "time.monotonic",
        params: "",
        doc: "Seconds as a float on a clock that never goes back (counted from its first use), for measuring durations.",
    },
    NativeDoc {
        name: "time.now",
        params: "",
        doc: "The current time as float seconds since the Unix epoch.",
    },
    NativeDoc {
        name: "time.sleep",
        params: "ms",
        doc: "Suspends the task for `ms` milliseconds (always suspends, even for 0); returns a future to await.",
    },
];

/// The entry for `name`, if any.
pub fn native_doc(name: &str) -> Option<&'static NativeDoc> {
    NATIVE_DOCS.iter().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (required parameters, all parameters, whether the last is `...rest`).
    fn shape(params: &str) -> (usize, usize, bool) {
        if params.trim().is_empty() {
            return (0, 0, false);
        }
        let parts: Vec<&str> = params.split(',').map(str::trim).collect();
        let variadic = parts.last().is_some_and(|p| p.starts_with("..."));
        let fixed = if variadic {
            &parts[..parts.len() - 1]
        } else {
            &parts[..]
        };
        let required = fixed.iter().filter(|p| !p.contains('=')).count();
        (required, fixed.len(), variadic)
    }

    /// Every user-visible native: its qualified name and, for functions,
    /// its arity.
    fn natives() -> Vec<(String, Option<(u8, u8)>)> {
        let mut out: Vec<(String, Option<(u8, u8)>)> = crate::stdlib::builtin_functions()
            .iter()
            .filter(|f| !f.name.starts_with("__"))
            .map(|f| (f.name.to_string(), Some((f.min, f.max))))
            .collect();
        for module in crate::stdlib::NATIVE_MODULES
            .iter()
            .filter(|m| !m.starts_with("__"))
        {
            for (member, arity) in super::super::stdinfo::native_arities(module) {
                out.push((format!("{module}.{member}"), arity));
            }
        }
        out
    }

    #[test]
    fn every_native_is_described() {
        let natives = natives();
        for (name, arity) in &natives {
            let doc =
                native_doc(name).unwrap_or_else(|| panic!("`{name}` has no entry in NATIVE_DOCS"));
            assert!(!doc.doc.is_empty(), "`{name}` has an empty doc");
            let (required, fixed, variadic) = shape(doc.params);
            match arity {
                None => assert_eq!(doc.params, "", "`{name}` is not a function"),
                Some((min, u8::MAX)) => assert!(
                    variadic && required <= *min as usize,
                    "`{name}` takes {min} or more arguments: `{}`",
                    doc.params
                ),
                Some((min, max)) => assert!(
                    !variadic && required == *min as usize && fixed == *max as usize,
                    "`{name}` takes {min} to {max} arguments: `{}`",
                    doc.params
                ),
            }
        }
        for (i, d) in NATIVE_DOCS.iter().enumerate() {
            assert!(
                natives.iter().any(|(n, _)| n == d.name),
                "`{}` in NATIVE_DOCS is not a native",
                d.name
            );
            assert!(
                NATIVE_DOCS[..i].iter().all(|e| e.name != d.name),
                "`{}` is described twice",
                d.name
            );
        }
    }
}
