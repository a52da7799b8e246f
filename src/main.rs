use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = klachtenbus::cli::Cli::parse();
    klachtenbus::cli::main(cli)
}
