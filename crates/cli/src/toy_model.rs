//! A toy model added the way CONTRIBUTING.md describes, to show that a new
//! model needs no code in the command: one file implementing `Model` and
//! `ModelFactory`, one `register` line, and `--model toy:first=0.25` runs it
//! through the `attribute`, `state` and `merge` commands (spec parsing,
//! registry, observe/merge/finish, output writer).
//!
//! The model, `toy:first=F`: a converting journey gives the share F of its
//! conversions and value to its first touch and 1 − F to its last (a
//! one-touch journey gives everything to its touch).

// `DynModel` is named by path: importing it next to `Model` makes method
// calls on `Toy` ambiguous (both traits have `spec`, `parameters`, ...).
use attribution::model::Fitted;
use attribution::model::{ModelFactory, ModelSpec, ParamDoc, Registry};
use attribution::numeric::count_to_f64;
use attribution::{
    Attribution, ChannelCredit, ChannelId, Channels, Journey, JourneyCredit, Merge, Model,
    ModelError,
};
use serde::{Deserialize, Serialize};

/// The model: a validated configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Toy {
    first: f64,
}

impl Toy {
    /// The parameters, in canonical order.
    pub const PARAMS: &'static [ParamDoc] = &[ParamDoc {
        key: "first",
        default: "0.5",
        doc: "the share of the first touch (the last touch gets the rest)",
    }];

    /// Validates the configuration: construction is the only check.
    pub fn new(first: f64) -> Result<Self, ModelError> {
        if !(0.0..=1.0).contains(&first) {
            return Err(ModelError::InvalidParameter {
                name: "first",
                value: first.to_string(),
                reason: "the share of the first touch must be in [0, 1]",
            });
        }
        Ok(Self { first })
    }
}

/// The state: the spec and channel names it carries, and sums per channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToyState {
    spec: ModelSpec,
    channels: Channels,
    /// `(conversions, value)` per channel of `channels` (possibly shorter).
    credit: Vec<(f64, f64)>,
    conversions: f64,
    value: f64,
}

impl ToyState {
    fn add(&mut self, index: usize, conversions: f64, value: f64) {
        if self.credit.len() <= index {
            self.credit.resize(index + 1, (0.0, 0.0));
        }
        if let Some(entry) = self.credit.get_mut(index) {
            entry.0 += conversions;
            entry.1 += value;
        }
    }
}

impl Merge for ToyState {
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn channels(&self) -> &Channels {
        &self.channels
    }

    fn extend_channels(&mut self, channels: &Channels) -> Result<(), ModelError> {
        let known = self.channels.len();
        if channels.len() <= known {
            return Ok(());
        }
        if let Some(last) = known.checked_sub(1).and_then(ChannelId::from_index) {
            let (state, table) = (self.channels.name(last), channels.name(last));
            if state != table {
                return Err(ModelError::ChannelMismatch {
                    index: last.index(),
                    state: state.unwrap_or_default().to_owned(),
                    table: table.unwrap_or_default().to_owned(),
                });
            }
        }
        for (_, name) in channels.iter().skip(known) {
            self.channels
                .intern(name)
                .map_err(|_| mismatch(&self.spec, &self.spec))?;
        }
        Ok(())
    }

    fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        if self.spec != other.spec {
            return Err(mismatch(&self.spec, &other.spec));
        }
        // By name: other's channels get this state's indices (new ones are
        // appended in other's order); on error `self` is unchanged.
        let mut merged = self.clone();
        for (id, name) in other.channels.iter() {
            let mine = merged
                .channels
                .intern(name)
                .map_err(|_| mismatch(&self.spec, &other.spec))?;
            let (conversions, value) = other.credit.get(id.index()).copied().unwrap_or_default();
            merged.add(mine.index(), conversions, value);
        }
        merged.conversions += other.conversions;
        merged.value += other.value;
        *self = merged;
        Ok(())
    }
}

fn mismatch(left: &ModelSpec, right: &ModelSpec) -> ModelError {
    ModelError::IncompatibleStates {
        left: left.to_string(),
        right: right.to_string(),
    }
}

/// What fitting the toy gives: its attribution (it learns nothing else).
pub struct ToyFit(Attribution);

impl Fitted for ToyFit {
    fn attribution(&self) -> &Attribution {
        &self.0
    }

    fn into_attribution(self) -> Attribution {
        self.0
    }
}

impl Toy {
    /// The shares of the journey's distinct channels, in order of first
    /// touch: `first` to the first touch's channel, the rest to the last
    /// touch's (everything when they are the same channel), 0 to the others.
    fn shares(
        &self,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<Vec<(ChannelId, f64)>, ModelError> {
        let (Some(first), Some(last)) = (journey.first(), journey.last()) else {
            return Ok(Vec::new());
        };
        let mut shares: Vec<(ChannelId, f64)> = Vec::new();
        for channel in journey.channels() {
            if !channels.contains(channel) {
                return Err(ModelError::UnknownChannel {
                    id: channel.get(),
                    len: channels.len(),
                });
            }
            if !shares.iter().any(|(c, _)| *c == channel) {
                shares.push((channel, 0.0));
            }
        }
        for (channel, share) in &mut shares {
            if *channel == first.channel {
                *share += self.first;
            }
            if *channel == last.channel {
                *share += 1.0 - self.first;
            }
        }
        Ok(shares)
    }
}

impl Model for Toy {
    type State = ToyState;
    type Fitted = ToyFit;

    fn name(&self) -> &'static str {
        "toy"
    }

    fn spec(&self) -> ModelSpec {
        ModelSpec::new("toy").with("first", self.first.to_string())
    }

    fn new_state(&self) -> ToyState {
        ToyState {
            spec: Model::spec(self),
            channels: Channels::new(),
            credit: Vec::new(),
            conversions: 0.0,
            value: 0.0,
        }
    }

    fn observe(
        &self,
        state: &mut ToyState,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        self.observe_weighted(state, journey, channels, 1.0)
    }

    fn observe_weighted(
        &self,
        state: &mut ToyState,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(ModelError::InvalidParameter {
                name: "weight",
                value: weight.to_string(),
                reason: "a journey weight must be a finite, non-negative number",
            });
        }
        state.extend_channels(channels)?;
        if journey.conversions() == 0 {
            return Ok(());
        }
        let conversions = weight * count_to_f64(journey.conversions());
        let value = weight * journey.value();
        for (channel, share) in self.shares(journey, channels)? {
            state.add(channel.index(), share * conversions, share * value);
        }
        state.conversions += conversions;
        state.value += value;
        Ok(())
    }

    fn fit(&self, state: &ToyState) -> Result<ToyFit, ModelError> {
        if state.spec != Model::spec(self) {
            return Err(ModelError::WrongState {
                model: Model::spec(self).to_string(),
                state: Some(state.spec.to_string()),
            });
        }
        let credits = state
            .channels
            .iter()
            .map(|(id, name)| {
                let (conversions, value) =
                    state.credit.get(id.index()).copied().unwrap_or_default();
                ChannelCredit::new(id, name, conversions, value)
            })
            .collect();
        Ok(ToyFit(Attribution::new(
            "toy",
            self.parameters(),
            credits,
            state.conversions,
            state.value,
        )))
    }

    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        _fitted: Option<&ToyFit>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        if journey.conversions() == 0 {
            return Ok(None);
        }
        Ok(Some(JourneyCredit {
            journey: 0,
            shares: self.shares(journey, channels)?,
            baseline: 0.0,
        }))
    }
}

/// The factory: the model's name, summary and keys, and `build`.
pub struct ToyFactory;

impl ModelFactory for ToyFactory {
    fn name(&self) -> &'static str {
        "toy"
    }

    fn summary(&self) -> &'static str {
        "the share `first` to the first touch, the rest to the last"
    }

    fn params(&self) -> &'static [ParamDoc] {
        Toy::PARAMS
    }

    fn build(&self, spec: &ModelSpec) -> Result<Box<dyn attribution::model::DynModel>, ModelError> {
        let mut first = 0.5;
        for (key, value) in &spec.params {
            if key != "first" {
                return Err(ModelError::UnknownParameter {
                    model: "toy".to_owned(),
                    key: key.clone(),
                    known: vec!["first".to_owned()],
                });
            }
            first = value
                .trim()
                .parse()
                .map_err(|_| ModelError::InvalidParameter {
                    name: "first",
                    value: value.clone(),
                    reason: "expected a number in [0, 1]",
                })?;
        }
        Ok(Box::new(Toy::new(first)?))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use clap::FromArgMatches;

    use super::*;
    use crate::args::{Cli, command};

    const PATHS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/tiny/paths.csv"
    );

    /// The registry of the command plus the toy: the one line a new model
    /// of this crate adds to `Registry::builtin()`.
    fn registry() -> Registry {
        let mut registry = Registry::builtin();
        registry.register(ToyFactory).unwrap();
        registry
    }

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("attribution-toy-{}-{name}", std::process::id()))
    }

    /// Runs the command line `args` as `main` does, with `registry`.
    fn run(registry: &Registry, args: &[&str]) -> Result<(), crate::error::CliError> {
        let matches = command(registry)
            .try_get_matches_from(std::iter::once("attribution").chain(args.iter().copied()))
            .unwrap();
        let cli = Cli::from_arg_matches(&matches).unwrap();
        crate::dispatch(cli, &matches, registry)
    }

    #[test]
    fn a_registered_model_runs_through_attribute_state_and_merge() {
        let registry = registry();
        let out = temp("attribute.csv");
        let out_text = out.to_str().unwrap();
        let models = ["--model", "toy:first=0.25", "--model", "toy"];
        run(
            &registry,
            &[
                &["attribute", PATHS][..],
                &models,
                &["--format", "csv", "-o", out_text],
            ]
            .concat(),
        )
        .unwrap();
        let expected = "model,channel,conversions,value,removal_effect\n\
                        toy:first=0.25,PPC,1,105,\n\
                        toy:first=0.25,LandingPage,0,0,\n\
                        toy:first=0.25,Email,0.25,15,\n\
                        toy:first=0.25,LinkedIn,2.75,240,\n\
                        toy:first=0.5,PPC,1,110,\n\
                        toy:first=0.5,LandingPage,0,0,\n\
                        toy:first=0.5,Email,0.5,30,\n\
                        toy:first=0.5,LinkedIn,2.5,220,\n";
        assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);

        // Its states go to a file and merge back.
        let state = temp("toy.state");
        let state_text = state.to_str().unwrap();
        run(
            &registry,
            &[&["state", PATHS][..], &models, &["-o", state_text]].concat(),
        )
        .unwrap();
        let merged = temp("merged.csv");
        let merged_text = merged.to_str().unwrap();
        run(
            &registry,
            &["merge", state_text, "--format", "csv", "-o", merged_text],
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&merged).unwrap(), expected);
        // A registry without the toy cannot read its states.
        let e = run(
            &Registry::builtin(),
            &["merge", state_text, "--format", "csv", "-o", merged_text],
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with(&format!(
                "{state_text}: unknown model `toy` (known models: "
            )),
            "{e}"
        );
        for file in [out, state, merged] {
            std::fs::remove_file(file).unwrap();
        }
    }

    #[test]
    fn its_spec_errors_and_help_come_from_its_factory() {
        let registry = registry();
        let e = run(&registry, &["attribute", PATHS, "--model", "toy:last=1"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model `toy` has no parameter `last` (its parameters: first)"
        );
        let e = run(&registry, &["attribute", PATHS, "--model", "toy:first=2"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid parameter `first` = 2: the share of the first touch must be in [0, 1]"
        );
        assert_eq!(e.exit_code(), 2);
        let mut cmd = command(&registry);
        let help = cmd
            .find_subcommand_mut("attribute")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(
            help.contains(
                "  toy              the share `first` to the first touch, the rest to the last\n    \
                 first=0.5        the share of the first touch (the last touch gets the rest)\n"
            ),
            "{help}"
        );
    }
}
