//! The concurrency library (LANGUAGE.md §8) as natives: `sleep`, channels,
//! mutexes, semaphores, events, task methods, and the `time` module.
//! Operations that wait return futures; awaiting one is the VM's job.

use crate::gc::Gc;
use crate::runtime::Runtime;
use crate::scheduler::sync;
use crate::value::error::{err, type_error, value_error};
use crate::value::sync::{
    ChannelState, EventState, MutexState, SemaphoreState, SyncObj, SyncState,
};
use crate::value::wait_list::WaitList;
use crate::value::{ErrorKind, Future, FutureKind, NResult, NativeFn, SyncOp, Value};
use std::cell::RefCell;
use std::collections::VecDeque;

pub fn sleep(rt: &mut Runtime, args: &[Value]) -> NResult {
    let ms = match args[0] {
        Value::Int(n) => n as f64,
        Value::Float(x) => x,
        v => {
            return type_error(format!(
                "sleep() takes milliseconds as a number, not {}",
                rt.type_name(v)
            ))
        }
    };
    if ms.is_nan() {
        return value_error("sleep() needs a number of milliseconds, not NaN");
    }
    match rt.sched.sleep(&mut rt.heap, ms) {
        Ok(f) => Ok(Value::Future(f)),
        Err(e) => err(ErrorKind::IOError, format!("cannot start a timer: {e}")),
    }
}

fn new_sync(rt: &mut Runtime, state: SyncState) -> Value {
    Value::Sync(rt.heap.alloc(SyncObj {
        state: RefCell::new(state),
    }))
}

pub fn channel(rt: &mut Runtime, args: &[Value]) -> NResult {
    let capacity = match args.first() {
        None => 0,
        Some(Value::Int(n)) if *n >= 0 => *n as usize,
        Some(v) => {
            return value_error(format!(
                "Channel capacity must be an int >= 0, not {}",
                rt.repr(*v)
            ))
        }
    };
    Ok(new_sync(
        rt,
        SyncState::Channel(ChannelState {
            capacity,
            buffer: VecDeque::new(),
            receivers: WaitList::default(),
            senders: WaitList::default(),
            closed: false,
        }),
    ))
}

pub fn mutex(rt: &mut Runtime, _: &[Value]) -> NResult {
    Ok(new_sync(
        rt,
        SyncState::Mutex(MutexState {
            owner: None,
            waiters: WaitList::default(),
        }),
    ))
}

pub fn semaphore(rt: &mut Runtime, args: &[Value]) -> NResult {
    let permits = match args.first() {
        None => 1,
        Some(Value::Int(n)) if *n >= 0 => *n,
        Some(v) => {
            return value_error(format!(
                "Semaphore permits must be an int >= 0, not {}",
                rt.repr(*v)
            ))
        }
    };
    Ok(new_sync(
        rt,
        SyncState::Semaphore(SemaphoreState {
            permits,
            waiters: WaitList::default(),
        }),
    ))
}

pub fn event(rt: &mut Runtime, _: &[Value]) -> NResult {
    Ok(new_sync(
        rt,
        SyncState::Event(EventState {
            set: false,
            waiters: WaitList::default(),
        }),
    ))
}

fn obj(v: Value) -> Option<Gc<SyncObj>> {
    match v {
        Value::Sync(o) => Some(o),
        _ => None,
    }
}

/// A future for `op` on the receiver, started when awaited.
fn op_future(rt: &mut Runtime, owner: Value, op: SyncOp, payload: Value) -> NResult {
    let f = rt.sched.new_future(
        &mut rt.heap,
        FutureKind::Op {
            owner,
            op,
            started: false,
        },
    );
    f.payload.set(payload);
    Ok(Value::Future(f))
}

fn ch_send(rt: &mut Runtime, a: &[Value]) -> NResult {
    op_future(rt, a[0], SyncOp::Send, a[1])
}
fn ch_recv(rt: &mut Runtime, a: &[Value]) -> NResult {
    op_future(rt, a[0], SyncOp::Recv, Value::Nil)
}
fn ch_close(rt: &mut Runtime, a: &[Value]) -> NResult {
    if let Some(o) = obj(a[0]) {
        sync::close(rt, o);
    }
    Ok(Value::Nil)
}
fn ch_len(_: &mut Runtime, a: &[Value]) -> NResult {
    let n = obj(a[0])
        .map(|o| match &*o.state.borrow() {
            SyncState::Channel(c) => c.buffer.len(),
            _ => 0,
        })
        .unwrap_or_default();
    Ok(Value::Int(n as i64))
}
fn ch_try_send(rt: &mut Runtime, a: &[Value]) -> NResult {
    let ok = obj(a[0]).is_some_and(|o| sync::try_send(rt, o, a[1]));
    Ok(Value::Bool(ok))
}

pub static CHANNEL_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "send",
        min: 1,
        max: 1,
        f: ch_send,
    },
    NativeFn {
        name: "recv",
        min: 0,
        max: 0,
        f: ch_recv,
    },
    NativeFn {
        name: "close",
        min: 0,
        max: 0,
        f: ch_close,
    },
    NativeFn {
        name: "len",
        min: 0,
        max: 0,
        f: ch_len,
    },
    NativeFn {
        name: "try_send",
        min: 1,
        max: 1,
        f: ch_try_send,
    },
];

fn m_lock(rt: &mut Runtime, a: &[Value]) -> NResult {
    op_future(rt, a[0], SyncOp::Lock, Value::Nil)
}
fn m_unlock(rt: &mut Runtime, a: &[Value]) -> NResult {
    if let Some(o) = obj(a[0]) {
        if let Err(e) = sync::unlock(rt, o) {
            return value_error(e.message());
        }
    }
    Ok(Value::Nil)
}

pub static MUTEX_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "lock",
        min: 0,
        max: 0,
        f: m_lock,
    },
    NativeFn {
        name: "unlock",
        min: 0,
        max: 0,
        f: m_unlock,
    },
];

fn s_acquire(rt: &mut Runtime, a: &[Value]) -> NResult {
    op_future(rt, a[0], SyncOp::Acquire, Value::Nil)
}
fn s_release(rt: &mut Runtime, a: &[Value]) -> NResult {
    if let Some(o) = obj(a[0]) {
        if sync::release(rt, o).is_err() {
            return value_error(format!(
                "release() would raise the semaphore past {} permits",
                i64::MAX
            ));
        }
    }
    Ok(Value::Nil)
}

pub static SEMAPHORE_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "acquire",
        min: 0,
        max: 0,
        f: s_acquire,
    },
    NativeFn {
        name: "release",
        min: 0,
        max: 0,
        f: s_release,
    },
];

fn e_wait(rt: &mut Runtime, a: &[Value]) -> NResult {
    op_future(rt, a[0], SyncOp::Wait, Value::Nil)
}
fn e_set(rt: &mut Runtime, a: &[Value]) -> NResult {
    if let Some(o) = obj(a[0]) {
        sync::set(rt, o);
    }
    Ok(Value::Nil)
}
fn e_is_set(_: &mut Runtime, a: &[Value]) -> NResult {
    let set = obj(a[0]).is_some_and(|o| matches!(&*o.state.borrow(), SyncState::Event(e) if e.set));
    Ok(Value::Bool(set))
}

pub static EVENT_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "wait",
        min: 0,
        max: 0,
        f: e_wait,
    },
    NativeFn {
        name: "set",
        min: 0,
        max: 0,
        f: e_set,
    },
    NativeFn {
        name: "is_set",
        min: 0,
        max: 0,
        f: e_is_set,
    },
];

fn t_cancel(rt: &mut Runtime, a: &[Value]) -> NResult {
    if let Value::Task(t) = a[0] {
        crate::scheduler::cancel_task(rt, t);
    }
    Ok(Value::Nil)
}
fn t_done(_: &mut Runtime, a: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(a[0], Value::Task(t) if t.is_done())))
}

pub static TASK_METHODS: &[NativeFn] = &[
    NativeFn {
        name: "cancel",
        min: 0,
        max: 0,
        f: t_cancel,
    },
    NativeFn {
        name: "done",
        min: 0,
        max: 0,
        f: t_done,
    },
];

fn now(_: &mut Runtime, _: &[Value]) -> NResult {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    Ok(Value::Float(t))
}

fn monotonic(_: &mut Runtime, _: &[Value]) -> NResult {
    thread_local! {
        static START: std::time::Instant = std::time::Instant::now();
    }
    Ok(Value::Float(START.with(|s| s.elapsed().as_secs_f64())))
}

static TIME: &[NativeFn] = &[
    NativeFn {
        name: "now",
        min: 0,
        max: 0,
        f: now,
    },
    NativeFn {
        name: "monotonic",
        min: 0,
        max: 0,
        f: monotonic,
    },
    NativeFn {
        name: "sleep",
        min: 1,
        max: 1,
        f: sleep,
    },
];

pub fn time_members(_: &mut Runtime) -> Vec<(&'static str, Value)> {
    super::natives(TIME)
}

/// `runtime.tasks()`: live tasks with id, state and where they wait.
pub fn tasks(rt: &mut Runtime, _: &[Value]) -> NResult {
    // Helper tasks of the prelude are not the program's.
    let tasks: Vec<_> = rt
        .sched
        .tasks
        .values()
        .copied()
        .filter(|t| !t.internal)
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        let Some(state) = t.state.get().name() else {
            continue;
        };
        let place = match (t.state.get(), t.wait_site.get()) {
            (crate::value::TaskState::Waiting, Some((src, span))) => {
                let file = rt.sources.get(src);
                let line = file.line(span.start);
                rt.str(format!("{}:{}", file.name, line))
            }
            _ => Value::Nil,
        };
        let mut table = crate::value::MapTable::default();
        let keys = ["id", "state", "where"];
        let values = [Value::Int(t.id as i64), rt.str(state), place];
        for (k, v) in keys.iter().zip(values) {
            let key = rt.str(*k);
            if let Some(key) = key.to_key() {
                table.insert(key, v);
            }
        }
        out.push(Value::Map(rt.heap.alloc(crate::value::Map::new(table))));
    }
    Ok(rt.list(out))
}

/// The futures of `__first`'s or `__all`'s list, each of them free to be
/// watched: awaited by no task, in no other `race` or `all`, and listed once.
fn free_futures(rt: &Runtime, list: Value, name: &str) -> NResult<Vec<Gc<Future>>> {
    let Value::List(list) = list else {
        return type_error(format!("{name}() takes a list of futures"));
    };
    let items: Vec<Value> = list.items.borrow().clone();
    let mut futures = Vec::with_capacity(items.len());
    let mut seen = rustc_hash::FxHashSet::default();
    for v in items {
        let Value::Future(f) = v else {
            return type_error(format!("{name}() takes futures, not {}", rt.type_name(v)));
        };
        if !seen.insert(f.addr()) {
            return value_error(
                "the same future was passed twice (a future has one waiter: await a task to share a result)",
            );
        }
        if f.waiter.get().is_some() || f.parent.get().is_some() {
            return value_error(
                "this future is already awaited by another task (await a task to share a result)",
            );
        }
        futures.push(f);
    }
    Ok(futures)
}

/// Watches `futures` for `parent` and starts the operations among them, in
/// order, stopping as soon as `parent` completes.
fn watch(rt: &mut Runtime, parent: Gc<Future>, futures: &[Gc<Future>]) {
    for (i, f) in futures.iter().enumerate() {
        if !f.is_done() {
            f.parent.set(Some((parent, i)));
        }
    }
    for f in futures {
        sync::start(rt, *f);
        if parent.is_done() {
            break;
        }
    }
}

/// The items of a `race` or `all` decided at once: those still pending are
/// detached as if they had lost (watchers leave their tasks).
fn detach_pending(rt: &mut Runtime, futures: &[Gc<Future>]) {
    for f in futures {
        if !f.is_done() {
            rt.sched.detach(*f);
        }
    }
}

/// `__first(futures)`: a future completing with the index of the first of
/// `futures` to complete (see `FutureKind::First`). Operation futures are
/// started here, in order, stopping as soon as one completes.
pub fn first(rt: &mut Runtime, args: &[Value]) -> NResult {
    let futures = free_futures(rt, args[0], "__first")?;
    let first = rt
        .sched
        .new_future(&mut rt.heap, FutureKind::First { items: args[0] });
    if let Some(i) = futures.iter().position(|f| f.is_done()) {
        first.result.set(Some(Ok(Value::Int(i as i64))));
        detach_pending(rt, &futures);
        return Ok(Value::Future(first));
    }
    watch(rt, first, &futures);
    Ok(Value::Future(first))
}

/// `__all(futures)`: a future completing with nil once every one of
/// `futures` has succeeded, or with the first error (see `FutureKind::All`).
/// Each completion costs O(1), so waiting for n futures is linear.
pub fn all(rt: &mut Runtime, args: &[Value]) -> NResult {
    let futures = free_futures(rt, args[0], "__all")?;
    let remaining = futures.iter().filter(|f| !f.is_done()).count();
    let all = rt.sched.new_future(
        &mut rt.heap,
        FutureKind::All {
            items: args[0],
            remaining,
        },
    );
    // Of the items that had already finished, the first error in list
    // order wins.
    let failed = futures
        .iter()
        .find_map(|f| f.result.get().filter(|o| o.is_err()));
    if let Some(outcome) = failed {
        all.result.set(Some(outcome));
        detach_pending(rt, &futures);
    } else if remaining == 0 {
        all.result.set(Some(Ok(Value::Nil)));
    } else {
        watch(rt, all, &futures);
    }
    Ok(Value::Future(all))
}

/// `__as_future(x, name)`: a future for a task's outcome; a future as it
/// is. `name` is the function the user called, for the error message.
pub fn as_future(rt: &mut Runtime, args: &[Value]) -> NResult {
    match args[0] {
        v @ Value::Future(_) => Ok(v),
        Value::Task(t) => {
            if rt.current_task.is_some_and(|me| Gc::ptr_eq(me, t)) {
                return value_error("a task cannot await itself");
            }
            let f = rt
                .sched
                .new_future(&mut rt.heap, FutureKind::Watch { task: t });
            match t.result.get() {
                Some(outcome) => {
                    t.observed.set(true);
                    f.result.set(Some(outcome));
                }
                None => t.watchers.borrow_mut().push_back(f),
            }
            Ok(Value::Future(f))
        }
        other => {
            let name = match args[1] {
                Value::Str(s) => s.as_str().to_string(),
                _ => "all".to_string(),
            };
            type_error(format!(
                "{name}() cannot wait for {}: it takes coroutines, tasks and futures",
                rt.type_name(other)
            ))
        }
    }
}

/// `__spawn_helper(coro)`: spawns a task of the prelude's own (a `group`'s
/// watcher), numbered apart from the program's tasks and hidden from
/// `runtime.tasks()` and deadlock reports.
pub fn spawn_helper(rt: &mut Runtime, args: &[Value]) -> NResult {
    Ok(Value::Task(crate::vm::spawn_coroutine(rt, args[0], true)?))
}

/// `__observe(t)`: the caller takes responsibility for `t`'s outcome (a
/// `group` child, a coroutine that `all`, `race` or `timeout` started), so
/// its error is never reported as unhandled.
pub fn observe(_: &mut Runtime, args: &[Value]) -> NResult {
    if let Value::Task(t) = args[0] {
        t.observed.set(true);
    }
    Ok(Value::Nil)
}
