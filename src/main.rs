//! The `weft` command line (placeholder until the CLI lands).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = weft::Config::default();
    let code = match args.first() {
        Some(path) => weft::run_script(path, args[1..].to_vec(), &config),
        None => weft::exit::USAGE,
    };
    std::process::exit(code);
}
