//! Runs several models over one stream of journeys: each model with its
//! state, behind the registry's object-safe [`DynModel`] and [`DynState`].

use std::sync::Arc;

use attribution::model::{DynModel, DynState};
use attribution::{Attribution, Channels, Journey, ModelError};

/// A model together with its running state, so that a list of different
/// models can observe the same stream in one pass (and threads can each
/// hold a [`Running::fresh`] copy).
pub struct Running {
    /// The model.
    pub model: Arc<dyn DynModel>,
    /// Its state.
    pub state: Box<dyn DynState>,
}

impl Running {
    /// The model with an empty state.
    pub fn new(model: Arc<dyn DynModel>) -> Self {
        Self {
            state: model.new_state(),
            model,
        }
    }

    /// The same model with an empty state (for another thread).
    pub fn fresh(&self) -> Self {
        Self::new(Arc::clone(&self.model))
    }

    /// Folds one journey into the state.
    pub fn observe(&mut self, journey: &Journey, channels: &Channels) -> Result<(), ModelError> {
        self.model.observe(self.state.as_mut(), journey, channels)
    }

    /// Merges the state of `other`, a running copy of the same model.
    pub fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        self.model.merge(self.state.as_mut(), other.state.as_ref())
    }

    /// Finishes the state (see [`finish`]).
    pub fn finish(&self) -> Result<Attribution, ModelError> {
        finish(self.model.as_ref(), self.state.as_ref())
    }
}

/// Finishes `state`, with the command's warnings about the result (a
/// Markov step cap that removes most of the conversion probability).
pub fn finish(model: &dyn DynModel, state: &dyn DynState) -> Result<Attribution, ModelError> {
    match crate::markov::finish_with_warning(model, state) {
        Some(result) => result,
        None => model.finish(state),
    }
}

/// Why `--model all` leaves a model out when finishing it fails with `e`
/// (a game without an answer on this input, more channels than an exact
/// model enumerates, a conversion model on one outcome class), or `None`
/// when the failure is an error even under `all`.
pub fn skip_reason(e: &ModelError) -> Option<&'static str> {
    match e {
        ModelError::DegenerateGame { .. } => Some(crate::models::DEGENERATE),
        ModelError::TooManyChannels { .. } => Some(crate::models::TOO_MANY_CHANNELS),
        ModelError::OneOutcomeClass { .. } => Some(crate::models::ONE_OUTCOME),
        _ => None,
    }
}

/// Under `--model all`, records `chosen` as left out for `e` (a warning and
/// a `(label, reason)` in `skipped`) when `e` is a reason to leave a model
/// out (see [`skip_reason`]); otherwise `e` is the command's error.
pub fn leave_out(
    chosen: &crate::models::Chosen,
    e: ModelError,
    skipped: &mut Vec<(String, String)>,
) -> Result<(), crate::error::CliError> {
    let Some(reason) = skip_reason(&e).filter(|_| chosen.from_all) else {
        return Err(e.into());
    };
    // A degenerate game's reason says what to use instead; the rest say it themselves.
    let why = match &e {
        ModelError::DegenerateGame { reason, .. } => reason.clone(),
        other => other.to_string(),
    };
    crate::warn::warning(format!("--model all: {} left out: {why}", chosen.label));
    skipped.push((chosen.label.clone(), reason.to_owned()));
    Ok(())
}

/// The labelled results and the models left out (label, reason).
pub type Finished = (Vec<(String, Attribution)>, Vec<(String, String)>);

/// Finishes every model of `plan` (its `running` states, in order): the
/// labelled results, and the models left out (label, reason), with a
/// warning for each model `all` leaves out (see [`skip_reason`]).
pub fn finish_all(
    running: &[Running],
    plan: &crate::models::Plan,
) -> Result<Finished, crate::error::CliError> {
    let mut skipped = plan.skipped.clone();
    let mut results = Vec::with_capacity(running.len());
    for (r, chosen) in running.iter().zip(&plan.chosen) {
        match r.finish() {
            Ok(a) => results.push((chosen.label.clone(), a)),
            Err(e) => leave_out(chosen, e, &mut skipped)?,
        }
    }
    Ok((results, skipped))
}

/// The note naming the models left out, with their reasons (`None` when
/// every model ran).
pub fn not_run(skipped: &[(String, String)]) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let models: Vec<String> = skipped
        .iter()
        .map(|(model, reason)| format!("{model} ({reason})"))
        .collect();
    Some(format!("not run: {}", models.join("; ")))
}
