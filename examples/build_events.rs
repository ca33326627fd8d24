//! Reads an events file and builds journeys, printing the build report and the
//! throughput. Used to measure peak memory (`/usr/bin/time -v`).
//!
//! ```text
//! cargo run --release --example build_events -- FILE [--sorted] [--lookback 30d]
//!     [--session-timeout 30m] [--exclude Direct] [--collapse-repeats] [--max-touches N]
//! ```

use std::error::Error;
use std::time::Instant;

use attribution::assemble::{JourneyBuilder, parse_duration};
use attribution::io::events::EventReaderBuilder;

fn main() {
    if let Err(e) = run() {
        eprintln!("build_events: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut builder = JourneyBuilder::new();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--sorted" => {
                builder.sorted(true);
            }
            "--collapse-repeats" => {
                builder.collapse_repeats(true);
            }
            "--no-split" => {
                builder.split_on_conversion(false);
            }
            "--lookback" => {
                builder.lookback(parse_duration(&value()?)?);
            }
            "--session-timeout" => {
                builder.session_timeout(parse_duration(&value()?)?);
            }
            "--max-touches" => {
                builder.max_touches(value()?.parse::<usize>()?);
            }
            "--exclude" => {
                builder.exclude_channels(value()?.split(','));
            }
            _ if path.is_none() => path = Some(arg),
            other => return Err(format!("unexpected argument {other:?}").into()),
        }
    }
    let path = path.ok_or("usage: build_events FILE [options]")?;
    let start = Instant::now();
    let reader = EventReaderBuilder::new().from_path(&path)?;
    let (journeys, report) = builder.build(reader)?;
    let seconds = start.elapsed().as_secs_f64();
    eprint!("{report}");
    #[allow(clippy::cast_precision_loss)]
    let rate = report.events_read as f64 / seconds;
    eprintln!(
        "{} journeys over {} channels in {seconds:.3} s: {rate:.0} events/s",
        journeys.len(),
        journeys.channels().len()
    );
    Ok(())
}
