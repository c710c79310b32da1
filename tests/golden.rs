//! Golden-file tests (placeholder until the harness lands).
fn main() {}
