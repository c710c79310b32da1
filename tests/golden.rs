//! The golden suite under `tests/golden`, run by `cargo test` through
//! libtest-mimic: one trial per script, named by its path relative to
//! `tests/golden` without `.weft`, so `cargo test --test golden -- closures/`
//! runs one area. The work is done by `weft::golden`, the same engine as
//! `weft test`.
//!
//! Unlike `weft test`, every script counts here, so a new test cannot be
//! forgotten: a script without `NAME.out` is a failing trial, unless its file
//! name starts with `_` (a helper module imported by other tests).
//! `WEFT_BLESS=1 cargo test --test golden` rewrites (or creates) the
//! expectation files from the actual runs.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use weft::golden::{self, Options, Outcome, Select};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_weft"));
    let bless = std::env::var("WEFT_BLESS").is_ok_and(|v| !v.is_empty() && v != "0");
    let options = Options::from_env(bless);

    let cases = if root.is_dir() {
        match golden::discover(&[root], Select::AllScripts) {
            Ok(cases) => cases,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
    } else {
        Vec::new()
    };

    let trials = cases
        .into_iter()
        .map(|case| {
            let exe = exe.clone();
            let options = options.clone();
            Trial::test(case.name.clone(), move || {
                match golden::run_case(&exe, &case, &options) {
                    Outcome::Pass | Outcome::Blessed => Ok(()),
                    Outcome::Fail(report) => Err(Failed::from(report)),
                }
            })
        })
        .collect();

    libtest_mimic::run(&args, trials).exit();
}
