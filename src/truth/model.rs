//! The truth model: a logistic conversion law over a path, with known
//! channel effects.

use rustc_hash::FxHashMap;

use crate::channel::{ChannelId, Channels};
use crate::error::TruthError;

/// A logistic conversion model over a path with known channel effects: the
/// ground truth that simulated data is drawn from and that models are scored
/// against.
///
/// For a path P with L ≥ 1 touches, where i_c is the 1-based position of the
/// **last** touch of channel c and S(P) its set of distinct channels,
///
/// ```text
/// z(P) = b0 + Σ_{c∈S(P)} β_c·r_c(P) + Σ_{{c,d}⊆S(P)} γ_cd + ℓ·min(L − 1, K)
/// p(P) = σ(z(P)),   σ(x) = 1/(1 + e^(−x))
/// ```
///
/// * `b0` is the intercept, β_c the effect of channel c, γ_cd the effect of
///   the unordered pair {c, d} (both present, in any order, no recency
///   weight), ℓ the length effect with its cap K.
/// * Without a half-life, r_c = 1 (*presence*). With a half-life h (counted in
///   touches), r_c = 2^(−(L − i_c)/h): a channel counts fully when it touched
///   last and half when its last touch lies h touches before the end.
/// * Repeats count in L and shift positions, but only a channel's last touch
///   carries its effect. The empty path has p = σ(b0).
///
/// A channel without a row has no effect of its own, but a model that is
/// [bound](Self::bind) to an input requires a row for every input channel.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthModel {
    intercept: f64,
    length: f64,
    length_cap: u32,
    half_life: Option<f64>,
    /// (name, β) in insertion order.
    channels: Vec<(String, f64)>,
    /// (a, b, γ) in insertion order; a ≠ b, both channels of `channels`.
    pairs: Vec<(String, String, f64)>,
    /// Position of each channel in `channels` (lookups in O(1), so that a
    /// model with C channels and all C(C−1)/2 pairs builds in O(C²)).
    index: FxHashMap<String, usize>,
    /// Position in `pairs` of each pair, by its channels' positions (smaller first).
    pair_index: FxHashMap<(usize, usize), usize>,
}

impl TruthModel {
    /// A model with intercept `b0`, length effect `length` capped at
    /// `length_cap` extra touches, presence weights and no channel yet.
    ///
    /// # Errors
    /// [`TruthError::InvalidTerm`] when `b0` or `length` is not finite.
    pub fn new(intercept: f64, length: f64, length_cap: u32) -> Result<Self, TruthError> {
        finite("(intercept)", intercept)?;
        finite("(length)", length)?;
        Ok(Self {
            intercept,
            length,
            length_cap,
            half_life: None,
            channels: Vec::new(),
            pairs: Vec::new(),
            index: FxHashMap::default(),
            pair_index: FxHashMap::default(),
        })
    }

    /// Sets the recency half-life h (in touches).
    ///
    /// # Errors
    /// [`TruthError::InvalidTerm`] when h is not finite or not > 0.
    pub fn with_half_life(mut self, half_life: f64) -> Result<Self, TruthError> {
        finite("(recency-half-life)", half_life)?;
        if half_life <= 0.0 {
            return Err(invalid(
                "(recency-half-life)",
                format!("must be > 0, got {half_life}"),
            ));
        }
        self.half_life = Some(half_life);
        Ok(self)
    }

    /// Adds channel `name` with effect `beta`.
    ///
    /// # Errors
    /// [`TruthError::InvalidTerm`] for an empty or reserved name (`(…)`, or
    /// containing ` * `), a duplicate or a non-finite effect.
    pub fn add_channel(&mut self, name: &str, beta: f64) -> Result<(), TruthError> {
        finite(name, beta)?;
        if name.is_empty() || is_reserved(name) || name.contains(" * ") {
            return Err(invalid(
                name,
                "is not a channel name (empty, `(…)` or containing ` * `)".to_owned(),
            ));
        }
        if self.beta(name).is_some() {
            return Err(invalid(name, "duplicate term".to_owned()));
        }
        self.index.insert(name.to_owned(), self.channels.len());
        self.channels.push((name.to_owned(), beta));
        Ok(())
    }

    /// Adds the pair term `a * b` with effect `gamma`. Both channels must have
    /// been added; `a * b` and `b * a` are the same term.
    ///
    /// # Errors
    /// [`TruthError::InvalidTerm`] for equal sides, a side without a channel
    /// row, a duplicate pair or a non-finite effect.
    pub fn add_pair(&mut self, a: &str, b: &str, gamma: f64) -> Result<(), TruthError> {
        let term = format!("{a} * {b}");
        finite(&term, gamma)?;
        if a == b {
            return Err(invalid(
                &term,
                "a pair needs two different channels".to_owned(),
            ));
        }
        for side in [a, b] {
            if self.beta(side).is_none() {
                return Err(invalid(
                    &term,
                    format!("`{side}` has no channel row of its own"),
                ));
            }
        }
        if self.gamma(a, b).is_some() {
            return Err(invalid(&term, "duplicate term".to_owned()));
        }
        if let Some(key) = self.pair_key(a, b) {
            self.pair_index.insert(key, self.pairs.len());
        }
        self.pairs.push((a.to_owned(), b.to_owned(), gamma));
        Ok(())
    }

    /// The intercept b0.
    #[must_use]
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// Sets the intercept b0 (the simulator solves it last).
    ///
    /// # Errors
    /// [`TruthError::InvalidTerm`] when it is not finite.
    pub fn set_intercept(&mut self, intercept: f64) -> Result<(), TruthError> {
        finite("(intercept)", intercept)?;
        self.intercept = intercept;
        Ok(())
    }

    /// The length effect ℓ.
    #[must_use]
    pub fn length(&self) -> f64 {
        self.length
    }

    /// The length cap K.
    #[must_use]
    pub fn length_cap(&self) -> u32 {
        self.length_cap
    }

    /// The recency half-life h, if any (`None`: presence).
    #[must_use]
    pub fn half_life(&self) -> Option<f64> {
        self.half_life
    }

    /// The channels and their effects, in insertion order.
    #[must_use]
    pub fn channels(&self) -> &[(String, f64)] {
        &self.channels
    }

    /// The pair terms `(a, b, γ)`, in insertion order.
    #[must_use]
    pub fn pairs(&self) -> &[(String, String, f64)] {
        &self.pairs
    }

    /// β of `name`, if it has a row.
    #[must_use]
    pub fn beta(&self, name: &str) -> Option<f64> {
        let &i = self.index.get(name)?;
        self.channels.get(i).map(|&(_, b)| b)
    }

    /// γ of the unordered pair {a, b}, if it has a row.
    #[must_use]
    pub fn gamma(&self, a: &str, b: &str) -> Option<f64> {
        let i = self.pair_index.get(&self.pair_key(a, b)?)?;
        self.pairs.get(*i).map(|&(_, _, g)| g)
    }

    /// The positions of channels `a` and `b`, smaller first (`None` when
    /// one has no row).
    fn pair_key(&self, a: &str, b: &str) -> Option<(usize, usize)> {
        let (&i, &j) = (self.index.get(a)?, self.index.get(b)?);
        Some((i.min(j), i.max(j)))
    }

    /// σ(b0): the conversion probability of a journey with no tracked touch.
    #[must_use]
    pub fn baseline_probability(&self) -> f64 {
        sigmoid(self.intercept)
    }

    /// The model over the ids of `channels`, for fast evaluation.
    ///
    /// # Errors
    /// [`TruthError::MissingChannel`] (`file = "effects"`) naming the
    /// first channel of `channels` without a row. Rows for channels outside
    /// `channels` are allowed and have no effect.
    pub fn bind(&self, channels: &Channels) -> Result<BoundTruth, TruthError> {
        let mut beta = Vec::with_capacity(channels.len());
        for (_, name) in channels.iter() {
            let b = self.beta(name).ok_or_else(|| TruthError::MissingChannel {
                channel: name.to_owned(),
                file: "effects",
            })?;
            beta.push(b);
        }
        let mut pairs = FxHashMap::default();
        for (a, b, g) in &self.pairs {
            if let (Some(a), Some(b)) = (channels.get(a), channels.get(b)) {
                pairs.insert(pair_key(a, b), *g);
            }
        }
        Ok(BoundTruth {
            intercept: self.intercept,
            length: self.length,
            length_cap: self.length_cap,
            half_life: self.half_life,
            beta,
            pairs,
        })
    }
}

/// A [`TruthModel`] bound to a channel table: β by [`ChannelId`], γ by id
/// pair. Built by [`TruthModel::bind`].
#[derive(Debug, Clone, PartialEq)]
pub struct BoundTruth {
    intercept: f64,
    length: f64,
    length_cap: u32,
    half_life: Option<f64>,
    beta: Vec<f64>,
    pairs: FxHashMap<(u32, u32), f64>,
}

impl BoundTruth {
    /// The intercept b0.
    #[must_use]
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// The length effect ℓ.
    #[must_use]
    pub fn length(&self) -> f64 {
        self.length
    }

    /// The length cap K.
    #[must_use]
    pub fn length_cap(&self) -> u32 {
        self.length_cap
    }

    /// The recency half-life, if any.
    #[must_use]
    pub fn half_life(&self) -> Option<f64> {
        self.half_life
    }

    /// β of a channel (0 for an id outside the bound table).
    #[must_use]
    pub fn beta(&self, channel: ChannelId) -> f64 {
        self.beta.get(channel.index()).copied().unwrap_or(0.0)
    }

    /// γ of the unordered pair {a, b} (0 without a pair term).
    #[must_use]
    pub fn gamma(&self, a: ChannelId, b: ChannelId) -> f64 {
        self.pairs.get(&pair_key(a, b)).copied().unwrap_or(0.0)
    }

    /// Whether any pair term is bound.
    #[must_use]
    pub fn has_pairs(&self) -> bool {
        !self.pairs.is_empty()
    }

    /// The length term ℓ·min(L − 1, K) of a path of `touches` touches (0 for
    /// the empty path).
    #[must_use]
    pub fn length_term(&self, touches: usize) -> f64 {
        let extra = touches.saturating_sub(1).min(cap_usize(self.length_cap));
        self.length * crate::numeric::count_to_f64(extra as u64)
    }

    /// The recency weight r of a channel whose last touch lies `after`
    /// touches before the end of the path (0 when it touched last).
    #[must_use]
    pub fn recency(&self, after: usize) -> f64 {
        match self.half_life {
            None => 1.0,
            Some(h) => (-(crate::numeric::count_to_f64(after as u64)) / h).exp2(),
        }
    }

    /// z(P) of a path of channel ids. The terms are added in a fixed order:
    /// b0, the length term, then each distinct channel's β·r in order of
    /// first appearance, then the pair terms of the distinct channels in that
    /// order (i < j).
    #[must_use]
    pub fn z(&self, path: &[ChannelId]) -> f64 {
        let mut z = self.intercept + self.length_term(path.len());
        let mut distinct: Vec<ChannelId> = Vec::with_capacity(path.len().min(32));
        for &c in path {
            if !distinct.contains(&c) {
                distinct.push(c);
            }
        }
        for &c in &distinct {
            let after = path
                .iter()
                .rposition(|&t| t == c)
                .map_or(0, |last| path.len() - 1 - last);
            z += self.beta(c) * self.recency(after);
        }
        if self.has_pairs() {
            for (i, &a) in distinct.iter().enumerate() {
                for &b in distinct.iter().skip(i + 1) {
                    z += self.gamma(a, b);
                }
            }
        }
        z
    }

    /// p(P) = σ(z(P)): the probability that one journey with this path
    /// converts.
    #[must_use]
    pub fn probability(&self, path: &[ChannelId]) -> f64 {
        sigmoid(self.z(path))
    }

    /// σ(b0).
    #[must_use]
    pub fn baseline_probability(&self) -> f64 {
        sigmoid(self.intercept)
    }
}

/// σ(x) = 1/(1 + e^(−x)), written this way for every x (relative error of
/// a few ulp in both tails; e^(−x) = ∞ gives 0).
#[must_use]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Whether `term` is of the reserved form `(…)`.
pub(crate) fn is_reserved(term: &str) -> bool {
    term.starts_with('(') && term.ends_with(')')
}

fn pair_key(a: ChannelId, b: ChannelId) -> (u32, u32) {
    if a.get() <= b.get() {
        (a.get(), b.get())
    } else {
        (b.get(), a.get())
    }
}

fn cap_usize(cap: u32) -> usize {
    usize::try_from(cap).unwrap_or(usize::MAX)
}

fn finite(term: &str, value: f64) -> Result<(), TruthError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(invalid(term, format!("the value {value} is not finite")))
    }
}

fn invalid(term: &str, reason: String) -> TruthError {
    TruthError::InvalidTerm {
        line: None,
        term: term.to_owned(),
        reason,
    }
}
