//! [`Markov`]: the model's validated configuration (order, step cap,
//! self-loops, solver, work limit) and its canonical spec. A leaf of the
//! Markov files: the counts and the solvers import it, never the reverse.

use crate::error::ModelError;
use crate::model::ModelSpec;
use crate::model::spec::{ParamDoc, Params, parse_bool};

use super::Solver;

/// The default of [`Markov::work_limit`](super::Markov::work_limit), in
/// units of the work of one sweep (states plus transitions of the cyclic
/// components swept, summed over the blocks of eight channels). The
/// removals run at ≈ 4·10⁶ such units per second and core (measured, with
/// the 20 to 60 sweeps a cyclic component takes), so the default allows
/// about four CPU-minutes; the benchmarks (10⁶ paths × 50 channels, orders
/// 3 to 6) need below 10⁷.
pub const WORK_LIMIT: u64 = 1_000_000_000;

/// The Markov-chain removal-effect model of order `k` (see the
/// [module docs](super) for the definition and conventions).
///
/// Its spec is `markov:order=K,max_steps=none|N,self_loops=false|true`
/// ([`Markov::PARAMS`]); the solver and the work limit choose how the
/// result is computed, not what it is, so they are not part of it. Every
/// setting is validated when it is made ([`Markov::new`],
/// [`Markov::max_steps`], [`Markov::from_spec`]).
///
/// # Example
///
/// ```
/// use attribution::{Channels, Journey, JourneySet, Model};
/// use attribution::model::markov::Markov;
///
/// let mut set = JourneySet::new(Channels::new());
/// let a = set.channels_mut().intern("a")?;
/// let b = set.channels_mut().intern("b")?;
/// set.push(Journey::from_channels(&[a, b], 1, 0, 10.0)?)?;
/// set.push(Journey::from_channels(&[b], 1, 1, 30.0)?)?;
/// let model = Markov::new(1)?;
/// assert_eq!(model.name(), "markov");
/// let result = model.attribute(&set)?;
/// // P(conv) = 2/3; without a: 4/9 (RE 1/3); without b: 0 (RE 1).
/// let ca = result.get("a").unwrap();
/// assert!((ca.removal_effect.unwrap() - 1.0 / 3.0).abs() < 1e-15);
/// // 2 conversions · (1/3) / (1/3 + 1)
/// assert!((ca.conversions - 0.5).abs() < 1e-15);
/// assert!((result.get("b").unwrap().conversions - 1.5).abs() < 1e-15);
/// # Ok::<(), attribution::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Markov {
    pub(super) order: usize,
    pub(super) max_steps: Option<usize>,
    pub(super) keep_self_loops: bool,
    pub(super) solver: Solver,
    pub(super) work_limit: u64,
}

impl Markov {
    /// The parameters of the spec, in canonical order.
    pub const PARAMS: &'static [ParamDoc] = &[
        ParamDoc {
            key: "order",
            default: "1",
            doc: "the order K: each state is a window of K consecutive touches (1 to 32)",
        },
        ParamDoc {
            key: "max_steps",
            default: "none",
            doc: "cap walks at N states (a walk still transient after N steps ends in null); none: uncapped",
        },
        ParamDoc {
            key: "self_loops",
            default: "false",
            doc: "keep consecutive identical states as self-loops instead of merging them",
        },
    ];

    /// The model of order `order` (no step cap, identical states merged,
    /// automatic solver).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] when `order` is 0 or above
    /// [`MAX_ORDER`](super::MAX_ORDER).
    pub fn new(order: usize) -> Result<Self, ModelError> {
        check_order(order)?;
        Ok(Self {
            order,
            max_steps: None,
            keep_self_loops: false,
            solver: Solver::Auto,
            work_limit: WORK_LIMIT,
        })
    }

    /// The model of `spec` (`markov:order=K,max_steps=N,self_loops=B`;
    /// missing keys take their defaults, `order` 1).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownModel`] for another model's spec,
    /// [`ModelError::UnknownParameter`] for a key not in [`Markov::PARAMS`],
    /// [`ModelError::InvalidParameter`] for a bad value.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Model;
    /// use attribution::model::markov::Markov;
    ///
    /// let model = Markov::from_spec(&"markov:order=2,max-steps=10".parse()?)?;
    /// assert_eq!(model.max_steps_cap(), Some(10));
    /// assert_eq!(model.spec().to_string(), "markov:order=2,max_steps=10,self_loops=false");
    /// assert_eq!(
    ///     Markov::from_spec(&"markov:max_steps=0".parse()?).unwrap_err().to_string(),
    ///     "invalid parameter `max_steps` = 0: the step cap must be at least 1 (or none)"
    /// );
    /// # Ok::<(), attribution::ModelError>(())
    /// ```
    pub fn from_spec(spec: &ModelSpec) -> Result<Self, ModelError> {
        let params = Params::new(
            spec,
            "markov",
            Self::PARAMS,
            &[("keep_self_loops", "self_loops")],
        )?;
        let order = params
            .parse(
                "order",
                "the Markov order must be an integer from 1 to 32",
                // An integer out of range gets `Markov::new`'s error below.
                |t| t.parse::<usize>().ok(),
            )?
            .unwrap_or(1);
        let max_steps = params
            .parse(
                "max_steps",
                "the step cap must be a positive integer or none",
                |t| {
                    if t.eq_ignore_ascii_case("none") {
                        Some(None)
                    } else {
                        t.parse::<usize>().ok().map(Some)
                    }
                },
            )?
            .flatten();
        let self_loops = params
            .parse("self_loops", "expected true or false", parse_bool)?
            .unwrap_or(false);
        Self::new(order)?
            .max_steps(max_steps)
            .map(|m| m.keep_self_loops(self_loops))
    }

    /// Caps journeys at `max_steps` states (a walk still transient after
    /// that ends in `(null)`), as a step-capped simulation does; `None`
    /// (the default) is the exact uncapped chain.
    ///
    /// The capped chain is computed by at most `max_steps` matrix–vector
    /// steps, stopping as soon as the chain has converged (a certified
    /// residual bound below 1e-14 of the result, beyond rounding): a cap of
    /// `usize::MAX` costs no more than the convergence. A cap so large that
    /// walks longer than it have probability below 1e-14 (by Markov's
    /// inequality on the mean number of visits) is solved as the uncapped
    /// chain. [`RemovalEffects::cap_loss`](super::RemovalEffects::cap_loss)
    /// tells how much of the conversion probability the cap removes (all of
    /// it when `max_steps` is shorter than every converting path).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidParameter`] (`max_steps`) for `Some(0)`.
    pub fn max_steps(mut self, max_steps: Option<usize>) -> Result<Self, ModelError> {
        if max_steps == Some(0) {
            return Err(ModelError::InvalidParameter {
                name: "max_steps",
                value: "0".to_owned(),
                reason: "the step cap must be at least 1 (or none)",
            });
        }
        self.max_steps = max_steps;
        Ok(self)
    }

    /// Keeps consecutive identical states as self-loops instead of merging
    /// them. Never changes an uncapped result; with [`Markov::max_steps`]
    /// each repeat counts as a step.
    #[must_use]
    pub fn keep_self_loops(mut self, keep: bool) -> Self {
        self.keep_self_loops = keep;
        self
    }

    /// Whether consecutive identical states are kept as self-loops.
    #[must_use]
    pub fn keeps_self_loops(&self) -> bool {
        self.keep_self_loops
    }

    /// Chooses the linear solver (default [`Solver::Auto`]).
    #[must_use]
    pub fn solver(mut self, solver: Solver) -> Self {
        self.solver = solver;
        self
    }

    /// Sets the most work the removal effects may take before failing
    /// with [`ModelError::TooComplex`] (default [`WORK_LIMIT`], a few
    /// minutes of CPU): a lower bound on one sweep over every channel's
    /// system, in states plus transitions (see [`ModelError::TooComplex`]).
    /// Work grows with channels × the size of the strongly connected part
    /// of the chain where they are reached; channels that only a few states
    /// lead to are cheap whatever their number.
    #[must_use]
    pub fn work_limit(mut self, limit: u64) -> Self {
        self.work_limit = limit;
        self
    }

    /// The order `k`.
    #[must_use]
    pub fn order(&self) -> usize {
        self.order
    }

    /// The step cap set by [`Markov::max_steps`] (`None`: uncapped).
    #[must_use]
    pub fn max_steps_cap(&self) -> Option<usize> {
        self.max_steps
    }

    /// The canonical spec ([`Model::spec`](crate::Model::spec)):
    /// `markov:order=K,max_steps=none|N,self_loops=false|true`.
    #[must_use]
    pub(crate) fn canonical_spec(&self) -> ModelSpec {
        ModelSpec::new("markov")
            .with("order", self.order.to_string())
            .with(
                "max_steps",
                self.max_steps
                    .map_or_else(|| "none".to_owned(), |k| k.to_string()),
            )
            .with("self_loops", self.keep_self_loops.to_string())
    }
}

/// Checks a Markov order: 1 to [`MAX_ORDER`].
pub(crate) fn check_order(order: usize) -> Result<(), ModelError> {
    if order == 0 || order > MAX_ORDER {
        return Err(ModelError::InvalidParameter {
            name: "order",
            value: order.to_string(),
            reason: "the Markov order must be between 1 and 32",
        });
    }
    Ok(())
}

/// The largest supported order.
pub const MAX_ORDER: usize = 32;
