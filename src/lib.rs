//! Weft: a small dynamic language whose interpreter has concurrency built in.
//!
//! The pipeline: [`lexer`] → [`parser`] → [`compiler`] → [`vm`], with
//! [`diagnostics`] rendering every error. At run time, from the bottom up:
//! the [`reactor`] (timers, readiness of descriptors, helper threads; no
//! values), the heap objects of [`value`] on the [`gc`] heap, the
//! [`runtime`] state that natives share, the [`scheduler`] (run queue,
//! futures, the I/O driver and the executor loop), and the [`vm`], which
//! the executor asks to run one slice of a task at a time. This file is the
//! facade the `weft` command (and the test runner) use: source in,
//! diagnostics or a running program out.

pub mod ast;
pub mod bytecode;
pub mod compiler;
pub mod diagnostics;
pub mod driver;
pub mod gc;
pub mod golden;
pub mod lexer;
pub mod lsp;
pub mod parser;
pub mod reactor;
pub mod repl;
pub mod runtime;
pub mod scheduler;
pub mod span;
pub mod stdlib;
pub mod value;
pub mod vm;

/// Settings shared by every command.
#[derive(Clone, Debug)]
pub struct Config {
    /// Instructions per scheduler slice (`--budget N`).
    pub budget: u32,
    /// Whether diagnostics use ANSI colour.
    pub color: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            budget: 10_000,
            color: false,
        }
    }
}

/// Exit statuses fixed by the language reference (§11).
pub mod exit {
    pub const OK: i32 = 0;
    pub const RUNTIME_ERROR: i32 = 1;
    pub const COMPILE_ERROR: i32 = 2;
    pub const USAGE: i32 = 64;
    /// Ctrl-C (128 + SIGINT).
    pub const INTERRUPTED: i32 = 130;
}

/// Writes a report to stderr; a closed stderr (`2>&1 | head`) is not an
/// error worth dying for.
pub fn report_to_stderr(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Where the program to run comes from.
pub enum Main {
    /// A script file.
    File(String),
    /// Source text that is not in a file: `weft -e CODE` (`<-e>`) or a
    /// program piped into `weft` (`<stdin>`); `name` stands for its path.
    Text { name: String, text: Vec<u8> },
}

/// Builds the program for `path`, printing diagnostics on failure; the
/// error is the exit status.
fn build_or_report(
    rt: &mut runtime::Runtime,
    path: &str,
    config: &Config,
) -> Result<bytecode::Program, i32> {
    build_main_or_report(rt, Main::File(path.to_string()), config)
}

fn build_main_or_report(
    rt: &mut runtime::Runtime,
    main: Main,
    config: &Config,
) -> Result<bytecode::Program, i32> {
    let built = match main {
        Main::File(path) => driver::build(&mut rt.sources, &mut rt.symbols, &path),
        Main::Text { name, text } => {
            driver::build_text(&mut rt.sources, &mut rt.symbols, &name, text)
        }
    };
    match built {
        Ok(program) => Ok(program),
        Err(driver::BuildError::Unreadable { path, reason }) => {
            eprintln!("error: cannot read `{path}`: {reason}");
            Err(exit::USAGE)
        }
        Err(driver::BuildError::Diagnostics(diags)) => {
            report_to_stderr(&diagnostics::render_all(&diags, &rt.sources, config.color));
            Err(exit::COMPILE_ERROR)
        }
    }
}

/// Loads a program into a fresh VM and runs the prelude, so that the
/// built-in types have their Weft-written methods. On failure the VM comes
/// back too, to report how the prelude stopped.
#[allow(clippy::result_large_err)]
fn start_vm(
    rt: runtime::Runtime,
    program: &bytecode::Program,
    config: &Config,
) -> Result<vm::Vm, (vm::Vm, runtime::Stop)> {
    let mut vm = vm::Vm::new(rt, config.budget);
    vm.load(program);
    match vm.run_module(0) {
        runtime::Stop::Done(_) => {}
        other => return Err((vm, other)),
    }
    let prelude = vm.rt.modules[0];
    stdlib::adopt_prelude(&mut vm.rt, prelude);
    Ok(vm)
}

/// Turns how the VM stopped into an exit status, reporting uncaught errors.
fn finish(vm: &mut vm::Vm, stop: runtime::Stop, config: &Config) -> i32 {
    let status = report_stop(vm, stop, config);
    match vm.rt.flush_at_exit() {
        Ok(()) => status,
        Err(e) => {
            report_to_stderr(&format!("error: cannot write to stdout: {e}\n"));
            status.max(exit::RUNTIME_ERROR)
        }
    }
}

/// Reports how the program stopped; returns the exit status.
fn report_stop(vm: &mut vm::Vm, stop: runtime::Stop, config: &Config) -> i32 {
    vm.rt.flush();
    match stop {
        runtime::Stop::Done(_) => exit::OK,
        runtime::Stop::Exit(code) => code.into(),
        runtime::Stop::Threw(value) => {
            let report = vm.error_report(value);
            report_to_stderr(&diagnostics::render(&report, &vm.rt.sources, config.color));
            exit::RUNTIME_ERROR
        }
        runtime::Stop::Deadlock(lines) => {
            let report = vm::Vm::deadlock_diagnostic(lines);
            report_to_stderr(&diagnostics::render(&report, &vm.rt.sources, config.color));
            exit::RUNTIME_ERROR
        }
        runtime::Stop::Interrupted { error } => {
            let cancelled = vm.rt.error_classes[value::ErrorKind::CancelledError.index()];
            match error {
                None => {}
                Some(value::Value::Instance(i)) if i.class.is_subclass_of(cancelled) => {
                    report_to_stderr("interrupted\n");
                }
                // Something else went wrong while the program unwound.
                Some(e) => {
                    let report = vm.error_report(e);
                    report_to_stderr(&diagnostics::render(&report, &vm.rt.sources, config.color));
                }
            }
            exit::INTERRUPTED
        }
        // The program loop never returns these.
        runtime::Stop::Suspend | runtime::Stop::Preempt => exit::RUNTIME_ERROR,
    }
}

/// Runs a script file with `args` as `os.args`; returns the exit status.
/// Output goes to the process's stdout/stderr.
pub fn run_script(path: &str, args: Vec<String>, config: &Config) -> i32 {
    run(Main::File(path.to_string()), args, config)
}

/// Runs a program with `args` as `os.args`; returns the exit status.
pub fn run(main: Main, args: Vec<String>, config: &Config) -> i32 {
    let mut rt = runtime::Runtime::new();
    stdlib::install(&mut rt);
    rt.args = args;
    let program = match build_main_or_report(&mut rt, main, config) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut vm = match start_vm(rt, &program, config) {
        Ok(vm) => vm,
        Err((mut vm, stop)) => return finish(&mut vm, stop, config),
    };
    vm.rt.color = config.color;
    if let Err(e) = scheduler::signals::install(&mut vm.rt) {
        report_to_stderr(&format!("warning: cannot watch Ctrl-C: {e}\n"));
    }
    let stop = vm.run_program(program.main);
    finish(&mut vm, stop, config)
}

/// Parses and compiles files without running them, reporting every error
/// found on stderr; returns the exit status (0, 2 when anything failed to
/// compile, 64 when a file could not be read).
pub fn check(paths: &[String], config: &Config) -> i32 {
    let mut status = exit::OK;
    for path in paths {
        let mut rt = runtime::Runtime::new();
        match build_or_report(&mut rt, path, config) {
            Ok(_) => {}
            Err(code) => status = status.max(code),
        }
    }
    status
}

/// Prints the bytecode of a script (and the files it imports).
pub fn disasm(path: &str, config: &Config) -> i32 {
    let mut rt = runtime::Runtime::new();
    let mut program = match build_or_report(&mut rt, path, config) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // The prelude is the same for every program; leave it out.
    program.modules.remove(0);
    print!(
        "{}",
        bytecode::disasm::disassemble(&program, &rt.symbols, &rt.sources)
    );
    exit::OK
}
