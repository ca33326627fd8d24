//! Turning `--model` and its options into models.

use attribution::build::parse_duration;
use attribution::model::heuristic::{
    FirstTouch, Heuristic, LastNonDirect, LastTouch, Linear, PositionBased, PositionDecay,
    TimeDecay,
};
use attribution::model::markov::Markov;

use crate::args::{AttributeArgs, LinearArg};
use crate::error::CliError;
use crate::runner::{Runner, runner};

/// Every model name `--model` accepts: the heuristics, then `markov`.
fn model_names() -> Vec<&'static str> {
    Heuristic::NAMES.iter().copied().chain(["markov"]).collect()
}

/// The models named by `--model`, configured from the options, in the order
/// given (`all`: every model, time-decay only when the input has timestamps).
pub fn runners(args: &AttributeArgs, timed: bool) -> Result<Vec<Box<dyn Runner>>, CliError> {
    let known = model_names();
    let mut names: Vec<&str> = Vec::new();
    for name in args.model.iter().map(|n| n.trim()) {
        if name.eq_ignore_ascii_case("all") {
            names.extend(
                known
                    .iter()
                    .copied()
                    .filter(|n| timed || *n != "time-decay"),
            );
        } else if let Some(found) = known.iter().find(|n| n.eq_ignore_ascii_case(name)) {
            names.push(found);
        } else {
            return Err(CliError::Input(format!(
                "unknown model `{name}` (expected one of: {}, or all)",
                known.join(", ")
            )));
        }
    }
    let mut seen = Vec::new();
    names.retain(|n| {
        let new = !seen.contains(n);
        seen.push(*n);
        new
    });
    names.into_iter().map(|n| model(n, args)).collect()
}

fn invalid(flag: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Input(format!("{flag}: {e}"))
}

fn model(name: &str, args: &AttributeArgs) -> Result<Box<dyn Runner>, CliError> {
    let heuristic: Heuristic = match name {
        "markov" => {
            let markov = Markov::new(args.order)
                .map_err(|e| invalid("--order", e))?
                .max_steps(args.max_steps);
            if args.max_steps == Some(0) {
                return Err(invalid("--max-steps", "must be at least 1"));
            }
            return Ok(Box::new(crate::markov::MarkovRunner::new(markov)));
        }
        "first-touch" => FirstTouch.into(),
        "last-touch" => LastTouch.into(),
        "last-non-direct" => LastNonDirect::with_direct_channels(args.direct.iter())
            .map_err(|e| invalid("--direct", e))?
            .into(),
        "linear" => match args.linear {
            LinearArg::Touch => Linear::per_touch(),
            LinearArg::Channel => Linear::per_channel(),
        }
        .into(),
        "position-based" => {
            let (first, last) = args
                .position_weights
                .split_once(',')
                .and_then(|(f, l)| Some((f.trim().parse().ok()?, l.trim().parse().ok()?)))
                .ok_or_else(|| {
                    invalid(
                        "--position-weights",
                        format!("expected FIRST,LAST, got `{}`", args.position_weights),
                    )
                })?;
            PositionBased::new(first, last)
                .map_err(|e| invalid("--position-weights", e))?
                .into()
        }
        "time-decay" => {
            let half_life =
                parse_duration(&args.half_life).map_err(|e| invalid("--half-life", e))?;
            TimeDecay::with_half_life(half_life)
                .map_err(|e| invalid("--half-life", e))?
                .into()
        }
        "position-decay" => PositionDecay::new(args.decay_rate)
            .map_err(|e| invalid("--decay-rate", e))?
            .into(),
        other => {
            return Err(CliError::Input(format!("unknown model `{other}`")));
        }
    };
    Ok(runner(heuristic))
}
