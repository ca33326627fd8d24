//! `attribution attribute`: run models over an input and write the credits.

use attribution::Attribution;

use crate::args::AttributeArgs;
use crate::error::{CliError, in_input, write_failed};
use crate::models::runners;
use crate::output;
use crate::progress::Progress;
use crate::runner::Runner;
use crate::source::{fold_journeys, has_timestamps};

/// Configures the models once the header is known (for `all`: whether the
/// input has timestamps), then streams every journey through all of them,
/// on `--threads` threads whose states are merged.
pub fn run(args: &AttributeArgs) -> Result<(), CliError> {
    let (runners, channels, summary) = fold_journeys(
        &args.input,
        &args.build,
        args.threads,
        |headers| runners(args, has_timestamps(&args.input, headers)),
        |template: &Vec<Box<dyn Runner>>| template.iter().map(|r| r.fresh()).collect(),
        |runners, journey, channels| {
            runners
                .iter_mut()
                .try_for_each(|m| m.observe(journey, channels))
        },
        |runners, other| {
            for (m, o) in runners.iter_mut().zip(&other) {
                m.merge(o.as_ref());
            }
        },
    )
    .map_err(in_input(&args.input.input))?;
    summary.print();
    // Finishing solves the Markov chain: minutes on a large high-order input.
    let progress = Progress::phase("computing credits");
    let results: Vec<Attribution> = runners
        .iter()
        .map(|m| m.finish(&channels))
        .collect::<Result<_, _>>()?;
    drop(progress);
    let mut out = crate::open_output(args.output.as_deref())?;
    output::write(&results, args.format, &mut out)?;
    out.flush().map_err(write_failed)
}
