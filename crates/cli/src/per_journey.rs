//! `--per-journey FILE`: every converting journey's credit per model, so that
//! credit can be joined back to leads. A journey is named by its id and, for
//! a user with several journeys built from an event log, its journey index
//! (a separate column, so that ids stay exactly the user ids).

use std::io::Write;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use attribution::model::DynModel;
use attribution::numeric::count_to_f64;
use attribution::{ChannelId, Channels, Journey, ModelError};

use crate::error::CliError;
use crate::models::Plan;
use crate::warn::warning;

/// The per-journey CSV being written:
/// `journey_id,journey_index,model,channel,conversions,value`.
pub struct PerJourney {
    writer: csv::Writer<Box<dyn Write>>,
    path: PathBuf,
    /// The models giving per-journey credit, with their output labels.
    models: Vec<(String, Arc<dyn DynModel>)>,
    /// Journeys seen so far (converting or not): the position of the next.
    journeys: u64,
}

impl PerJourney {
    /// Creates `path` and writes the header.
    pub fn create(path: &Path) -> Result<Self, CliError> {
        let out = crate::open_output(Some(path))?;
        let mut this = Self {
            writer: csv::Writer::from_writer(out),
            path: path.to_owned(),
            models: Vec::new(),
            journeys: 0,
        };
        this.writer
            .write_record([
                "journey_id",
                "journey_index",
                "model",
                "channel",
                "conversions",
                "value",
            ])
            .map_err(|e| this.failed(e))?;
        Ok(this)
    }

    /// Takes the models of `plan` that give per-journey credit in one pass
    /// ([`gives_journey_credit`]: the heuristics); warns that the others
    /// (Markov, Shao & Li, whose credit needs the fit of the whole input)
    /// are left out. An error
    /// when no model of the plan gives per-journey credit (callers check
    /// [`Models::requests_per_journey`](crate::models::Models::requests_per_journey)
    /// before reading, so this is a safeguard).
    pub fn choose(&mut self, plan: &Plan) -> Result<(), CliError> {
        let mut markov: Vec<String> = Vec::new();
        self.models = Vec::new();
        for chosen in &plan.chosen {
            if gives_journey_credit(chosen.model.as_ref()) {
                self.models
                    .push((chosen.label.clone(), Arc::clone(&chosen.model)));
            } else {
                markov.push(chosen.label.clone());
            }
        }
        if self.models.is_empty() {
            return Err(no_model());
        }
        if !markov.is_empty() {
            warning(format!(
                "--per-journey: {} left out of `{}` (their credit is not defined journey by \
                 journey in one pass: Markov, Shao & Li, dda and leave-one-out need the model \
                 fitted on the whole input, shapley-rate and shapley-exact-set are games over \
                 whole channel sets, markov-shapley a game over the whole chain)",
                markov.join(", "),
                self.path.display()
            ));
        }
        Ok(())
    }

    /// Writes the credit of `journey` (the next in input order) under every
    /// model: one row per distinct channel, in order of first touch, shares
    /// of 0 included. Non-converting journeys give no credit and no rows.
    pub fn journey(&mut self, journey: &Journey, channels: &Channels) -> Result<(), CliError> {
        let position = self.journeys;
        self.journeys += 1;
        if journey.conversions() == 0 {
            return Ok(());
        }
        let id = journey
            .id()
            .map_or_else(|| (position + 1).to_string(), str::to_owned);
        let index = journey
            .journey_index()
            .map(|i| i.to_string())
            .unwrap_or_default();
        let conversions = count_to_f64(journey.conversions());
        let value = journey.value();
        for (name, model) in &self.models {
            let shares = model
                .journey_credit(journey, channels, None)
                .map_err(|e| {
                    CliError::from(e.at_journey(usize::try_from(position).unwrap_or(usize::MAX)))
                })?
                .map(|credit| credit.shares)
                .unwrap_or_default();
            for (channel, share) in shares {
                let record = [
                    id.as_str(),
                    index.as_str(),
                    name.as_str(),
                    channels.name(channel).unwrap_or_default(),
                    &(share * conversions).to_string(),
                    &(share * value).to_string(),
                ];
                if let Err(e) = self.writer.write_record(record) {
                    return Err(self.failed(e));
                }
            }
        }
        Ok(())
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<(), CliError> {
        self.writer.flush().map_err(|e| self.failed(e))
    }

    fn failed(&self, e: impl std::fmt::Display) -> CliError {
        CliError::Other(format!("cannot write `{}`: {e}", self.path.display()))
    }
}

/// Whether `model` gives per-journey credit without a fit (in the one pass
/// that writes the file): probed on a one-touch converting journey. A model
/// that needs data the probe lacks (time decay: timestamps) does; one whose
/// credit depends on the fit (Markov) answers `None`.
pub fn gives_journey_credit(model: &dyn DynModel) -> bool {
    let mut channels = Channels::new();
    let probe = channels
        .intern("probe")
        .ok()
        .and_then(|id: ChannelId| Journey::from_channels(&[id], 1, 0, 1.0).ok());
    probe.is_some_and(|journey| {
        !matches!(
            model.journey_credit(&journey, &channels, None),
            Ok(None) | Err(ModelError::NoJourneyCredit { .. })
        )
    })
}

/// The error of `--per-journey` with Markov models only.
pub fn no_model() -> CliError {
    CliError::Input(
        "--per-journey: no model that runs gives per-journey credit (markov has none: its \
         removal effects belong to the whole chain; nor has markov-shapley, a game over the \
         whole chain); add a heuristic model to --model"
            .to_owned(),
    )
}
