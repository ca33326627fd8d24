//! The `attribution` command: multi-channel attribution on CSV exports.
//!
//! See `attribution --help` for the contract: exit code 0 on success (and
//! when the reader of a piped stdout goes away), 2 on bad input or options
//! (one line on stderr), 3 on internal or numerical failures and output that
//! cannot be written. It never panics on input.

// Doc comments of the argument types are the command's help text, written
// for a terminal (`[,value]` means an optional column), not rustdoc links.
#![allow(rustdoc::broken_intra_doc_links)]

mod args;
mod attribute;
mod checks;
mod coefficients;
mod compare;
mod confusables;
mod error;
mod evaluate;
mod given;
mod input;
mod journeys;
mod markov;
mod models;
mod output;
mod output_rows;
mod per_journey;
mod positions;
mod progress;
mod replicates;
mod runner;
mod simulate;
mod source;
mod state;
mod streams;
#[cfg(test)]
mod toy_model;
mod warn;

use std::io::Write;
use std::process::ExitCode;

use attribution::model::Registry;
use clap::{ArgMatches, FromArgMatches};

use crate::args::{Cli, Command};
use crate::error::CliError;
use crate::given::Given;

fn main() -> ExitCode {
    let registry = Registry::builtin();
    let matches = args::command(&registry).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = dispatch(cli, &matches, &registry);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of the output has gone: nothing left to say.
        Err(CliError::ClosedPipe) => ExitCode::SUCCESS,
        Err(e) => {
            streams::diagnostic(&format!("error: {e}"));
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs the command of `cli` (parsed from `matches`) with the models of
/// `registry`.
pub(crate) fn dispatch(
    cli: Cli,
    matches: &ArgMatches,
    registry: &Registry,
) -> Result<(), CliError> {
    // Which options were typed (not defaults), to warn about those that do nothing.
    let given = matches
        .subcommand()
        .map(|(_, sub)| Given::from_matches(sub))
        .unwrap_or_default();
    match cli.command {
        Command::Attribute(args) => attribute::run(&args, &given, registry),
        Command::Journeys(args) => journeys::run(&args, &given),
        Command::Transitions(args) => markov::transitions(&args, &given),
        Command::ChooseOrder(args) => markov::choose_order(&args, &given),
        Command::State(args) => state::state(&args, &given, registry),
        Command::Merge(args) => state::merge(&args, registry),
        Command::Compare(args) => compare::run(&args, &given, registry),
        Command::Simulate(args) => simulate::run(&args, &given),
        Command::Evaluate(args) => evaluate::run(&args, &given, registry),
    }
}

/// Opens the output: a file, or stdout (an error when stdout was closed
/// before the run: what is written would vanish).
pub(crate) fn open_output(path: Option<&std::path::Path>) -> Result<Box<dyn Write>, CliError> {
    match path {
        Some(p) => {
            let file = std::fs::File::create(p)
                .map_err(|e| CliError::Other(format!("cannot create `{}`: {e}", p.display())))?;
            Ok(Box::new(std::io::BufWriter::new(file)))
        }
        None if streams::stdout_was_closed() => Err(CliError::Other(
            "standard output is closed: nothing can be written (use --output FILE)".to_owned(),
        )),
        None => Ok(Box::new(std::io::BufWriter::new(std::io::stdout().lock()))),
    }
}
