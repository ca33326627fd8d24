//! Turning `--model` and its options into models.

use attribution::assemble::parse_duration;
use attribution::model::heuristic::{
    FirstTouch, Heuristic, LastNonDirect, LastTouch, Linear, PositionBased, PositionDecay,
    TimeDecay,
};
use attribution::model::markov::Markov;

use crate::args::{AttributeArgs, LinearArg};
use crate::error::CliError;
use crate::given::Given;
use crate::runner::{Runner, runner};
use crate::warn::warning;

/// Every model name `--model` accepts: the heuristics, then `markov`.
fn model_names() -> Vec<&'static str> {
    Heuristic::NAMES.iter().copied().chain(["markov"]).collect()
}

/// The options that configure one model: (field id, flag, model).
const MODEL_OPTIONS: [(&str, &str, &str); 7] = [
    ("direct", "--direct", "last-non-direct"),
    ("linear", "--linear", "linear"),
    ("position_weights", "--position-weights", "position-based"),
    ("half_life", "--half-life", "time-decay"),
    ("decay_rate", "--decay-rate", "position-decay"),
    ("order", "--order", "markov"),
    ("max_steps", "--max-steps", "markov"),
];

/// Why `--model all` leaves time-decay out.
pub const NO_TIMESTAMPS: &str = "the input has no touch timestamps";

/// Every model configured from the options, whether it runs or not: built
/// up front, so that an invalid value is an error even for a model that
/// does not run.
pub struct Models {
    heuristics: Vec<Heuristic>,
    /// One per `--order`, with its output label.
    markov: Vec<(String, Markov)>,
    /// The names `--model` asks for, `all` kept as is.
    requested: Vec<String>,
}

/// A model chosen to run.
pub enum Chosen {
    /// A heuristic.
    Heuristic(Heuristic),
    /// A Markov model and its label (`markov`, or `markov:order=K` when
    /// several orders run).
    Markov(String, Markov),
}

impl Chosen {
    /// The label of the model in the output.
    pub fn label(&self) -> String {
        match self {
            Self::Heuristic(h) => h.to_string(),
            Self::Markov(label, _) => label.clone(),
        }
    }

    /// The model with an empty state.
    pub fn runner(&self) -> Box<dyn Runner> {
        match self {
            Self::Heuristic(h) => runner(h.clone()),
            Self::Markov(_, m) => Box::new(crate::markov::MarkovRunner::new(*m)),
        }
    }
}

/// The models that run, in the order given, and those `all` left out.
pub struct Plan {
    /// The models to run.
    pub chosen: Vec<Chosen>,
    /// `(model, reason)` for every model `--model all` left out.
    pub skipped: Vec<(&'static str, &'static str)>,
}

impl Plan {
    /// Whether a model called `name` (`markov` for any order) runs.
    pub fn runs(&self, name: &str) -> bool {
        self.chosen.iter().any(|c| match c {
            Chosen::Heuristic(h) => h.to_string() == name,
            Chosen::Markov(..) => name == "markov",
        })
    }

    /// The Markov orders that run.
    pub fn markov_orders(&self) -> Vec<usize> {
        self.chosen
            .iter()
            .filter_map(|c| match c {
                Chosen::Markov(_, m) => Some(m.order()),
                Chosen::Heuristic(_) => None,
            })
            .collect()
    }
}

impl Models {
    /// Validates `--model` and every model option.
    pub fn new(args: &AttributeArgs) -> Result<Self, CliError> {
        let known = model_names();
        for name in args.model.iter().map(|n| n.trim()) {
            if !name.eq_ignore_ascii_case("all")
                && !known.iter().any(|n| n.eq_ignore_ascii_case(name))
            {
                return Err(CliError::Input(format!(
                    "unknown model `{name}` (expected one of: {}, or all)",
                    known.join(", ")
                )));
            }
        }
        let heuristics = Heuristic::NAMES
            .iter()
            .map(|name| heuristic(name, args))
            .collect::<Result<_, _>>()?;
        if args.max_steps == Some(0) {
            return Err(invalid("--max-steps", "must be at least 1"));
        }
        let mut orders: Vec<usize> = Vec::new();
        for &k in &args.order {
            if !orders.contains(&k) {
                orders.push(k);
            }
        }
        let markov = orders
            .iter()
            .map(|&k| {
                let label = if orders.len() == 1 {
                    "markov".to_owned()
                } else {
                    format!("markov:order={k}")
                };
                let model = Markov::new(k)
                    .map_err(|e| invalid("--order", e))?
                    .max_steps(args.max_steps)
                    .map_err(|e| invalid("--max-steps", e))?;
                Ok((label, model))
            })
            .collect::<Result<_, CliError>>()?;
        Ok(Self {
            heuristics,
            markov,
            requested: args.model.iter().map(|n| n.trim().to_owned()).collect(),
        })
    }

    /// Whether `--model` asks for a heuristic (`all` does).
    pub fn requests_heuristic(&self) -> bool {
        self.requested
            .iter()
            .any(|n| !n.eq_ignore_ascii_case("markov"))
    }

    /// The models named by `--model`, in the order given (`all`: every
    /// model, time-decay only when the input has timestamps), without
    /// repeats.
    pub fn plan(&self, timed: bool) -> Plan {
        let known = model_names();
        let mut names: Vec<&str> = Vec::new();
        let mut skipped = Vec::new();
        for name in &self.requested {
            if name.eq_ignore_ascii_case("all") {
                for n in &known {
                    if timed || *n != "time-decay" {
                        names.push(n);
                    } else if !skipped.iter().any(|(s, _)| s == n) {
                        skipped.push((*n, NO_TIMESTAMPS));
                    }
                }
            } else if let Some(found) = known.iter().find(|n| n.eq_ignore_ascii_case(name)) {
                names.push(found);
            }
        }
        let mut chosen = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for name in names {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            if name == "markov" {
                chosen.extend(
                    self.markov
                        .iter()
                        .map(|(label, m)| Chosen::Markov(label.clone(), *m)),
                );
            } else if let Some(h) = self.heuristics.iter().find(|h| h.to_string() == name) {
                chosen.push(Chosen::Heuristic(h.clone()));
            }
        }
        // A model asked for by name runs even when `all` skipped it.
        skipped.retain(|(s, _)| !seen.contains(s));
        Plan { chosen, skipped }
    }
}

/// Warns about model options given while their model does not run.
pub fn warn_unused_options(plan: &Plan, given: &Given) {
    for (id, flag, model) in MODEL_OPTIONS {
        if given.has(id) && !plan.runs(model) {
            let why = plan
                .skipped
                .iter()
                .find(|(s, _)| *s == model)
                .map_or_else(String::new, |(_, reason)| format!(" ({reason})"));
            warning(format!(
                "{flag} only applies to the {model} model, which does not run{why}; it is ignored"
            ));
        }
    }
}

fn invalid(flag: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Input(format!("{flag}: {e}"))
}

/// The heuristic called `name`, configured from the options.
fn heuristic(name: &str, args: &AttributeArgs) -> Result<Heuristic, CliError> {
    Ok(match name {
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
    })
}
