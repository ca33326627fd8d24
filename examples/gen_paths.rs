//! Writes seeded synthetic aggregated paths (the `paths` input shape) for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_paths -- --paths 1000000 --channels 12 --seed 7 \
//!     --output bench-data/paths_1m_12.csv
//! ```
//!
//! Options: `--paths N` (default 100000), `--channels N` (12), `--seed N` (42),
//! `--max-len N` (20), `--delimiter C` (`,`), `--output FILE` (`-` = stdout, default).
//! The recipe is the one of the shared fixture `synthetic/paths_100000_12.csv`; see
//! `attribution::simulate::PathsConfig` (the distinct-rows mode of the simulator behind
//! `attribution simulate`; needs the default feature `simulate`).

use std::error::Error;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use attribution::simulate::PathsConfig;

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_paths: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut config = PathsConfig::default();
    let mut output = String::from("-");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--paths" => config.paths = value()?.parse()?,
            "--channels" => config.channels = value()?.parse()?,
            "--seed" => config.seed = value()?.parse()?,
            "--max-len" => config.max_len = value()?.parse()?,
            "--delimiter" => config.delimiter = single_byte(&value()?)?,
            "--output" | "-o" => output = value()?,
            "--help" | "-h" => {
                println!(
                    "gen_paths [--paths N] [--channels N] [--seed N] [--max-len N] \
                     [--delimiter C] [--output FILE]"
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
        "gen_paths: {} paths, {} channels, seed {}: {} conversions, {} nulls, value {}.{:03}, \
         mean length {:.2}, {:.2} s -> {output}",
        summary.rows,
        config.channels,
        config.seed,
        summary.conversions,
        summary.nulls,
        summary.value_thousandths / 1000,
        summary.value_thousandths % 1000,
        summary.touches as f64 / summary.rows.max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn single_byte(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "tab" => Ok(b'\t'),
        _ if text.len() == 1 => Ok(text.as_bytes()[0]),
        _ => Err(format!("a delimiter is one ASCII character, got {text:?}")),
    }
}
