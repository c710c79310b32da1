//! The executor: the loop that runs a program's tasks to the end.
//!
//! It takes ready tasks from the front of the run queue and asks the
//! [`Engine`] (the VM) to run one slice of each; between slices it fires
//! due timers and polls the reactor without blocking, so a task that
//! computes never starves sockets, timers or signals; when no task is
//! ready it blocks in the reactor until something happens. It ends when
//! every task has finished, at `exit`, when the main task fails, or with a
//! deadlock report when everyone waits for something that cannot happen.

use super::signals::Request;
use crate::gc::Gc;
use crate::runtime::{Runtime, Stop};
use crate::value::{ErrorKind, Task, TaskState, Value};

/// What the executor needs from the VM.
pub trait Engine {
    fn runtime(&mut self) -> &mut Runtime;
    /// Runs `task` until it suspends, is preempted, finishes or fails.
    fn run_slice(&mut self, task: Gc<Task>) -> Stop;
    /// Reports the error of a task that nobody awaits.
    fn report_task_error(&mut self, task: Gc<Task>, error: Value);
    /// One line per blocked task, for a deadlock report.
    fn deadlock_report(&self) -> Vec<String>;
    /// Writes every live task with its stack to stderr (SIGQUIT).
    fn dump_tasks(&mut self);
}

/// The `main_id` of loops that run no main task (a REPL between inputs).
const NO_MAIN: u64 = u64::MAX;

/// Acts on Ctrl-C and SIGQUIT; `Some` when the program must stop now.
/// With `defer_interrupt` (a REPL between inputs) a first Ctrl-C is left
/// for the next input.
fn on_signals(engine: &mut impl Engine, main_id: u64, defer_interrupt: bool) -> Option<Stop> {
    loop {
        let rt = engine.runtime();
        let req = if defer_interrupt {
            super::signals::take_deferring_interrupt(rt)
        } else {
            super::signals::take(rt)
        };
        let Some(req) = req else { break };
        match req {
            Request::Exit => return Some(Stop::Exit(130)),
            Request::Interrupt => {
                let rt = engine.runtime();
                if let Some(main) = rt.sched.tasks.get(&(false, main_id)).copied() {
                    super::cancel_task(rt, main);
                } else {
                    // The main script has finished and tasks it spawned keep
                    // the program alive: cancel them all, so their finally
                    // blocks run, then exit.
                    let tasks: Vec<_> = rt.sched.tasks.values().copied().collect();
                    for t in tasks {
                        super::cancel_task(rt, t);
                    }
                }
            }
            Request::Dump => engine.dump_tasks(),
        }
    }
    None
}

/// Runs tasks until the program ends; `main` is the main script's task.
pub fn run(engine: &mut impl Engine, main: Gc<Task>) -> Stop {
    drive(engine, main, false)
}

/// Runs tasks until `input` (a REPL input's task) finishes: its value, or
/// how it failed. The other tasks stay in the scheduler, to go on with the
/// next input.
pub fn run_input(engine: &mut impl Engine, input: Gc<Task>) -> Stop {
    drive(engine, input, true)
}

fn drive(engine: &mut impl Engine, main: Gc<Task>, until_main: bool) -> Stop {
    // Compare by id (helpers of the prelude have ids of their own): once
    // the main task finishes nothing roots it, so its handle may not be
    // used afterwards.
    let main_id = main.id;
    loop {
        while let Some(task) = engine.runtime().sched.queue.pop_front() {
            if let Some(stop) = slice(engine, task, main_id, until_main) {
                return stop;
            }
        }
        let rt = engine.runtime();
        if rt.sched.tasks.is_empty() {
            if super::signals::interrupted(rt) {
                let e = rt.make_error(ErrorKind::CancelledError, super::CANCELLED);
                return Stop::Interrupted { error: Some(e) };
            }
            return Stop::Done(Value::Nil);
        }
        if rt.sched.has_pending_events() {
            rt.hand_off_output();
            if let Err(e) = rt.poll_blocking() {
                return loop_failed(rt, e);
            }
            if let Some(stop) = on_signals(engine, main_id, false) {
                return stop;
            }
            continue;
        }
        return Stop::Deadlock(engine.deadlock_report());
    }
}

/// Runs the tasks of a REPL session while its prompt waits, until
/// `arrived()` says an input came (the line editor's thread wakes the
/// poller when one does). Waiting with nothing to run is not a deadlock
/// here: the next input may change everything. `Some` when the session
/// must end (`exit`, a second Ctrl-C). `on_run` is called before the
/// first slice after a wait, `on_rest` when the tasks wait again.
pub fn run_idle(
    engine: &mut impl Engine,
    arrived: &dyn Fn() -> bool,
    on_run: &mut dyn FnMut(),
    on_rest: &mut dyn FnMut(),
) -> Option<Stop> {
    loop {
        let mut ran = false;
        while !arrived() {
            let Some(task) = engine.runtime().sched.queue.pop_front() else {
                break;
            };
            if !ran && task.state.get() == TaskState::Ready {
                ran = true;
                on_run();
            }
            if let Some(stop) = slice(engine, task, NO_MAIN, true) {
                return Some(stop);
            }
        }
        if ran {
            on_rest();
        }
        if arrived() {
            return None;
        }
        let rt = engine.runtime();
        rt.hand_off_output();
        if let Err(e) = rt.poll_blocking() {
            return Some(loop_failed(rt, e));
        }
        if let Some(stop) = on_signals(engine, NO_MAIN, true) {
            return Some(stop);
        }
    }
}

/// Gives each task that is ready now one slice (a REPL session runs the
/// tasks an input just spawned before it shows the next prompt).
pub fn run_ready(engine: &mut impl Engine) -> Option<Stop> {
    let ready = engine.runtime().sched.queue.len();
    for _ in 0..ready {
        let task = engine.runtime().sched.queue.pop_front()?;
        if let Some(stop) = slice(engine, task, NO_MAIN, true) {
            return Some(stop);
        }
    }
    None
}

/// Runs one slice of `task` and deals with how it stopped; `Some` when
/// the loop must return (the main task ended or failed, `exit`, signals).
/// `until_main` also means a REPL session: a Ctrl-C is for the input,
/// so it is left pending when there is no main task (between inputs).
fn slice(engine: &mut impl Engine, task: Gc<Task>, main_id: u64, until_main: bool) -> Option<Stop> {
    if task.state.get() != TaskState::Ready {
        return None;
    }
    let stop = engine.run_slice(task);
    let rt = engine.runtime();
    match stop {
        Stop::Preempt => {
            task.state.set(TaskState::Ready);
            rt.sched.queue.push_back(task);
        }
        Stop::Suspend => {}
        Stop::Done(v) => {
            rt.sched.finish(task, Ok(v));
            if until_main && !task.internal && task.id == main_id {
                return Some(Stop::Done(v));
            }
            if !task.internal && task.id == main_id && super::signals::interrupted(rt) {
                return Some(Stop::Interrupted { error: None });
            }
        }
        Stop::Threw(e) => {
            // Someone still waits for the outcome: an awaiting task,
            // or an `all`/`race`/`timeout` that has not given up
            // (one that gave up left the watchers).
            let observed = task.observed.get()
                || !task.waiters.borrow().is_empty()
                || !task.watchers.borrow().is_empty();
            rt.sched.finish(task, Err(e));
            let cancelled = matches!(e, Value::Instance(i)
                if i.class.is_subclass_of(rt.error_classes[ErrorKind::CancelledError.index()]));
            if !task.internal && task.id == main_id {
                if super::signals::interrupted(rt) {
                    return Some(Stop::Interrupted { error: Some(e) });
                }
                return Some(Stop::Threw(e));
            }
            if !observed && !cancelled {
                engine.report_task_error(task, e);
            }
        }
        other => return Some(other),
    }
    let rt = engine.runtime();
    if let Err(e) = rt.poll_between_slices() {
        return Some(loop_failed(rt, e));
    }
    on_signals(engine, main_id, until_main && main_id == NO_MAIN)
}

fn loop_failed(rt: &mut Runtime, e: std::io::Error) -> Stop {
    rt.flush();
    crate::report_to_stderr(&format!("error: the event loop failed: {e}\n"));
    Stop::Exit(1)
}
