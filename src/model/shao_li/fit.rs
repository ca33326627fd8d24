//! [`ShaoLiFit`]: the conversion rates P(a), P(a, b) and the contributions
//! computed from them.

use rustc_hash::FxHashMap;

use super::state::{ShaoLiState, pair_key};
use crate::attribution::Attribution;
use crate::channel::Channels;
use crate::model::{Fitted, Merge};

/// The conversion rates of a fitted [`ShaoLi`](super::ShaoLi) model:
/// P(a) for every channel, P(a, b) for every pair of co-occurring channels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rates {
    pub(crate) single: Vec<f64>,
    pub(crate) pairs: FxHashMap<u64, f64>,
}

impl Rates {
    /// The rates of `state`.
    pub(crate) fn of(state: &ShaoLiState) -> Self {
        Self {
            single: state.singles.iter().map(|c| c.rate()).collect(),
            pairs: state
                .pairs
                .iter()
                .map(|(&key, c)| (key, c.rate()))
                .collect(),
        }
    }

    /// P(a), 0 for a channel never seen.
    #[inline]
    pub(crate) fn single(&self, a: u32) -> f64 {
        usize::try_from(a)
            .ok()
            .and_then(|a| self.single.get(a))
            .copied()
            .unwrap_or(0.0)
    }

    /// P(a, b), 0 for a pair never seen together.
    #[inline]
    pub(crate) fn pair(&self, a: u32, b: u32) -> f64 {
        self.pairs.get(&pair_key(a, b)).copied().unwrap_or(0.0)
    }

    /// The contribution of each channel of the distinct set `set` (channel
    /// indices, no repeats), into `out` in `set`'s order:
    /// `P(a) + Σ_{b ≠ a} (P(a, b) − P(a) − P(b)) / (2(|S| − 1))`, or `P(a)`
    /// alone when `|S| = 1`. O(|S|²) pair look-ups.
    pub(crate) fn contributions(&self, set: &[u32], out: &mut Vec<f64>) {
        out.clear();
        out.extend(set.iter().map(|&a| self.single(a)));
        let k = set.len();
        if k < 2 {
            return;
        }
        let mut excess = vec![0.0; k];
        for (i, &a) in set.iter().enumerate() {
            let pa = out.get(i).copied().unwrap_or(0.0);
            for (j, &b) in set.iter().enumerate().skip(i + 1) {
                let pb = out.get(j).copied().unwrap_or(0.0);
                let d = self.pair(a, b) - pa - pb;
                if let Some(e) = excess.get_mut(i) {
                    *e += d;
                }
                if let Some(e) = excess.get_mut(j) {
                    *e += d;
                }
            }
        }
        let denominator =
            2.0 * crate::numeric::count_to_f64(u64::try_from(k - 1).unwrap_or(u64::MAX));
        for (c, e) in out.iter_mut().zip(&excess) {
            *c += e / denominator;
        }
    }
}

/// A fitted [`ShaoLi`](super::ShaoLi) model: the attribution and the
/// conversion rates it was computed from, which per-journey credit needs.
///
/// # Example
///
/// ```
/// use attribution::model::shao_li::ShaoLi;
/// use attribution::{Channels, Journey, Model};
///
/// let model = ShaoLi::global();
/// let mut channels = Channels::new();
/// let (ppc, email) = (channels.intern("PPC")?, channels.intern("Email")?);
/// let mut state = model.new_state();
/// model.observe(&mut state, &Journey::from_channels(&[ppc, email], 1, 1, 10.0)?, &channels)?;
/// model.observe(&mut state, &Journey::from_channels(&[email], 1, 3, 10.0)?, &channels)?;
/// let fit = model.fit(&state)?;
/// assert_eq!(fit.probability("PPC"), Some(0.5));
/// assert_eq!(fit.probability("Email"), Some(2.0 / 6.0));
/// assert_eq!(fit.pair_probability("PPC", "Email"), Some(0.5));
/// // PPC > Email: P(PPC) + (P(PPC, Email) − P(PPC) − P(Email)) / 2, and Email likewise.
/// let contributions = fit.contributions(&["PPC", "Email"]).ok_or("unknown channel")?;
/// assert!((contributions[0] - (0.5 + (0.5 - 0.5 - 1.0 / 3.0) / 2.0)).abs() < 1e-15);
/// assert!((contributions[1] - (1.0 / 3.0 + (0.5 - 0.5 - 1.0 / 3.0) / 2.0)).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ShaoLiFit {
    attribution: Attribution,
    channels: Channels,
    rates: Rates,
}

impl ShaoLiFit {
    pub(crate) fn new(attribution: Attribution, state: &ShaoLiState, rates: Rates) -> Self {
        Self {
            attribution,
            channels: state.channels().clone(),
            rates,
        }
    }

    /// P(a): the conversion rate of the journeys containing the channel
    /// called `name`; `None` for a channel the fit does not know.
    #[must_use]
    pub fn probability(&self, name: &str) -> Option<f64> {
        let id = self.channels.get(name)?;
        Some(self.rates.single(id.get()))
    }

    /// P(a, b): the conversion rate of the journeys containing both
    /// channels; `None` when the fit does not know a channel, 0 when the two
    /// never occur together.
    #[must_use]
    pub fn pair_probability(&self, a: &str, b: &str) -> Option<f64> {
        let (a, b) = (self.channels.get(a)?, self.channels.get(b)?);
        Some(self.rates.pair(a.get(), b.get()))
    }

    /// The contributions of the distinct channels `names` (a journey's
    /// set), in order; `None` when the fit does not know a name or a name
    /// repeats.
    #[must_use]
    pub fn contributions(&self, names: &[&str]) -> Option<Vec<f64>> {
        let ids = names
            .iter()
            .map(|n| self.channels.get(n).map(crate::channel::ChannelId::get))
            .collect::<Option<Vec<u32>>>()?;
        if ids
            .iter()
            .enumerate()
            .any(|(i, a)| ids.get(..i).is_some_and(|before| before.contains(a)))
        {
            return None;
        }
        let mut out = Vec::new();
        self.rates.contributions(&ids, &mut out);
        Some(out)
    }

    /// The channel table the rates refer to.
    pub(crate) fn channels(&self) -> &Channels {
        &self.channels
    }

    /// The rates.
    pub(crate) fn rates(&self) -> &Rates {
        &self.rates
    }
}

impl Fitted for ShaoLiFit {
    fn attribution(&self) -> &Attribution {
        &self.attribution
    }

    fn into_attribution(self) -> Attribution {
        self.attribution
    }
}
