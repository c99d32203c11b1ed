//! `amanat`: the election authority's command-line tool.

use clap::Parser;

/// Amanat election authority tools.
#[derive(Parser)]
#[command(name = "amanat", version, about)]
enum Cli {}

fn main() {
    let _ = Cli::parse();
}
