//! [`DdaFit`] and the `Model` implementation of [`Dda`] on the set table.

use rustc_hash::FxHashMap;

use crate::attribution::{Attribution, FitDiagnostics, JourneyCredit};
use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::shapley::SetTable;
use crate::model::shapley::set_table::{distinct_channels, observe_set};
use crate::model::{Fitted, Merge, Model, ModelSpec, check_spec};
use crate::numeric::CompensatedSum;

use super::Dda;
use super::DdaCredit;
use super::DdaValue;
use super::coefficients::{Coefficient, coefficients};
use super::credit::SetShares;
use super::fit::{LogitFit, fit_logit};
use super::game::{ConversionModel, Smoothing};

/// A fitted [`Dda`]: the attribution, the coefficients of the logistic
/// model (for `smoothed-set`, its prior's), how the fit converged, and the
/// conversion model v(T) itself.
pub struct DdaFit {
    attribution: Attribution,
    coefficients: Vec<Coefficient>,
    diagnostics: FitDiagnostics,
    model: ConversionModel,
    shares: FxHashMap<Box<[ChannelId]>, SetShares>,
    channels: Channels,
    config: Dda,
}

impl std::fmt::Debug for DdaFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DdaFit")
            .field("attribution", &self.attribution)
            .field("coefficients", &self.coefficients)
            .field("diagnostics", &self.diagnostics)
            .finish_non_exhaustive()
    }
}

impl DdaFit {
    /// The terms of the logistic model: `(intercept)`, then each channel
    /// some journey has (table order), then, for `logit-pairwise`, each
    /// co-occurring pair `A * B` (A first in the table).
    #[must_use]
    pub fn coefficients(&self) -> &[Coefficient] {
        &self.coefficients
    }

    /// How the Newton fit converged (of the prior, for `smoothed-set`).
    #[must_use]
    pub fn fit_diagnostics(&self) -> &FitDiagnostics {
        &self.diagnostics
    }

    /// The channel table the fit's ids refer to (the state's).
    #[must_use]
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// v(∅): the model's conversion probability of a journey with no tracked
    /// touch (σ(b0); for `smoothed-set`, its prior's). Inside the games
    /// `baseline=zero` replaces it by 0.
    #[must_use]
    pub fn empty_probability(&self) -> f64 {
        self.model.empty_value()
    }

    /// v(T), the model's conversion probability of the channel set
    /// `channels` (ids of [`DdaFit::channels`], any order, repeats
    /// ignored). A channel no journey had contributes nothing.
    #[must_use]
    pub fn conversion_probability(&self, channels: &[ChannelId]) -> f64 {
        let mut set = channels.to_vec();
        set.sort_unstable();
        set.dedup();
        self.model.value(&set)
    }

    /// φ_c(S) and v(S) of the set `set` (sorted ids of the fit's table),
    /// from the fit's cache or computed.
    fn shares_of(&self, set: &[ChannelId]) -> Result<SetShares, ModelError> {
        if let Some(s) = self.shares.get(set) {
            return Ok(s.clone());
        }
        self.config
            .set_shares(&self.model, set, &self.channels, &mut Vec::new())
    }
}

impl Fitted for DdaFit {
    fn attribution(&self) -> &Attribution {
        &self.attribution
    }

    fn into_attribution(self) -> Attribution {
        self.attribution
    }
}

impl Dda {
    fn fit_table(&self, table: &SetTable) -> Result<DdaFit, ModelError> {
        let spec = self.model_spec().to_string();
        let sorted = table.sorted();
        let rows: Vec<(&[ChannelId], f64, f64)> = sorted
            .iter()
            .map(|(s, c)| (*s, c.conversions(), c.journeys()))
            .collect();
        let total_r = table.total_conversions();
        let total_n: CompensatedSum = rows.iter().map(|r| r.2).sum();
        let total_n = total_n.value();
        if !(total_r > 0.0 && total_r < total_n) {
            return Err(ModelError::OneOutcomeClass {
                model: spec,
                conversions: total_r,
                journeys: total_n,
            });
        }
        let logit: LogitFit = fit_logit(
            &rows,
            table.channels().len(),
            self.lambda,
            self.value == DdaValue::LogitPairwise,
            &spec,
        )?;
        let diagnostics = FitDiagnostics::new(
            u64::try_from(logit.iterations).unwrap_or(u64::MAX),
            logit.max_gradient,
            logit.log_likelihood,
            logit.intercept_residual,
        );
        let coefficients = coefficients(&logit, table.channels());
        let smoothing = (self.value == DdaValue::SmoothedSet).then(|| Smoothing {
            counts: rows
                .iter()
                .map(|&(s, r, n)| (Box::<[ChannelId]>::from(s), (r, n)))
                .collect(),
            weight: self.prior_weight,
        });
        let model = ConversionModel { logit, smoothing };
        let (attribution, shares) = self.credit_table(&model, table)?;
        Ok(DdaFit {
            attribution: attribution.with_fit_diagnostics(diagnostics),
            coefficients,
            diagnostics,
            model,
            shares,
            channels: table.channels().clone(),
            config: *self,
        })
    }
}

impl Model for Dda {
    type State = SetTable;
    type Fitted = DdaFit;

    fn name(&self) -> &'static str {
        self.model_name()
    }

    fn spec(&self) -> ModelSpec {
        self.model_spec()
    }

    fn new_state(&self) -> SetTable {
        SetTable::new(self.model_spec())
    }

    fn observe(
        &self,
        state: &mut SetTable,
        journey: &Journey,
        channels: &Channels,
    ) -> Result<(), ModelError> {
        observe_set(state, journey, channels, None, |j, _, key| {
            distinct_channels(j, key);
        })
    }

    fn observe_weighted(
        &self,
        state: &mut SetTable,
        journey: &Journey,
        channels: &Channels,
        weight: f64,
    ) -> Result<(), ModelError> {
        let weight = (weight != 1.0).then_some(weight);
        observe_set(state, journey, channels, weight, |j, _, key| {
            distinct_channels(j, key);
        })
    }

    fn fit(&self, state: &SetTable) -> Result<DdaFit, ModelError> {
        check_spec(&self.model_spec(), Merge::spec(state))?;
        self.fit_table(state)
    }

    /// A converting journey with set S: share φ_c(S)/v(S) per channel (in
    /// order of first touch) and v(∅)/v(S) to the baseline. Needs the fit
    /// (`Ok(None)` without it); `credit=expected` has no per-journey
    /// shares of realised conversions ([`ModelError::NoJourneyCredit`]).
    fn journey_credit(
        &self,
        journey: &Journey,
        channels: &Channels,
        fitted: Option<&DdaFit>,
    ) -> Result<Option<JourneyCredit>, ModelError> {
        crate::model::check_channels(journey, channels)?;
        if self.credit == DdaCredit::Expected {
            return Err(ModelError::NoJourneyCredit {
                model: self.model_spec().to_string(),
                reason: "credit=expected credits fitted, not realised, conversions: a journey's \
                         share of its conversions is not defined (use credit=realised)",
            });
        }
        if journey.conversions() == 0 {
            return Ok(None);
        }
        let Some(fit) = fitted else {
            return Ok(None);
        };
        // The journey's channels in the fit's table, by name.
        let order = crate::model::shapley::first_touch_order(journey);
        let mut mapped: Vec<(ChannelId, ChannelId)> = Vec::with_capacity(order.len());
        for c in order {
            let id = channels
                .name(c)
                .and_then(|name| fit.channels.get(name))
                .ok_or(ModelError::UnknownChannel {
                    id: c.get(),
                    len: fit.channels.len(),
                })?;
            mapped.push((c, id));
        }
        let mut set: Vec<ChannelId> = mapped.iter().map(|&(_, id)| id).collect();
        set.sort_unstable();
        let shares = fit.shares_of(&set)?;
        if shares.v_set.is_nan() || shares.v_set <= 0.0 {
            return Err(ModelError::DegenerateGame {
                model: self.model_spec().to_string(),
                reason: "the fitted conversion probability of the journey's set is 0".to_owned(),
            });
        }
        let share = |id: ChannelId| {
            set.binary_search(&id)
                .ok()
                .and_then(|i| shares.phi.get(i))
                .map_or(0.0, |phi| phi / shares.v_set)
        };
        Ok(Some(JourneyCredit {
            journey: 0,
            shares: mapped.iter().map(|&(c, id)| (c, share(id))).collect(),
            baseline: shares.v_empty / shares.v_set,
        }))
    }
}

crate::model::registry::factory!(
    DdaFactory,
    Dda,
    "dda",
    "open data-driven attribution: logistic conversion model, exact Shapley per set, (baseline)"
);
