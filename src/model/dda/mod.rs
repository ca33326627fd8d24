//! [`Dda`]: open data-driven attribution (`dda`), a penalised logistic
//! conversion model on channel presence with the exact Shapley value of
//! that model per converting channel set, and an explicit `(baseline)`.

mod coefficients;
mod credit;
mod fit;
mod game;
mod model;

use std::fmt;

pub use coefficients::Coefficient;
pub(crate) use model::DdaFactory;
pub use model::DdaFit;

use crate::error::ModelError;
use crate::model::spec::format_f64;
use crate::model::{ModelSpec, ParamDoc};

/// The conversion model v(T) of [`Dda`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DdaValue {
    /// v(T) = σ(b0 + Σ_{c∈T} β_c) (the default).
    #[default]
    Logit,
    /// v(T) = σ(b0 + Σ β_c + Σ_{c<d ∈ T} γ_cd), over the pairs that occur
    /// together in some journey.
    LogitPairwise,
    /// v(T) = (R(T) + m·p0(T))/(N(T) + m), p0 the `logit` model, m the
    /// prior weight: a Beta prior centred on the model.
    SmoothedSet,
}

impl DdaValue {
    fn as_str(self) -> &'static str {
        match self {
            Self::Logit => "logit",
            Self::LogitPairwise => "logit-pairwise",
            Self::SmoothedSet => "smoothed-set",
        }
    }
}

/// What v(∅) is inside each set's game.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DdaBaseline {
    /// v(∅) of the model: a `(baseline)` row takes what channel presence
    /// does not explain (the default).
    #[default]
    Model,
    /// v(∅) := 0 inside the games: every conversion goes to a channel.
    Zero,
}

impl DdaBaseline {
    fn as_str(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Zero => "zero",
        }
    }
}

/// Which conversions are credited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DdaCredit {
    /// The observed conversions of each converting set (the default).
    #[default]
    Realised,
    /// The model's expected conversions of every observed set,
    /// N(S)·φ_c(S); no value.
    Expected,
}

impl DdaCredit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Realised => "realised",
            Self::Expected => "expected",
        }
    }
}

impl fmt::Display for DdaValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `dda`, open data-driven attribution: how much each channel *lifts* the
/// conversion probability under a model fitted on converting and
/// non-converting journeys, with a `(baseline)` for what channel presence
/// does not explain.
///
/// # Definition
///
/// Journey j counts as its set S_j of distinct channels (order, repeats
/// and times do not enter); per set, R(S) conversions, N(S) journeys
/// (conversions plus non-conversions), V(S) value.
///
/// * **The conversion model** v(T) for any channel set T (`value`):
///   `logit`, v(T) = σ(b0 + Σ_{c∈T} β_c), σ(x) = 1/(1 + e^(−x));
///   `logit-pairwise`, plus γ_cd for every pair c, d of T that occurs
///   together in some journey; `smoothed-set`,
///   v(T) = (R(T) + m·p0(T))/(N(T) + m) with p0 the `logit` model and m the
///   `prior_weight` (an unseen set takes p0; m = 0 gives the observed rate).
/// * **The fit** minimises
///   F = Σ_S [N(S)·log(1 + e^(η_S)) − R(S)·η_S] + (λ/2)·(Σβ² + Σγ²)
///   (intercept not penalised), strictly convex with a unique optimum when
///   0 < ΣR < ΣN, by damped Newton from b0 = log(ΣR/(ΣN − ΣR)): the optimum
///   of scikit-learn's `LogisticRegression(C = 1/λ)` on the rows
///   (S, 1, weight R(S)) and (S, 0, weight N(S) − R(S)). At the optimum,
///   Σ_S N(S)·v(S) = ΣR.
/// * **Credit.** For each converting set S of k channels, the players are
///   its channels and the game is T ↦ v(T), T ⊆ S:
///   φ_c(S) = Σ_{T ⊆ S∖c} w(|T|, k)·[v(T ∪ c) − v(T)], w(s, k) =
///   s!(k−s−1)!/k!. Channel c gets Σ_S R(S)·φ_c(S)/v(S) conversions and
///   Σ_S V(S)·φ_c(S)/v(S) value; the `(baseline)` gets
///   Σ_S R(S)·v(∅)/v(S) (and the same with V). By efficiency
///   (Σ_c φ_c(S) = v(S) − v(∅)) each set splits exactly R(S) and V(S).
///   `baseline=zero` sets v(∅) := 0 inside the games (every conversion to a
///   channel, the stance of commercial data-driven products; it adds
///   v(∅)/k to every φ_c(S)). `credit=expected` credits every observed set
///   N(S)·φ_c(S) and the baseline ΣN·v(∅): expected, not realised,
///   conversions, with no value.
///
/// # What it measures, and what not
///
/// Lift under a *presence* model: a channel whose journeys convert less
/// than the model expects gets negative credit (nothing is clipped). It is
/// not flow (use `markov` or `markov-shapley` for how much conversion
/// passes through a channel) and not a causal estimate beyond what channel
/// presence in these journeys supports. With the `logit` model and
/// `baseline=model`, every channel's credit has the sign of its β.
///
/// # Parameters
///
/// `value` ([`DdaValue`], default `logit`), `baseline` ([`DdaBaseline`],
/// `model`), `credit` ([`DdaCredit`], `realised`), `lambda` (finite, > 0,
/// default 1), `prior_weight` (finite, ≥ 0, default 10; only with
/// `smoothed-set`), `max_channels` (1..=24, default 16: the largest set
/// credited exactly). `credit=expected` needs `logit` or `logit-pairwise`.
///
/// # Complexity
///
/// Fit: per Newton iteration O(Σ_S q_S²) for the Hessian (q_S the terms
/// active in S) and O(p³) for its Cholesky solve (p = 1 + channels
/// (+ pairs)); 5–10 iterations usually. Credit: 2^k values and k·2^(k−1)
/// differences per credited set of k channels, once per distinct set
/// (k = 16: about 0.6 M operations), sets in parallel, summed in sorted
/// order.
///
/// # Peers
///
/// No published package computes it. The fit is scikit-learn's
/// L2-penalised logistic regression with an unpenalised intercept;
/// `smoothed-set` with `prior_weight=0` and `baseline=zero` reduces to
/// `shapley-rate` (`marketing-attribution-models`' `attribution_shapley`)
/// when every subset of a converting set is observed. It differs on
/// purpose from `mta`'s `logistic_regression` (|β| averaged over random
/// fits without intercept: no sign, not efficient, not deterministic).
///
/// # Errors
///
/// [`ModelError::OneOutcomeClass`] unless 0 < ΣR < ΣN (also for no
/// journeys); [`ModelError::SetTooLarge`] for a credited set above
/// `max_channels`; [`ModelError::FitNoConvergence`] (a numerical failure)
/// after 100 Newton iterations.
///
/// # Example
///
/// The tiny journeys (eight, four converting, value 360):
///
/// ```
/// use attribution::model::dda::Dda;
/// use attribution::{Channels, Journey, JourneySet, Model};
///
/// let mut set = JourneySet::new(Channels::new());
/// for (path, converted, value) in [
///     ("PPC > LandingPage > Email > LinkedIn", 1, 120.0),
///     ("PPC > LandingPage", 0, 0.0),
///     ("LinkedIn", 1, 80.0),
///     ("Email > Email > LinkedIn", 1, 60.0),
///     ("PPC > LandingPage > Email", 0, 0.0),
///     ("LinkedIn > PPC", 1, 100.0),
///     ("PPC", 0, 0.0),
///     ("Email > LinkedIn", 0, 0.0),
/// ] {
///     let ids = path.split('>').map(|name| set.channels_mut().intern(name)).collect::<Result<Vec<_>, _>>()?;
///     set.push(Journey::from_channels(&ids, converted, 1 - converted, value)?)?;
/// }
/// let model = Dda::default();
/// let mut state = model.new_state();
/// for journey in &set {
///     model.observe(&mut state, journey, set.channels())?;
/// }
/// let fit = model.fit(&state)?;
/// let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
/// let beta = |term: &str| fit.coefficients().iter().find(|c| c.term == term).map(|c| c.coefficient);
/// assert!(close(beta("LinkedIn").ok_or("no term")?, 0.9890475969749011));
/// let result = model.finish(&state)?;
/// let linkedin = result.get("LinkedIn").ok_or("no LinkedIn")?;
/// assert!(close(linkedin.conversions, 1.6196857518453427));
/// let ppc = result.get("PPC").ok_or("no PPC")?;
/// assert!(close(ppc.conversions, -0.11054733508361608)); // the sign of β_PPC
/// let baseline = result.baseline().ok_or("no baseline")?;
/// assert!(close(baseline.conversions, 2.6297551438966775));
/// // Channels plus baseline: the 4 conversions and the 360 of value.
/// let total: f64 = result.channels().iter().map(|c| c.conversions).sum::<f64>() + baseline.conversions;
/// assert!(close(total, 4.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dda {
    value: DdaValue,
    baseline: DdaBaseline,
    credit: DdaCredit,
    lambda: f64,
    prior_weight: f64,
    max_channels: usize,
}

impl Default for Dda {
    fn default() -> Self {
        Self {
            value: DdaValue::Logit,
            baseline: DdaBaseline::Model,
            credit: DdaCredit::Realised,
            lambda: 1.0,
            prior_weight: DEFAULT_PRIOR_WEIGHT,
            max_channels: 16,
        }
    }
}

const DEFAULT_PRIOR_WEIGHT: f64 = 10.0;
/// The largest `max_channels`: 2^24 coalition values (128 MiB) per set.
pub const MAX_SET_CHANNELS: usize = 24;

impl Dda {
    /// The parameters of `dda:value=…,baseline=…,credit=…,lambda=…,prior_weight=…,max_channels=…`.
    pub const PARAMS: &'static [ParamDoc] = &[
        ParamDoc {
            key: "value",
            default: "logit",
            doc: "the conversion model: logit, logit-pairwise or smoothed-set",
        },
        ParamDoc {
            key: "baseline",
            default: "model",
            doc: "v(∅) in each set's game: model (a (baseline) row) or zero (all to channels)",
        },
        ParamDoc {
            key: "credit",
            default: "realised",
            doc: "realised (observed conversions and value) or expected (fitted conversions, no value)",
        },
        ParamDoc {
            key: "lambda",
            default: "1",
            doc: "the L2 penalty of the coefficients (finite, > 0; intercept unpenalised)",
        },
        ParamDoc {
            key: "prior_weight",
            default: "10",
            doc: "smoothed-set only: the weight m of the logit prior (finite, >= 0)",
        },
        ParamDoc {
            key: "max_channels",
            default: "16",
            doc: "the largest channel set credited exactly (1..=24)",
        },
    ];

    /// The model with every parameter; see the [type docs](Dda).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] for λ ≤ 0 or not finite, a
    /// `prior_weight` < 0 or not finite (or other than the default without
    /// `smoothed-set`), `credit=expected` with `smoothed-set`, or
    /// `max_channels` outside 1..=24.
    pub fn new(
        value: DdaValue,
        baseline: DdaBaseline,
        credit: DdaCredit,
        lambda: f64,
        prior_weight: f64,
        max_channels: usize,
    ) -> Result<Self, ModelError> {
        if !(lambda.is_finite() && lambda > 0.0) {
            return Err(ModelError::InvalidParameter {
                name: "lambda",
                value: lambda.to_string(),
                reason: "the penalty must be a finite number > 0",
            });
        }
        if !(prior_weight.is_finite() && prior_weight >= 0.0) {
            return Err(ModelError::InvalidParameter {
                name: "prior_weight",
                value: prior_weight.to_string(),
                reason: "the prior weight must be a finite number >= 0",
            });
        }
        if value != DdaValue::SmoothedSet
            && prior_weight.to_bits() != DEFAULT_PRIOR_WEIGHT.to_bits()
        {
            return Err(ModelError::InvalidParameter {
                name: "prior_weight",
                value: format_f64(prior_weight),
                reason: "prior_weight applies only with value=smoothed-set",
            });
        }
        if credit == DdaCredit::Expected && value == DdaValue::SmoothedSet {
            return Err(ModelError::InvalidParameter {
                name: "credit",
                value: "expected".to_owned(),
                reason: "credit=expected needs value=logit or logit-pairwise (smoothed-set does \
                         not satisfy the identity Σ N(S)·v(S) = ΣR)",
            });
        }
        if !(1..=MAX_SET_CHANNELS).contains(&max_channels) {
            return Err(ModelError::InvalidParameter {
                name: "max_channels",
                value: max_channels.to_string(),
                reason: "max_channels must be an integer from 1 to 24",
            });
        }
        Ok(Self {
            value,
            baseline,
            credit,
            lambda,
            prior_weight,
            max_channels,
        })
    }

    /// The model of `spec`, e.g. `dda:value=logit-pairwise,baseline=zero`.
    ///
    /// # Errors
    ///
    /// As [`Dda::new`]; [`ModelError::InvalidParameter`] for an unknown
    /// `value`, `baseline` or `credit`; [`ModelError::UnknownParameter`]
    /// for another key.
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        let params = crate::model::spec::Params::new(spec, "dda", Self::PARAMS, &[])?;
        let pick = |t: &str, names: &[&str]| names.iter().position(|n| t.eq_ignore_ascii_case(n));
        let value = params
            .parse(
                "value",
                "expected logit, logit-pairwise or smoothed-set",
                |t| {
                    pick(t, &["logit", "logit-pairwise", "smoothed-set"]).and_then(|i| {
                        [
                            DdaValue::Logit,
                            DdaValue::LogitPairwise,
                            DdaValue::SmoothedSet,
                        ]
                        .get(i)
                        .copied()
                    })
                },
            )?
            .unwrap_or_default();
        let baseline = params
            .parse("baseline", "expected model or zero", |t| {
                pick(t, &["model", "zero"])
                    .and_then(|i| [DdaBaseline::Model, DdaBaseline::Zero].get(i).copied())
            })?
            .unwrap_or_default();
        let credit = params
            .parse("credit", "expected realised or expected", |t| {
                pick(t, &["realised", "expected"])
                    .and_then(|i| [DdaCredit::Realised, DdaCredit::Expected].get(i).copied())
            })?
            .unwrap_or_default();
        let number = |t: &str| t.parse::<f64>().ok();
        let lambda = params
            .parse("lambda", "expected a finite number > 0", number)?
            .unwrap_or(1.0);
        let prior_weight = params
            .parse("prior_weight", "expected a finite number >= 0", number)?
            .unwrap_or(DEFAULT_PRIOR_WEIGHT);
        let max_channels = params
            .parse(
                "max_channels",
                "max_channels must be an integer from 1 to 24",
                |t| t.parse::<usize>().ok(),
            )?
            .unwrap_or(16);
        Self::new(value, baseline, credit, lambda, prior_weight, max_channels)
    }

    /// The conversion model.
    #[must_use]
    pub fn value(&self) -> DdaValue {
        self.value
    }

    /// v(∅) inside the games.
    #[must_use]
    pub fn baseline(&self) -> DdaBaseline {
        self.baseline
    }

    /// Realised or expected conversions.
    #[must_use]
    pub fn credit(&self) -> DdaCredit {
        self.credit
    }

    /// The L2 penalty λ.
    #[must_use]
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The prior weight m of `smoothed-set`.
    #[must_use]
    pub fn prior_weight(&self) -> f64 {
        self.prior_weight
    }

    /// The largest channel set credited exactly.
    #[must_use]
    pub fn max_channels(&self) -> usize {
        self.max_channels
    }

    fn model_name(&self) -> &'static str {
        "dda"
    }

    fn model_spec(&self) -> ModelSpec {
        ModelSpec::new(self.model_name())
            .with("value", self.value.as_str())
            .with("baseline", self.baseline.as_str())
            .with("credit", self.credit.as_str())
            .with("lambda", format_f64(self.lambda))
            .with("prior_weight", format_f64(self.prior_weight))
            .with("max_channels", self.max_channels.to_string())
    }
}
