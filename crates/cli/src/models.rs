//! Turning `--model` specs and the model flags into models, through the
//! registry: no code here knows a particular model. The flags that set
//! model parameters (`--order`, `--half-life`, …) are rows of [`FLAGS`].

use std::sync::Arc;

use attribution::ModelError;
use attribution::assemble::parse_duration;
use attribution::model::{DynModel, ModelFactory, ModelSpec, Registry};
use clap::ValueEnum;

use crate::args::ModelArgs;
use crate::error::CliError;
use crate::given::Given;
use crate::warn::warning;

/// Why `--model all` leaves out a model that needs timestamps.
pub const NO_TIMESTAMPS: &str = "the input has no touch timestamps";

/// Why `--model all` leaves out a game without an answer on the input
/// (the warning gives the model's own explanation).
pub const DEGENERATE: &str = "its game is degenerate on this input, see the warning";

/// Why `--model all` leaves out a model that cannot read frequency tokens
/// (the Markov models under `--transform frequency`).
pub const NO_TOKENS: &str =
    "its states are built from channels, not from the tokens of --transform frequency";

/// Why `--model all` leaves out a model whose cost grows as 2^channels
/// (markov-shapley) on an input with more channels than its cap.
pub const TOO_MANY_CHANNELS: &str =
    "the input has more channels than its max_channels, see the warning";

/// Why `--model all` leaves out a conversion model (dda) on an input with
/// conversions only, or none.
pub const ONE_OUTCOME: &str = "it needs converting and non-converting journeys";

/// Spec assignments a flag makes: one list of `(key, value)` per spec it
/// asks for (`--order 1,2` asks for two).
type Assignments = Vec<Vec<(&'static str, String)>>;

/// A flag that sets parameters of one model: it applies to every spec of
/// that model given as a bare name (or by `all`) and to specs that do not
/// set its keys themselves.
pub struct Flag {
    /// The clap id of the option (see [`Given`]).
    pub id: &'static str,
    /// The flag as typed.
    pub spelling: &'static str,
    /// The model it configures.
    pub model: &'static str,
    /// The spec keys it sets.
    pub keys: &'static [&'static str],
    /// The assignments of the flag's value; `Err` for a value the flag
    /// itself cannot read (the message follows the flag's name).
    pub values: fn(&ModelArgs) -> Result<Assignments, String>,
}

/// Every model flag, in the order warnings name them.
pub const FLAGS: [Flag; 12] = [
    Flag {
        id: "direct",
        spelling: "--direct",
        model: "last-non-direct",
        keys: &["direct"],
        values: direct,
    },
    Flag {
        id: "linear",
        spelling: "--linear",
        model: "linear",
        keys: &["split"],
        values: |a| {
            let split = a
                .linear
                .to_possible_value()
                .map(|v| v.get_name().to_owned())
                .unwrap_or_default();
            Ok(vec![vec![("split", split)]])
        },
    },
    Flag {
        id: "position_weights",
        spelling: "--position-weights",
        model: "position-based",
        keys: &["first", "last"],
        values: position_weights,
    },
    Flag {
        id: "half_life",
        spelling: "--half-life",
        model: "time-decay",
        keys: &["half_life"],
        values: |a| {
            parse_duration(&a.half_life).map_err(|e| e.to_string())?;
            Ok(vec![vec![("half_life", a.half_life.clone())]])
        },
    },
    Flag {
        id: "decay_rate",
        spelling: "--decay-rate",
        model: "position-decay",
        keys: &["rate"],
        values: |a| Ok(vec![vec![("rate", a.decay_rate.to_string())]]),
    },
    Flag {
        id: "order",
        spelling: "--order",
        model: "markov",
        keys: &["order"],
        values: |a| {
            let mut orders: Vec<usize> = Vec::new();
            for &k in &a.order {
                if !orders.contains(&k) {
                    orders.push(k);
                }
            }
            Ok(orders
                .iter()
                .map(|k| vec![("order", k.to_string())])
                .collect())
        },
    },
    Flag {
        id: "max_steps",
        spelling: "--max-steps",
        model: "markov",
        keys: &["max_steps"],
        values: |a| match a.max_steps {
            Some(0) => Err("must be at least 1".to_owned()),
            Some(n) => Ok(vec![vec![("max_steps", n.to_string())]]),
            None => Ok(vec![vec![("max_steps", "none".to_owned())]]),
        },
    },
    Flag {
        id: "shapley_value",
        spelling: "--shapley-value",
        model: "shapley-rate",
        keys: &["value"],
        values: |a| Ok(vec![vec![("value", value_name(&a.shapley_value))]]),
    },
    Flag {
        id: "shapley_max_channels",
        spelling: "--shapley-max-channels",
        model: "shapley-rate",
        keys: &["max_channels"],
        values: |a| {
            Ok(vec![vec![(
                "max_channels",
                a.shapley_max_channels.to_string(),
            )]])
        },
    },
    Flag {
        id: "shapley_keep",
        spelling: "--shapley-keep",
        model: "shapley-rate",
        keys: &["keep"],
        values: |a| Ok(vec![vec![("keep", value_name(&a.shapley_keep))]]),
    },
    Flag {
        id: "max_position",
        spelling: "--max-position",
        model: "shapley-ordered",
        keys: &["max_position"],
        values: |a| Ok(vec![vec![("max_position", a.max_position.to_string())]]),
    },
    Flag {
        id: "shao_normalise",
        spelling: "--shao-normalise",
        model: "shao-li",
        keys: &["normalise"],
        values: |a| {
            let normalise = a
                .shao_normalise
                .to_possible_value()
                .map(|v| v.get_name().to_owned())
                .unwrap_or_default();
            Ok(vec![vec![("normalise", normalise)]])
        },
    },
];

/// The name clap gives a value of a `ValueEnum` flag.
fn value_name(value: &impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

/// `--direct`: the names as a `|` list (`\` escapes `|` and `\`). A lone
/// empty name stays an error, as every empty name is (an empty list would
/// mean no direct channel).
fn direct(a: &ModelArgs) -> Result<Assignments, String> {
    let mut list = a
        .direct
        .iter()
        .map(|name| name.replace('\\', r"\\").replace('|', r"\|"))
        .collect::<Vec<_>>()
        .join("|");
    if a.direct.len() == 1 && list.trim().is_empty() {
        list.push('|');
    }
    Ok(vec![vec![("direct", list)]])
}

/// `--position-weights FIRST,LAST`.
fn position_weights(a: &ModelArgs) -> Result<Assignments, String> {
    let text = &a.position_weights;
    let (first, last) = text
        .split_once(',')
        .map(|(f, l)| (f.trim(), l.trim()))
        .filter(|(f, l)| f.parse::<f64>().is_ok() && l.parse::<f64>().is_ok())
        .ok_or_else(|| format!("expected FIRST,LAST, got `{text}`"))?;
    Ok(vec![vec![
        ("first", first.to_owned()),
        ("last", last.to_owned()),
    ]])
}

/// The canonical key `key` (as written in a spec of `factory`'s model)
/// stands for: itself when the model documents it, else the one documented
/// key that builds the same model from the same value (an alias such as
/// `ratio` for `rate`).
fn canonical_key(factory: &dyn ModelFactory, key: &str, value: &str) -> Option<&'static str> {
    let docs = factory.params();
    if let Some(doc) = docs.iter().find(|d| d.key == key) {
        return Some(doc.key);
    }
    let spec_of = |k: &str| {
        factory
            .build(&ModelSpec::new(factory.name()).with(k, value))
            .ok()
            .map(|m| m.spec())
    };
    let aliased = spec_of(key)?;
    let mut matching = docs
        .iter()
        .filter(|d| spec_of(d.key).as_ref() == Some(&aliased));
    match (matching.next(), matching.next()) {
        (Some(doc), None) => Some(doc.key),
        _ => None,
    }
}

/// What `--model` asks for, in order.
enum Request {
    /// `all`: every model of the registry.
    All,
    /// One spec as given.
    Spec(ModelSpec),
}

/// Splits `--model` values into spec texts: on commas not escaped by `\`,
/// where a piece holding `=` but no `:` continues the previous spec
/// (`linear,markov:order=2,max_steps=5` is two specs).
pub fn split_specs(values: &[String]) -> Vec<String> {
    let mut specs: Vec<String> = Vec::new();
    for value in values {
        let mut pieces: Vec<String> = vec![String::new()];
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            let Some(piece) = pieces.last_mut() else {
                break;
            };
            match c {
                '\\' => {
                    piece.push('\\');
                    if let Some(next) = chars.next() {
                        piece.push(next);
                    }
                }
                ',' => pieces.push(String::new()),
                c => piece.push(c),
            }
        }
        let mut first = true;
        for piece in pieces {
            let continues = piece.contains('=') && !piece.contains(':');
            match specs.last_mut() {
                Some(last) if continues && !first => {
                    last.push(',');
                    last.push_str(&piece);
                }
                _ => specs.push(piece),
            }
            first = false;
        }
    }
    specs
}

/// A model chosen to run.
pub struct Chosen {
    /// The model.
    pub model: Arc<dyn DynModel>,
    /// Its canonical spec.
    pub spec: ModelSpec,
    /// Its name in the output: the model's name, or the name and the
    /// parameters that differ when several specs of the model run.
    pub label: String,
    /// Whether only `--model all` asked for it (not a spec by name): such
    /// a model is left out, with a warning, when its game is degenerate on
    /// the input.
    pub from_all: bool,
}

/// The models that run, in the order given, and those `all` left out.
pub struct Plan {
    /// The models to run.
    pub chosen: Vec<Chosen>,
    /// `(model, reason)` for every model `--model all` left out.
    pub skipped: Vec<(String, String)>,
}

impl Plan {
    /// Whether a model called `name` runs (with any parameters).
    pub fn runs(&self, name: &str) -> bool {
        self.chosen.iter().any(|c| c.spec.name == name)
    }
}

/// The output label of each spec: its name, then the parameters that
/// differ from the model's defaults or among the specs of that name, in
/// the spec's (the registry's) key order: `dda:value=logit-pairwise`,
/// `markov:order=1` and `markov:order=2` when both run. The run's path
/// transforms (one list for every model) are left out unless the specs of
/// a name differ in them.
pub fn labels(specs: &[ModelSpec], registry: &Registry) -> Vec<String> {
    let transform = attribution::transform::TRANSFORM_KEY;
    specs
        .iter()
        .map(|spec| {
            let same: Vec<&ModelSpec> = specs.iter().filter(|s| s.name == spec.name).collect();
            let defaults = registry
                .build(&ModelSpec::new(spec.name.as_str()))
                .map(|m| m.spec())
                .ok();
            let differing = spec
                .params
                .iter()
                .filter(|(k, v)| {
                    let from_default = k != transform
                        && defaults
                            .as_ref()
                            .is_some_and(|d| d.get(k) != Some(v.as_str()));
                    from_default || same.iter().any(|s| s.get(k) != Some(v.as_str()))
                })
                .cloned()
                .collect();
            ModelSpec {
                name: spec.name.clone(),
                params: differing,
            }
            .to_string()
        })
        .collect()
}

/// The models `--model` asks for, validated with every model flag before
/// anything is read.
pub struct Models<'r> {
    registry: &'r Registry,
    /// `--transform`, added to every spec without its own `transform` key.
    transforms: attribution::transform::Transforms,
    requests: Vec<Request>,
    /// For every flag given on the command line: its assignments.
    flags: Vec<(&'static Flag, Assignments)>,
}

impl<'r> Models<'r> {
    /// Parses `--model` and validates every model flag given (an invalid
    /// value is an error even for a model that does not run).
    pub fn new(args: &ModelArgs, given: &Given, registry: &'r Registry) -> Result<Self, CliError> {
        let mut requests = Vec::new();
        for text in split_specs(&args.model) {
            if text.trim().eq_ignore_ascii_case("all") {
                requests.push(Request::All);
                continue;
            }
            let spec: ModelSpec = text.parse()?;
            if registry.factory(&spec.name).is_none() {
                return Err(ModelError::UnknownModel {
                    name: spec.name,
                    known: registry.names().iter().map(|&n| n.to_owned()).collect(),
                }
                .into());
            }
            requests.push(Request::Spec(spec));
        }
        let mut flags = Vec::new();
        for flag in &FLAGS {
            if !given.has(flag.id) {
                continue;
            }
            let invalid =
                |e: &dyn std::fmt::Display| CliError::Input(format!("{}: {e}", flag.spelling));
            let assignments = (flag.values)(args).map_err(|e| invalid(&e))?;
            if let Some(factory) = registry.factory(flag.model) {
                for assignment in &assignments {
                    let mut spec = ModelSpec::new(flag.model);
                    for (key, value) in assignment {
                        spec = spec.with(*key, value.clone());
                    }
                    factory.build(&spec).map_err(|e| invalid(&e))?;
                }
            }
            flags.push((flag, assignments));
        }
        let transforms = attribution::transform::Transforms::parse(&args.transform)?;
        let models = Self {
            registry,
            transforms,
            requests,
            flags,
        };
        // Specs that do not build are errors before anything is read.
        for request in &models.requests {
            if let Request::Spec(spec) = request {
                models.expand(spec)?;
            }
        }
        Ok(models)
    }

    /// Whether `--model` asks for a model that gives per-journey credit
    /// (`all` does when the registry has one).
    pub fn requests_per_journey(&self) -> bool {
        let gives = |spec: &ModelSpec| {
            self.expand(spec).is_ok_and(|models| {
                models
                    .iter()
                    .any(|m| crate::per_journey::gives_journey_credit(m.as_ref()))
            })
        };
        self.requests.iter().any(|r| match r {
            Request::All => self
                .registry
                .names()
                .iter()
                .any(|n| gives(&ModelSpec::new(*n))),
            Request::Spec(spec) => gives(spec),
        })
    }

    /// The models of `spec` with the flags applied: one per assignment of
    /// the flags of its model (a key the spec sets wins over the flag).
    fn expand(&self, spec: &ModelSpec) -> Result<Vec<Box<dyn DynModel>>, CliError> {
        let factory = self.registry.factory(&spec.name).ok_or_else(|| {
            CliError::from(ModelError::UnknownModel {
                name: spec.name.clone(),
                known: self
                    .registry
                    .names()
                    .iter()
                    .map(|&n| n.to_owned())
                    .collect(),
            })
        })?;
        let explicit: Vec<&'static str> = spec
            .params
            .iter()
            .filter_map(|(k, v)| canonical_key(factory, k, v))
            .collect();
        let mut variants: Vec<Vec<(String, String)>> = vec![Vec::new()];
        for (flag, assignments) in &self.flags {
            if !flag.model.eq_ignore_ascii_case(&spec.name)
                || flag.keys.iter().all(|k| explicit.contains(k))
            {
                continue;
            }
            let mut next = Vec::with_capacity(variants.len() * assignments.len());
            for variant in &variants {
                for assignment in assignments {
                    let mut v = variant.clone();
                    v.extend(
                        assignment
                            .iter()
                            .filter(|(k, _)| !explicit.contains(k))
                            .map(|(k, value)| ((*k).to_owned(), value.clone())),
                    );
                    next.push(v);
                }
            }
            variants = next;
        }
        variants
            .into_iter()
            .map(|flagged| {
                let mut full = spec.clone();
                full.params.extend(flagged);
                let key = attribution::transform::TRANSFORM_KEY;
                if !self.transforms.is_identity() && full.get(key).is_none() {
                    full = full.with(key, self.transforms.spec_value());
                }
                // The registry takes the `transform` key off for the factory.
                self.registry.build(&full).map_err(CliError::from)
            })
            .collect()
    }

    /// The models named by `--model`, in the order given (`all`: every
    /// model of the registry, those that need timestamps only when the
    /// input has them), without repeats.
    pub fn plan(&self, timed: bool) -> Result<Plan, CliError> {
        let mut models: Vec<(Box<dyn DynModel>, bool)> = Vec::new();
        let mut skipped: Vec<(String, String)> = Vec::new();
        for request in &self.requests {
            match request {
                Request::All => {
                    for name in self.registry.names() {
                        // `--transform frequency`: the Markov models
                        // cannot build states from tokens.
                        if self.transforms.makes_tokens()
                            && !self
                                .registry
                                .build(&ModelSpec::new(name))?
                                .supports_tokens()
                        {
                            skipped.push((name.to_owned(), NO_TOKENS.to_owned()));
                            continue;
                        }
                        for model in self.expand(&ModelSpec::new(name))? {
                            if timed || !model.requires_timestamps() {
                                models.push((model, true));
                            } else if !skipped.iter().any(|(s, _)| s == name) {
                                skipped.push((name.to_owned(), NO_TIMESTAMPS.to_owned()));
                            }
                        }
                    }
                }
                Request::Spec(spec) => {
                    models.extend(self.expand(spec)?.into_iter().map(|m| (m, false)));
                }
            }
        }
        let mut unique: Vec<(ModelSpec, Box<dyn DynModel>, bool)> = Vec::new();
        for (model, from_all) in models {
            let spec = model.spec();
            match unique.iter_mut().find(|(s, _, _)| *s == spec) {
                // Asked for by name too: not only by `all`.
                Some(seen) => seen.2 &= from_all,
                None => unique.push((spec, model, from_all)),
            }
        }
        // A model asked for by name runs even when `all` skipped it.
        skipped.retain(|(s, _)| !unique.iter().any(|(spec, _, _)| spec.name == *s));
        let specs: Vec<ModelSpec> = unique.iter().map(|(s, _, _)| s.clone()).collect();
        let chosen = unique
            .into_iter()
            .zip(labels(&specs, self.registry))
            .map(|((spec, model, from_all), label)| Chosen {
                model: Arc::from(model),
                spec,
                label,
                from_all,
            })
            .collect();
        Ok(Plan { chosen, skipped })
    }
}

/// Warns about model flags given while their model does not run.
pub fn warn_unused_options(plan: &Plan, given: &Given) {
    for flag in &FLAGS {
        if given.has(flag.id) && !plan.runs(flag.model) {
            let why = plan
                .skipped
                .iter()
                .find(|(s, _)| s == flag.model)
                .map_or_else(String::new, |(_, reason)| format!(" ({reason})"));
            warning(format!(
                "{} only applies to the {} model, which does not run{why}; it is ignored",
                flag.spelling, flag.model
            ));
        }
    }
}

/// The models section of `attribute --help`, from the registry: each
/// model's name and summary, then its keys with their defaults, what they
/// mean, and the flag that sets them.
pub fn models_help(registry: &Registry) -> String {
    let mut text = String::from(
        "Models (--model SPEC, repeated or comma-separated, or `all`); SPEC is \
         NAME[:KEY=VALUE,...],\nkeys with `-` or `_`, `\\` escaping a comma in a value; \
         keys and their defaults:\n",
    );
    for factory in registry.factories() {
        wrap(
            &mut text,
            &format!("  {:<16} {}", factory.name(), factory.summary()),
            19,
        );
        for doc in factory.params() {
            let flags: Vec<&str> = FLAGS
                .iter()
                .filter(|f| f.model == factory.name() && f.keys.contains(&doc.key))
                .map(|f| f.spelling)
                .collect();
            let flag = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join(", "))
            };
            let key = format!("{}={}", doc.key, doc.default);
            wrap(&mut text, &format!("    {key:<16} {}{flag}", doc.doc), 21);
        }
    }
    text.push_str(
        "A flag in [brackets] sets its key on every spec of the model that does not set it \
         itself\n(a KEY=VALUE in a spec wins); `--order 1,2,3` runs one markov model per order. \
         Several\nspecs of one model are labelled NAME:KEY=VALUE by the parameters that differ \
         (markov:order=2).\nMarkov credit = total × RE_c / Σ RE; the CSV's removal_effect column \
         holds RE_c.\n",
    );
    text
}

/// Help lines are wrapped at this width (clap does not indent the lines it
/// wraps).
const HELP_WIDTH: usize = 92;

/// Appends `line` to `text`, wrapped at [`HELP_WIDTH`] on spaces, the
/// continuation lines indented by `indent`.
fn wrap(text: &mut String, line: &str, indent: usize) {
    let mut width = 0;
    for (i, word) in line.split(' ').enumerate() {
        let len = word.chars().count();
        if i > 0 && width + 1 + len > HELP_WIDTH && !word.is_empty() {
            text.push('\n');
            text.push_str(&" ".repeat(indent));
            width = indent;
        } else if i > 0 {
            text.push(' ');
            width += 1;
        }
        text.push_str(word);
        width += len;
    }
    text.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_split_on_commas_and_continue_on_key_value_pieces() {
        let split =
            |v: &[&str]| split_specs(&v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            split(&["linear,markov:order=2,max_steps=5"]),
            ["linear", "markov:order=2,max_steps=5"]
        );
        assert_eq!(
            split(&[
                "markov:order=3",
                "position-based:first=0.3,last=0.3,first-touch"
            ]),
            [
                "markov:order=3",
                "position-based:first=0.3,last=0.3",
                "first-touch"
            ]
        );
        assert_eq!(
            split(&[r"last-non-direct:direct=A\,B|C,linear"]),
            [r"last-non-direct:direct=A\,B|C", "linear"]
        );
        // A piece with `=` at the start of a value starts nothing.
        assert_eq!(split(&["x=1"]), ["x=1"]);
        assert_eq!(split(&[""]), [""]);
    }

    #[test]
    fn labels_name_the_parameters_that_differ() {
        let specs: Vec<ModelSpec> = [
            "markov:order=1,max_steps=none,self_loops=false",
            "linear:split=touch",
            "markov:order=2,max_steps=none,self_loops=false",
            "markov:order=2,max_steps=5,self_loops=false",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        assert_eq!(
            labels(&specs, &Registry::builtin()),
            [
                "markov:order=1,max_steps=none",
                "linear",
                "markov:order=2,max_steps=none",
                "markov:order=2,max_steps=5"
            ]
        );
        // A lone spec names what differs from the defaults, in key order.
        let specs: Vec<ModelSpec> = [
            "dda:value=logit-pairwise,baseline=zero,credit=realised,lambda=1,prior_weight=10,\
             max_channels=16",
            "markov:order=2,max_steps=none,self_loops=false,transform=exposure",
            "linear:split=touch",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        assert_eq!(
            labels(&specs, &Registry::builtin()),
            [
                "dda:value=logit-pairwise,baseline=zero",
                "markov:order=2",
                "linear"
            ]
        );
    }

    #[test]
    fn aliases_resolve_to_their_documented_keys() {
        let registry = Registry::builtin();
        let decay = registry.factory("position-decay").unwrap();
        assert_eq!(canonical_key(decay, "ratio", "0.5"), Some("rate"));
        assert_eq!(canonical_key(decay, "rate", "0.5"), Some("rate"));
        let markov = registry.factory("markov").unwrap();
        assert_eq!(
            canonical_key(markov, "keep_self_loops", "false"),
            Some("self_loops")
        );
        assert_eq!(canonical_key(markov, "bogus", "1"), None);
    }
}
