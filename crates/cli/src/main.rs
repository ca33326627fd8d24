//! The `attribution` command: multi-channel attribution on CSV exports.
//!
//! See `attribution --help` and DESIGN §7 for the contract: exit code 0 on
//! success, 2 on bad input or options (one line on stderr), 1 on other
//! failures (e.g. the output cannot be written). It never panics on input.

// Doc comments of the argument types are the command's help text, written
// for a terminal (`[,value]` means an optional column), not rustdoc links.
#![allow(rustdoc::broken_intra_doc_links)]

mod args;
mod attribute;
mod confusables;
mod error;
mod input;
mod journeys;
mod markov;
mod models;
mod output;
mod runner;
mod source;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Attribute(args) => attribute::run(&args),
        Command::Journeys(args) => journeys::run(&args),
        Command::Transitions(args) => markov::transitions(&args),
        Command::ChooseOrder(args) => markov::choose_order(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Opens the output: a file, or stdout.
pub(crate) fn open_output(path: Option<&std::path::Path>) -> Result<Box<dyn Write>, CliError> {
    match path {
        Some(p) => {
            let file = std::fs::File::create(p)
                .map_err(|e| CliError::Other(format!("cannot create `{}`: {e}", p.display())))?;
            Ok(Box::new(std::io::BufWriter::new(file)))
        }
        None => Ok(Box::new(std::io::BufWriter::new(std::io::stdout().lock()))),
    }
}
