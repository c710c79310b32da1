//! Shared by the example suites (`tests/io_examples.rs`,
//! `tests/http_examples.rs`): running an example as a child process that is
//! killed when the test is done, and reading its pipes without blocking it.
#![allow(dead_code)]

use libtest_mimic::Failed;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

/// How long any one read, output line or program may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

pub type Outcome<T = ()> = Result<T, Failed>;

pub fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(format!("{name}.weft"))
}

pub fn weft(name: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.arg(example(name)).args(args).env("NO_COLOR", "1");
    cmd
}

/// A child process that is killed and reaped when this guard drops.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The lines of a pipe, read by a thread until the pipe closes, so the child
/// never blocks on a full pipe.
pub fn lines_of(pipe: Option<impl Read + Send + 'static>) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    if let Some(pipe) = pipe {
        thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
    }
    rx
}

/// All of a pipe, sent once it closes.
pub fn all_of(pipe: Option<impl Read + Send + 'static>) -> Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        thread::spawn(move || {
            let mut data = Vec::new();
            let _ = pipe.read_to_end(&mut data);
            let _ = tx.send(data);
        });
    }
    rx
}
