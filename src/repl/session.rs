//! A REPL session: a runtime that lives from one input to the next. Each
//! input is compiled against the names defined so far
//! ([`driver::Session`]), loaded into the session's module (module 1) and
//! run as a task until it finishes; tasks it spawned stay in the scheduler
//! and run on during later inputs. An expression's value is echoed with
//! `repr` (nil is not); an error is reported and the session goes on.

use crate::diagnostics;
use crate::driver::{self, BuildError};
use crate::runtime::{Runtime, Stop};
use crate::scheduler;
use crate::value::{TaskState, Value};
use crate::vm::Vm;
use crate::Config;
use std::io::Write;

/// Index of the session's module in `rt.modules`.
const SESSION_MODULE: usize = 1;

pub struct Session {
    vm: Vm,
    build: driver::Session,
    color: bool,
}

/// What became of an input.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// It ran; its report (value, error) has been written.
    Ran,
    /// `exit(n)`: the session ends with this status.
    Exit(i32),
}

impl Session {
    /// A session with the prelude loaded, or the exit status when that
    /// failed.
    pub fn new(config: &Config) -> Result<Session, i32> {
        let mut rt = Runtime::new();
        crate::stdlib::install(&mut rt);
        let (build, program) = driver::Session::start(&mut rt.sources, &mut rt.symbols);
        let mut vm = Vm::new(rt, config.budget);
        vm.load(&program);
        if !matches!(vm.run_module(0), Stop::Done(_)) {
            crate::report_to_stderr("error: the prelude failed to load\n");
            return Err(crate::exit::RUNTIME_ERROR);
        }
        let prelude = vm.rt.modules[0];
        crate::stdlib::adopt_prelude(&mut vm.rt, prelude);
        let module = vm.rt.repl_module();
        vm.rt.modules.push(module);
        debug_assert_eq!(vm.rt.modules.len() - 1, SESSION_MODULE);
        vm.rt.color = config.color;
        if let Err(e) = scheduler::signals::install(&mut vm.rt) {
            crate::report_to_stderr(&format!("warning: cannot watch Ctrl-C: {e}\n"));
        }
        Ok(Session {
            vm,
            build,
            color: config.color,
        })
    }

    /// Compiles and runs one complete input.
    pub fn eval(&mut self, text: &str) -> Outcome {
        self.run(text, false)
    }

    /// Runs `text`; with `to_the_end`, until every task has finished too.
    fn run(&mut self, text: &str, to_the_end: bool) -> Outcome {
        let rt = &mut self.vm.rt;
        let input = match self
            .build
            .build_input(&mut rt.sources, &mut rt.symbols, text)
        {
            Ok(input) => input,
            Err(BuildError::Diagnostics(diags)) => {
                crate::report_to_stderr(&diagnostics::render_all(&diags, &rt.sources, self.color));
                return Outcome::Ran;
            }
            Err(BuildError::Unreadable { path, reason }) => {
                crate::report_to_stderr(&format!("error: cannot read `{path}`: {reason}\n"));
                return Outcome::Ran;
            }
        };
        self.vm.load_modules(&input.modules);
        let module = self.vm.rt.modules[SESSION_MODULE];
        self.vm.load_input(module, &input.code);
        let stop = if to_the_end {
            self.vm.run_program(SESSION_MODULE)
        } else {
            self.vm.run_input(SESSION_MODULE)
        };
        scheduler::signals::reset(&mut self.vm.rt);
        self.report(stop)
    }

    fn report(&mut self, stop: Stop) -> Outcome {
        self.vm.rt.flush();
        match stop {
            Stop::Done(Value::Nil) => {}
            Stop::Done(v) => {
                let shown = self.vm.rt.repr(v);
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{shown}");
                let _ = out.flush();
            }
            Stop::Exit(code) => return Outcome::Exit(code.into()),
            Stop::Threw(e) | Stop::Interrupted { error: Some(e) } => {
                let cancelled =
                    self.vm.rt.error_classes[crate::value::ErrorKind::CancelledError.index()];
                if matches!(e, Value::Instance(i) if i.class.is_subclass_of(cancelled)) {
                    crate::report_to_stderr("interrupted\n");
                } else {
                    let report = self.vm.error_report(e);
                    crate::report_to_stderr(&diagnostics::render(
                        &report,
                        &self.vm.rt.sources,
                        self.color,
                    ));
                }
            }
            Stop::Interrupted { error: None } => crate::report_to_stderr("interrupted\n"),
            Stop::Deadlock(lines) => {
                let report = Vm::deadlock_diagnostic(lines);
                crate::report_to_stderr(&diagnostics::render(
                    &report,
                    &self.vm.rt.sources,
                    self.color,
                ));
            }
            Stop::Suspend | Stop::Preempt => {}
        }
        Outcome::Ran
    }

    /// Runs the session's tasks while the prompt waits, until `arrived()`
    /// says the next input came; `Some` when the session must end.
    pub fn idle(
        &mut self,
        arrived: &dyn Fn() -> bool,
        on_run: &mut dyn FnMut(),
        on_rest: &mut dyn FnMut(),
    ) -> Option<Outcome> {
        let stop = scheduler::executor::run_idle(&mut self.vm, arrived, on_run, on_rest)?;
        self.between_inputs(stop)
    }

    /// Reports how the session's tasks stopped between inputs; `Some` when
    /// the session must end.
    fn between_inputs(&mut self, stop: Stop) -> Option<Outcome> {
        scheduler::signals::reset(&mut self.vm.rt);
        match self.report(stop) {
            Outcome::Ran => None,
            exit => Some(exit),
        }
    }

    /// Gives the tasks that are ready one slice each, before the prompt.
    pub fn settle(&mut self) -> Option<Outcome> {
        let stop = scheduler::executor::run_ready(&mut self.vm)?;
        self.between_inputs(stop)
    }

    /// A handle that wakes the session's poller from another thread.
    pub fn waker(&mut self) -> Option<crate::reactor::Waker> {
        self.vm.rt.sched.reactor().ok().map(|r| r.waker())
    }

    /// Writes each live task with its id, state, function and where it
    /// waits (`:tasks`).
    pub fn show_tasks(&mut self) {
        let rt = &self.vm.rt;
        let mut tasks: Vec<_> = rt
            .sched
            .tasks
            .values()
            .filter(|t| !t.internal)
            .copied()
            .collect();
        tasks.sort_by_key(|t| t.id);
        if tasks.is_empty() {
            println!("no live tasks");
        }
        for t in tasks {
            let Some(state) = t.state.get().name() else {
                continue;
            };
            // The function the task was spawned to run: its first frame.
            let function = t.saved.borrow().fiber.frames.first().map_or_else(
                || "?".to_string(),
                |f| f.closure.proto.code.trace_name().to_string(),
            );
            let place = match (t.state.get(), t.wait_site.get()) {
                (TaskState::Waiting, Some((src, span))) => {
                    let file = rt.sources.get(src);
                    let (line, col) = file.line_col(span.start);
                    format!(" at {}:{line}:{col}", file.name)
                }
                _ => String::new(),
            };
            println!("task {}  {state}  {function}{place}", t.id);
        }
    }

    /// The members of the live value that a chain of names (`a.b`) refers
    /// to, for completion after `a.b.`: a module's members, an instance's
    /// fields and methods, a value's built-in methods. Nothing runs.
    pub fn members(&self, chain: &[String]) -> Vec<String> {
        let rt = &self.vm.rt;
        let Some((first, rest)) = chain.split_first() else {
            return Vec::new();
        };
        let session = rt.modules[SESSION_MODULE];
        let mut value = match rt.symbols.lookup(first) {
            Some(sym) => match session.get(sym) {
                Some(v) => v,
                None => return Vec::new(),
            },
            None => return Vec::new(),
        };
        for name in rest {
            let Some(sym) = rt.symbols.lookup(name) else {
                return Vec::new();
            };
            value = match value {
                Value::Module(m) => match m.get(sym) {
                    Some(v) => v,
                    None => return Vec::new(),
                },
                Value::Instance(i) => match i.get(sym) {
                    Some(v) => v,
                    None => return Vec::new(),
                },
                _ => return Vec::new(),
            };
        }
        let mut names: Vec<String> = Vec::new();
        match value {
            Value::Module(m) => {
                names.extend(
                    m.names
                        .borrow()
                        .keys()
                        .map(|s| rt.symbols.name(*s).to_string()),
                );
            }
            Value::Instance(i) => {
                names.extend(
                    i.shape()
                        .names()
                        .iter()
                        .map(|s| rt.symbols.name(*s).to_string()),
                );
                let mut class = Some(i.class);
                while let Some(c) = class {
                    names.extend(
                        c.methods
                            .borrow()
                            .keys()
                            .map(|s| rt.symbols.name(*s).to_string()),
                    );
                    class = c.superclass;
                }
            }
            v => {
                if let Some(methods) = rt.type_methods(v) {
                    names.extend(methods.keys().map(|s| rt.symbols.name(*s).to_string()));
                }
            }
        }
        names.retain(|n| !n.starts_with("__"));
        names.sort();
        names.dedup();
        names
    }

    /// Writes out what the session printed (leaving at `exit(n)`).
    pub fn flush(&mut self) {
        let _ = self.vm.rt.flush_at_exit();
    }

    /// Ends the session: live tasks are cancelled and their `finally`
    /// blocks run; output is written out.
    pub fn close(&mut self) {
        let rt = &mut self.vm.rt;
        let tasks: Vec<_> = rt.sched.tasks.values().copied().collect();
        if !tasks.is_empty() {
            for t in tasks {
                scheduler::cancel_task(rt, t);
            }
            let _ = self.run("nil", true);
        }
        let _ = self.vm.rt.flush_at_exit();
    }

    /// Names to complete at the prompt: built-ins and the session's own.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.build.globals.iter().map(|g| g.to_string()).collect();
        names.extend(
            crate::bytecode::builtins::BUILTINS
                .iter()
                .map(|b| b.to_string()),
        );
        names
    }
}
