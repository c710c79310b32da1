//! The `weft` command line: parses arguments with clap and hands the work to
//! the library facade (`weft::run_script`, `weft::check`, `weft::disasm`) or
//! the golden-test engine (`weft::golden`).
//!
//! The command set and exit statuses are fixed by the language reference
//! (§11): 0 success, 1 runtime error or failed tests, 2 compile error, 64 bad
//! usage. Clap's own usage errors exit with 2 by default, which would be
//! mistaken for a compile error, so parsing goes through `try_parse` and
//! maps every usage error to 64.

// The interpreter allocates many small objects; mimalloc is markedly
// faster than the system allocator for that pattern.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};

const AFTER_HELP: &str = "\
Exit status: 0 success, 1 uncaught runtime error or deadlock (or failed tests),
2 syntax or compile error, 64 bad usage; `exit(n)` in a script gives n.
Diagnostics use colour only when stderr is a terminal and NO_COLOR is unset.";

/// Run Weft scripts, check them, run golden tests or show bytecode.
///
/// `weft FILE [ARGS]...` runs a script (same as `weft run`); everything after
/// FILE is passed to the script as `os.args`, even if it looks like a flag.
#[derive(Parser, Debug)]
#[command(
    name = "weft",
    version,
    after_help = AFTER_HELP,
    override_usage = "weft [OPTIONS] FILE [ARGS]...\n       \
                      weft [OPTIONS] -e CODE [ARGS]...\n       \
                      weft [OPTIONS] <COMMAND>\n       \
                      weft            (the REPL; a program piped into it is run)",
    subcommand_value_name = "COMMAND",
)]
struct Cli {
    /// Instructions a task runs before the scheduler switches to another
    #[arg(long, value_name = "N", global = true, value_parser = clap::value_parser!(u32).range(1..))]
    budget: Option<u32>,

    /// Run CODE as a script; the words after it become `os.args`
    #[arg(short = 'e', value_name = "CODE", allow_hyphen_values = true)]
    eval: Option<String>,

    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    script: Script,
}

/// A script and the arguments it receives as `os.args`.
///
/// FILE and ARGS are one positional on purpose: once its first value is
/// seen, clap treats everything after it as values (as if `--` had been
/// given), so `weft s.weft test --help` passes `test --help` to the script
/// instead of starting the `test` subcommand. Split by [`Script::split`].
#[derive(clap::Args, Debug, Default, PartialEq)]
struct Script {
    /// The script to run, then the arguments it receives as `os.args`
    /// (passed on verbatim, even if they look like flags)
    #[arg(value_name = "FILE [ARGS]", num_args = 1.., trailing_var_arg = true)]
    script: Vec<String>,
}

impl Script {
    /// The script path and its arguments, or `None` when none was given.
    fn split(self) -> Option<(String, Vec<String>)> {
        let mut words = self.script.into_iter();
        let file = words.next()?;
        Some((file, words.collect()))
    }
}

#[derive(Subcommand, Debug, PartialEq)]
enum Command {
    /// Run a script; arguments after FILE become `os.args`
    Run {
        /// The script to run
        #[arg(value_name = "FILE")]
        file: String,
        /// Arguments for the script (`os.args`), passed on verbatim
        #[arg(
            value_name = "ARGS",
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        args: Vec<String>,
    },
    /// Parse and compile files without running them, reporting every error
    Check {
        /// Files to check
        #[arg(value_name = "FILE", required = true)]
        files: Vec<String>,
    },
    /// Run golden tests: each NAME.weft with a sibling NAME.out
    #[command(long_about = "\
Run golden tests.

Every NAME.weft under the given paths (default `tests/`) that has a sibling
NAME.out is a test. It is run from its own folder; its stdout must equal
NAME.out, its stderr NAME.err (empty when absent) and its exit status the
number in NAME.status (0 when absent). Prints each failure with a diff, then
`N passed, N failed`; exits 1 if any test failed, and 64 (bad usage) when the
paths hold no test or name a file that is not a .weft script.")]
    Test {
        /// Folders to search recursively, or single .weft files [default: tests]
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Rewrite the expectation files from the actual runs (also creates
        /// NAME.out for scripts that lack one, except helpers named `_*.weft`)
        #[arg(long)]
        bless: bool,
    },
    /// Run the language server on stdin/stdout (for editors)
    #[command(long_about = "\
Run the language server on stdin/stdout (for editors).

Speaks the Language Server Protocol: diagnostics as you type (the errors
`weft check` reports), document symbols, go-to-definition, hover with
signatures and doc comments, completion of names, keywords and standard
module members, and rename of local names. Editors start it themselves;
see editors/README.md.")]
    Lsp,
    /// Print the bytecode of a script and the modules it imports
    Disasm {
        /// The script to disassemble
        #[arg(value_name = "FILE")]
        file: String,
    },
}

fn main() -> ExitCode {
    let (argv, eval_args) = split_eval(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };

    let mut config = weft::Config::default();
    if let Some(budget) = cli.budget {
        config.budget = budget;
    }
    config.color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();

    if let Some(code) = cli.eval {
        if cli.command.is_some() {
            eprintln!("error: `-e CODE` runs CODE; it cannot be combined with a command\n");
            eprintln!("{}", Cli::command().render_usage());
            return exit_code(weft::exit::USAGE);
        }
        // Every word after CODE is an argument (there is no FILE).
        let args = eval_args;
        let main = weft::Main::Text {
            name: "<-e>".into(),
            text: code.into_bytes(),
        };
        return exit_code(weft::run(main, args, &config));
    }

    let code = match (cli.command, cli.script.split()) {
        (Some(Command::Run { file, args }), _) | (None, Some((file, args))) => {
            weft::run_script(&file, args, &config)
        }
        // Like `python3` and `lua`: a program piped in is run.
        (None, None) if !std::io::stdin().is_terminal() => run_stdin(&config),
        (Some(Command::Check { files }), _) => weft::check(&files, &config),
        (Some(Command::Disasm { file }), _) => weft::disasm(&file, &config),
        (Some(Command::Lsp), _) => weft::lsp::run(),
        (Some(Command::Test { paths, bless }), _) => match std::env::current_exe() {
            Ok(exe) => weft::golden::run_command(&exe, &paths, bless),
            Err(e) => {
                eprintln!("error: cannot find the weft executable to run tests with: {e}");
                weft::exit::USAGE
            }
        },
        (None, None) => weft::repl::line::run(&config),
    };
    exit_code(code)
}

/// Splits `weft [--budget N] -e CODE ARGS...` after CODE: like a script's
/// arguments, the words after CODE are the program's (`weft -e CODE run
/// --x` passes `run --x`), so only the words up to CODE go to clap.
fn split_eval(mut argv: Vec<std::ffi::OsString>) -> (Vec<std::ffi::OsString>, Vec<String>) {
    let mut i = 1;
    while i < argv.len() {
        let word = argv[i].to_string_lossy();
        if word == "--budget" {
            i += 2;
        } else if word.starts_with("--budget=") {
            i += 1;
        } else if word == "-e" && i + 1 < argv.len() {
            let rest = argv.split_off(i + 2);
            return (
                argv,
                rest.iter()
                    .map(|w| w.to_string_lossy().into_owned())
                    .collect(),
            );
        } else {
            break;
        }
    }
    (argv, Vec::new())
}

/// Runs the program read from stdin (`echo 'print(1)' | weft`), named
/// `<stdin>` in reports.
fn run_stdin(config: &weft::Config) -> i32 {
    use std::io::Read;
    let mut text = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut text) {
        eprintln!("error: cannot read the program from stdin: {e}");
        return weft::exit::USAGE;
    }
    let main = weft::Main::Text {
        name: "<stdin>".into(),
        text,
    };
    weft::run(main, Vec::new(), config)
}

/// Prints a clap error: help and version go to stdout with status 0, real
/// usage errors to stderr with status 64.
fn usage_error(e: clap::Error) -> ExitCode {
    let _ = e.print();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
        _ => exit_code(weft::exit::USAGE),
    }
}

/// `exit(n)` only allows 0..=255, and weft's own statuses fit too; anything
/// else would be a bug, reported as a failure rather than wrapped.
fn exit_code(code: i32) -> ExitCode {
    u8::try_from(code).map_or(ExitCode::FAILURE, ExitCode::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("weft").chain(args.iter().copied()))
    }

    fn script(file: &str, args: &[&str]) -> Option<(String, Vec<String>)> {
        Some((file.into(), args.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_file_runs_with_verbatim_args() {
        let cli = parse(&["s.weft", "--foo", "-x", "--budget", "3", "--help", "run"]).unwrap();
        assert_eq!(cli.command, None);
        assert_eq!(cli.budget, None);
        assert_eq!(
            cli.script.split(),
            script("s.weft", &["--foo", "-x", "--budget", "3", "--help", "run"])
        );
        // Subcommand names after the script are the script's arguments.
        let cli = parse(&["s.weft", "test", "run", "x"]).unwrap();
        assert_eq!(cli.command, None);
        assert_eq!(cli.script.split(), script("s.weft", &["test", "run", "x"]));
        let cli = parse(&["s.weft", "--", "-x"]).unwrap();
        assert_eq!(cli.script.split(), script("s.weft", &["--", "-x"]));
        let cli = parse(&["s.weft", "--"]).unwrap();
        assert_eq!(cli.script.split(), script("s.weft", &["--"]));
        // `--` before the script ends the options, so a script may start with `-`.
        let cli = parse(&["--", "-s.weft", "a"]).unwrap();
        assert_eq!(cli.script.split(), script("-s.weft", &["a"]));
    }

    #[test]
    fn budget_before_the_file() {
        let cli = parse(&["--budget", "5", "s.weft", "a"]).unwrap();
        assert_eq!(cli.budget, Some(5));
        assert_eq!(cli.script.split(), script("s.weft", &["a"]));
    }

    #[test]
    fn run_subcommand_passes_args_verbatim() {
        let cli = parse(&["--budget=7", "run", "s.weft", "--bless", "-v"]).unwrap();
        assert_eq!(cli.budget, Some(7));
        assert_eq!(
            cli.command,
            Some(Command::Run {
                file: "s.weft".into(),
                args: vec!["--bless".into(), "-v".into()],
            })
        );
        let cli = parse(&["run", "--budget", "2", "s.weft"]).unwrap();
        assert_eq!(cli.budget, Some(2));
    }

    #[test]
    fn other_subcommands() {
        let cli = parse(&["check", "a.weft", "b.weft"]).unwrap();
        assert_eq!(
            cli.command,
            Some(Command::Check {
                files: vec!["a.weft".into(), "b.weft".into()]
            })
        );
        let cli = parse(&["test", "--bless", "tests/golden"]).unwrap();
        assert_eq!(
            cli.command,
            Some(Command::Test {
                paths: vec![PathBuf::from("tests/golden")],
                bless: true
            })
        );
        let cli = parse(&["test"]).unwrap();
        assert_eq!(
            cli.command,
            Some(Command::Test {
                paths: vec![],
                bless: false
            })
        );
        let cli = parse(&["disasm", "a.weft"]).unwrap();
        assert_eq!(
            cli.command,
            Some(Command::Disasm {
                file: "a.weft".into()
            })
        );
        assert_eq!(parse(&[]).unwrap().script.split(), None);
    }

    #[test]
    fn usage_errors() {
        for args in [
            &["--nope"][..],
            &["--budget", "0", "s.weft"],
            &["--budget", "x", "s.weft"],
            &["--budget", "4294967296", "s.weft"],
            &["check"],
            &["run"],
            &["disasm"],
            &["disasm", "a.weft", "b.weft"],
            &["test", "--nope"],
        ] {
            let err = parse(args).expect_err(&format!("{args:?} should fail"));
            assert!(
                !matches!(
                    err.kind(),
                    ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
                ),
                "{args:?}"
            );
        }
        assert_eq!(
            parse(&["--help"]).unwrap_err().kind(),
            ErrorKind::DisplayHelp
        );
        assert_eq!(
            parse(&["test", "--help"]).unwrap_err().kind(),
            ErrorKind::DisplayHelp
        );
        assert_eq!(
            parse(&["--version"]).unwrap_err().kind(),
            ErrorKind::DisplayVersion
        );
    }
}
