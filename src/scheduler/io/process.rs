//! Child processes for the I/O driver: spawning without a shell, with
//! their stdin, stdout and stderr as non-blocking pipe conns, and their
//! exit watched through a pidfd on the poller (no thread blocks in
//! `waitpid`).

use super::{io_error, new_conn, new_obj, os_message};
use crate::gc::Gc;
use crate::reactor::source::Source;
use crate::reactor::stream::Transport;
use crate::runtime::Runtime;
use crate::value::io::{Child, IoObj, IoState};
use crate::value::{Outcome, Value};
use std::fs::File;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, ExitStatus, Stdio};

/// How to start a child.
pub struct SpawnSpec {
    pub cmd: String,
    pub args: Vec<String>,
    pub cwd: Option<String>,
    pub env: Vec<(String, String)>,
}

/// A signal kill is reported as 128 + signo, as shells do.
pub fn status_code(status: ExitStatus) -> i64 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => c.into(),
        (None, Some(sig)) => 128 + i64::from(sig),
        (None, None) => 1,
    }
}

fn nonblocking(fd: &OwnedFd) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let raw = fd.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn pidfd(pid: u32) -> Option<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return None;
    }
    let fd = i32::try_from(fd).ok()?;
    // SAFETY: the descriptor was just created and is owned by no one else.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn pipe_conn(rt: &mut Runtime, fd: OwnedFd, what: String) -> io::Result<Value> {
    nonblocking(&fd)?;
    let key = rt.sched.new_key();
    let source = Source::new(File::from(fd), rt.sched.reactor()?, key)?;
    Ok(Value::Io(new_conn(rt, key, Transport::Pipe(source), what)))
}

/// Starts a child; the message names the command when it cannot start.
pub fn spawn(rt: &mut Runtime, spec: SpawnSpec) -> Result<Gc<IoObj>, String> {
    if let Some(dir) = &spec.cwd {
        if !std::path::Path::new(dir).is_dir() {
            return Err(format!(
                "cannot run `{}`: the folder `{dir}` does not exist",
                spec.cmd
            ));
        }
    }
    let mut cmd = Command::new(&spec.cmd);
    cmd.args(&spec.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = &spec.cwd {
        cmd.current_dir(dir);
    }
    cmd.envs(spec.env.iter().map(|(k, v)| (k, v)));
    let mut process = cmd
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {}", spec.cmd, os_message(&e)))?;
    let (key, exit, [stdin, stdout, stderr]) = match attach(rt, &spec, &mut process) {
        Ok(parts) => parts,
        Err(msg) => {
            // Started but unusable: do not leave it running or a zombie.
            let _ = process.kill();
            let _ = process.wait();
            return Err(msg);
        }
    };
    Ok(new_obj(
        rt,
        key,
        IoState::Child(Child {
            process,
            exit_job: false,
            exit,
            status: None,
            stdin,
            stdout,
            stderr,
        }),
    ))
}

/// What a child object holds besides the process.
type Parts = (u64, Option<Source<OwnedFd>>, [Value; 3]);

/// The child's pipes as conns, and its exit on the poller (its key and
/// pidfd).
fn attach(
    rt: &mut Runtime,
    spec: &SpawnSpec,
    process: &mut std::process::Child,
) -> Result<Parts, String> {
    let fail = |e: io::Error| format!("cannot run `{}`: {}", spec.cmd, os_message(&e));
    let name = &spec.cmd;
    let stdin = match process.stdin.take() {
        Some(p) => pipe_conn(rt, p.into(), format!("stdin of {name}")).map_err(fail)?,
        None => Value::Nil,
    };
    let stdout = match process.stdout.take() {
        Some(p) => pipe_conn(rt, p.into(), format!("stdout of {name}")).map_err(fail)?,
        None => Value::Nil,
    };
    let stderr = match process.stderr.take() {
        Some(p) => pipe_conn(rt, p.into(), format!("stderr of {name}")).map_err(fail)?,
        None => Value::Nil,
    };
    let key = rt.sched.new_key();
    let exit = match pidfd(process.id()) {
        Some(fd) => Some(Source::new(fd, rt.sched.reactor().map_err(fail)?, key).map_err(fail)?),
        None => None,
    };
    Ok((key, exit, [stdin, stdout, stderr]))
}

/// A child's exit status, once it has exited.
pub fn wait(rt: &mut Runtime, obj: Gc<IoObj>) -> Option<Outcome> {
    let result = {
        let mut state = obj.state.borrow_mut();
        let IoState::Child(c) = &mut *state else {
            return None;
        };
        if let Some(s) = c.status {
            return Some(Ok(Value::Int(s)));
        }
        if c.exit_job {
            return None;
        }
        match c.process.try_wait() {
            Ok(Some(status)) => {
                let code = status_code(status);
                c.status = Some(code);
                // The pidfd is no longer needed.
                c.exit = None;
                Ok(code)
            }
            Ok(None) if c.exit.is_none() => {
                // No pidfd (an old kernel, or no descriptor left): a helper
                // thread waits for the exit instead.
                if !c.exit_job {
                    c.exit_job = true;
                    let Ok(pid) = libc::pid_t::try_from(c.process.id()) else {
                        return Some(Err(io_error(rt, "a child's pid is out of range")));
                    };
                    drop(state);
                    let key = rt.sched.new_key();
                    let job: crate::reactor::pool::Job = Box::new(move || {
                        let mut status = 0;
                        // SAFETY: waitpid on our own child, blocking this
                        // helper thread only.
                        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
                        Box::new((r == pid).then_some(status))
                    });
                    match rt.sched.reactor() {
                        Ok(r) => {
                            r.submit(key, job);
                            rt.sched.jobs.insert(key, super::JobWaiter::Exit(obj));
                        }
                        Err(e) => return Some(Err(io_error(rt, os_message(&e)))),
                    }
                }
                return None;
            }
            Ok(None) => {
                // Not exited: wait for the pidfd's edge.
                if let Some(s) = &c.exit {
                    s.clear_read();
                }
                return None;
            }
            Err(e) => Err(e),
        }
    };
    Some(match result {
        Ok(code) => Ok(Value::Int(code)),
        Err(e) => Err(io_error(rt, os_message(&e))),
    })
}

/// A helper thread's `waitpid` finished: the raw status, if it got one.
pub fn exited(obj: Gc<IoObj>, out: crate::reactor::pool::Output) {
    use std::os::unix::process::ExitStatusExt;
    if let IoState::Child(c) = &mut *obj.state.borrow_mut() {
        let raw = out.downcast::<Option<i32>>().ok().and_then(|r| *r);
        // Reaped by the helper: std's handle must not wait again.
        c.status = Some(match raw {
            Some(raw) => status_code(ExitStatus::from_raw(raw)),
            None => 1,
        });
    }
}

/// Collects a killed child's status if it has exited (so it is no zombie);
/// true once it has.
pub fn reap(obj: Gc<IoObj>) -> bool {
    let mut state = obj.state.borrow_mut();
    let IoState::Child(c) = &mut *state else {
        return true;
    };
    if c.status.is_some() {
        return true;
    }
    match c.process.try_wait() {
        Ok(Some(status)) => {
            c.status = Some(status_code(status));
            c.exit = None;
            true
        }
        Ok(None) => false,
        Err(_) => true,
    }
}
