//! Writes a seeded synthetic raw event log (the `events` input shape) for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_events -- --users 1000000 --events 10000000 \
//!     --channels 12 --seed 7 --order shuffled --output bench-data/events_10m.csv
//! ```
//!
//! Options: `--users N` (default 100000), `--events N` (1000000, a target: the count
//! is random around it), `--channels N` (12, `Direct` comes on top), `--seed N` (42),
//! `--order sorted|shuffled` (sorted by user and time, or shuffled within blocks of
//! users), `--block-users N` (16384), `--delimiter C` (`,`), `--output FILE` (`-` =
//! stdout, default). See `attribution_synthetic::EventsConfig` for the behaviour.

use std::error::Error;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use attribution_synthetic::{EventOrder, EventsConfig};

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_events: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut config = EventsConfig::default();
    let mut output = String::from("-");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--users" => config.users = value()?.parse()?,
            "--events" => config.target_events = value()?.parse()?,
            "--channels" => config.channels = value()?.parse()?,
            "--seed" => config.seed = value()?.parse()?,
            "--block-users" => config.block_users = value()?.parse()?,
            "--order" => {
                config.order = match value()?.as_str() {
                    "sorted" => EventOrder::SortedByUserTime,
                    "shuffled" => EventOrder::ShuffledInBlocks,
                    other => return Err(format!("--order sorted|shuffled, got {other:?}").into()),
                }
            }
            "--delimiter" => {
                let text = value()?;
                config.delimiter = match text.as_str() {
                    "\\t" | "tab" => b'\t',
                    _ if text.len() == 1 => text.as_bytes()[0],
                    _ => {
                        return Err(
                            format!("a delimiter is one ASCII character, got {text:?}").into()
                        );
                    }
                }
            }
            "--output" | "-o" => output = value()?,
            "--help" | "-h" => {
                println!(
                    "gen_events [--users N] [--events N] [--channels N] [--seed N] \
                     [--order sorted|shuffled] [--block-users N] [--delimiter C] [--output FILE]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?} (see --help)").into()),
        }
    }
    let started = Instant::now();
    let summary = if output == "-" {
        config.write_to(io::stdout().lock())?
    } else {
        if let Some(parent) = Path::new(&output).parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = File::create(&output)?;
        let summary = config.write_to(&mut file)?;
        file.flush()?;
        summary
    };
    eprintln!(
        "gen_events: {} users, {} rows ({} touches, {} Direct, {} conversions by {} users, \
         {} twice), value {}.{:02}, {:.2} s -> {output}",
        config.users,
        summary.rows,
        summary.touches,
        summary.direct_touches,
        summary.conversions,
        summary.converting_users,
        summary.twice_converting_users,
        summary.value_cents / 100,
        summary.value_cents % 100,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
