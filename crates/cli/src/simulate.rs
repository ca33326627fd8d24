//! `attribution simulate`: journeys drawn from a known conversion law (the
//! library's [`attribution::simulate`]), written in the paths shape with the
//! effects that drew them.

use std::io::Write;

use attribution::simulate::{FittedLaw, LawCounts, Simulated, SimulationConfig, TouchLaw};

use crate::args::{BuildArgs, InputArgs, ReadArgs, SimulateArgs, SimulationArgs};
use crate::error::{CliError, in_input, write_failed};
use crate::given::Given;
use crate::source::fold_journeys;
use crate::warn::{note, warning};

/// Draws the simulation and writes the paths and, with `--effects-out`, the
/// effects.
pub fn run(args: &SimulateArgs, given: &Given) -> Result<(), CliError> {
    let law = touch_law(
        args.like.as_deref(),
        &args.read,
        &args.build,
        args.threads,
        &args.simulation,
        given,
    )?;
    let config = config(&args.simulation, &law, 0)?;
    let simulated = attribution::simulate::simulate(&config, &law)
        .map_err(|e| CliError::Input(e.to_string()))?;
    describe(&simulated);
    let mut out = crate::open_output(args.output.as_deref())?;
    simulated
        .write_paths_csv(&mut out)
        .and_then(|()| out.flush())
        .map_err(write_failed)?;
    if let Some(path) = &args.effects_out {
        let mut out = crate::open_output(Some(path))?;
        simulated
            .effects
            .write(&mut out)
            .and_then(|()| out.flush())
            .map_err(write_failed)?;
    }
    Ok(())
}

/// The touch law: fitted to `like` (read with `read`/`build` on `threads`),
/// or the fixed recipe over `--channels` channels. Warns about reading
/// options given without an input.
pub fn touch_law(
    like: Option<&str>,
    read: &ReadArgs,
    build: &BuildArgs,
    threads: usize,
    simulation: &SimulationArgs,
    given: &Given,
) -> Result<TouchLaw, CliError> {
    match like {
        Some(like) => {
            if simulation.channels.is_some() {
                return Err(CliError::Input(
                    "--channels cannot be used with --like: the channels are the input's"
                        .to_owned(),
                ));
            }
            let input = InputArgs::new(like.to_owned(), read.clone());
            Ok(TouchLaw::Fitted(fit(&input, build, threads, given)?))
        }
        None => {
            let unused: Vec<String> = given
                .names()
                .filter(|name| READING_OPTIONS.contains(name))
                .map(|name| format!("--{}", name.replace('_', "-")))
                .collect();
            if !unused.is_empty() {
                warning(format!(
                    "{} only apply to reading --like INPUT; ignored",
                    unused.join(", ")
                ));
            }
            let channels = simulation.channels.unwrap_or(DEFAULT_CHANNELS);
            TouchLaw::recipe(channels).map_err(|e| CliError::Input(e.to_string()))
        }
    }
}

/// Channels of the recipe when `--channels` is not given.
const DEFAULT_CHANNELS: usize = 12;

/// The options that only matter when an input is read.
const READING_OPTIONS: &[&str] = &[
    "shape",
    "delimiter",
    "sep",
    "columns",
    "lenient",
    "ignore_unknown_columns",
    "time_format",
    "timezone",
    "decimal_comma",
    "conversion_events",
    "threads",
    "lookback",
    "session_timeout",
    "no_split",
    "collapse_repeats",
    "exclude",
    "max_touches",
    "drop_duplicates",
    "sorted",
];

/// The touch-law counts of one thread, with the first error of counting or
/// merging them.
type Counting = (LawCounts, Option<String>);

/// Reads `input` once into the touch-law counts and fits the law.
pub fn fit(
    input: &InputArgs,
    build: &BuildArgs,
    threads: usize,
    given: &Given,
) -> Result<FittedLaw, CliError> {
    crate::checks::input_options(input, build, given, true)?;
    let ((counts, error), _channels, summary) = fold_journeys(
        input,
        build,
        threads,
        |_headers| Ok((LawCounts::new(), None)),
        |_| (LawCounts::new(), None),
        |(counts, error): &mut Counting, journey, channels| {
            if let Err(e) = counts.observe(journey, channels) {
                error.get_or_insert(e.to_string());
            }
            Ok(())
        },
        |(counts, error): &mut Counting, (other, theirs): Counting| {
            if let Err(e) = counts.merge(&other) {
                error.get_or_insert(e.to_string());
            }
            if let Some(e) = theirs {
                error.get_or_insert(e);
            }
        },
    )
    .map_err(in_input(&input.input))?;
    summary.print();
    if let Some(e) = error {
        return Err(CliError::Input(format!("{}: {e}", input.input)));
    }
    counts
        .finish()
        .map_err(|e| CliError::Input(format!("{}: {e}", input.input)))
}

/// The library's configuration from the options, for replicate `offset`
/// (seed + offset).
pub fn config(
    simulation: &SimulationArgs,
    law: &TouchLaw,
    offset: u64,
) -> Result<SimulationConfig, CliError> {
    let journeys = match (simulation.journeys, law) {
        (Some(n), _) => n,
        (None, TouchLaw::Fitted(fitted)) => fitted.journeys(),
        (None, _) => SimulationConfig::default().journeys,
    };
    let channels = match law {
        TouchLaw::Recipe(_) => simulation.channels.unwrap_or(DEFAULT_CHANNELS),
        TouchLaw::Fitted(fitted) => fitted.channels().len(),
    };
    let config = SimulationConfig {
        journeys,
        channels,
        seed: simulation.seed.checked_add(offset).ok_or_else(|| {
            CliError::Input(format!(
                "--seed {} + replicate {offset} overflows a 64-bit seed",
                simulation.seed
            ))
        })?,
        effect_sd: simulation.effect_sd,
        synergy_sd: simulation.synergy_sd,
        half_life: simulation.recency_half_life,
        length_effect: simulation.length_effect,
        length_cap: simulation.length_cap,
    };
    config
        .validate()
        .map_err(|e| CliError::Input(e.to_string()))?;
    Ok(config)
}

/// One line on stderr: what was drawn.
fn describe(simulated: &Simulated) {
    note(format!(
        "simulated {} journeys over {} channels: {} distinct paths, {} conversions \
         (intercept {})",
        simulated.total_journeys(),
        simulated.channels.len(),
        simulated.rows.len(),
        simulated.total_conversions(),
        simulated.effects.intercept()
    ));
}
