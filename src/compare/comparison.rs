//! The [`Comparison`] of several models' results and how it is built.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::consensus::{self, Dissent, Leader, RankSpread};
use super::kendall::kendall_tau_b;
use super::ranking::{ShareBasis, competition_ranks, shares};
use crate::attribution::Attribution;
use crate::error::CompareError;

/// Which credit shares and ranks are of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Metric {
    /// Attributed conversions, as shares of the model's conversions.
    #[default]
    Conversions,
    /// Attributed value (revenue), as shares of the model's value.
    Value,
}

/// One compared model: a column of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelColumn {
    /// The label the result was given (e.g. `markov:order=2`).
    pub label: String,
    /// The model's name, as its [`Attribution`] reports it.
    pub model: String,
    /// The model's total of the metric (its attributed journeys'
    /// conversions or value).
    pub total: f64,
    /// The sum of the model's credits of the metric.
    pub credit_sum: f64,
    /// What the model's shares are fractions of.
    pub share_basis: ShareBasis,
    /// The channels ranked first under the model (several when tied), in
    /// channel order.
    pub top: Vec<String>,
}

/// One channel under one model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cell {
    /// Attributed conversions.
    pub conversions: f64,
    /// Attributed value.
    pub value: f64,
    /// The share of the metric (see [`ShareBasis`]); `None` when the
    /// model has nothing to share.
    pub share: Option<f64>,
    /// The rank under the model: 1 is the most credit; ties share the best
    /// rank of their group ("1224").
    pub rank: usize,
}

/// One channel across the models: a row of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelRow {
    /// The channel's name.
    pub channel: String,
    /// One cell per model, in the order of [`Comparison::models`].
    pub cells: Vec<Cell>,
    /// Under how many models the channel ranks first.
    pub first_places: usize,
    /// The channel's best (lowest) rank.
    pub best_rank: usize,
    /// The channel's worst (highest) rank.
    pub worst_rank: usize,
    /// The mean of its ranks.
    pub mean_rank: f64,
}

/// Several models' results side by side: shares, ranks, their Kendall τ-b
/// agreement, the leader and the disagreements (see the [module
/// docs](super) for the conventions and an example).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Comparison {
    /// Which credit shares and ranks are of.
    pub metric: Metric,
    /// The models, in the order given.
    pub models: Vec<ModelColumn>,
    /// The channels, in order of first appearance.
    pub channels: Vec<ChannelRow>,
    /// Kendall's τ-b between the rankings of models `i` and `j`, at
    /// `kendall[i][j]` (symmetric; `None` where undefined).
    pub kendall: Vec<Vec<Option<f64>>>,
    /// The channel that ranks first under the most models (`None` without
    /// channels).
    pub leader: Option<Leader>,
    /// Every channel whose rank differs between models, the widest spread
    /// first (then in channel order).
    pub spreads: Vec<RankSpread>,
    /// Every model whose first place is not the leader's channel, in model
    /// order.
    pub dissents: Vec<Dissent>,
}

impl Comparison {
    /// Compares `results`, each a `(label, attribution)` of the same
    /// journeys, by `metric`.
    ///
    /// # Errors
    ///
    /// [`CompareError::NoModels`] for no result,
    /// [`CompareError::DuplicateLabel`] for two results of one label,
    /// [`CompareError::DuplicateChannel`] for a result listing a channel
    /// twice, [`CompareError::NonFinite`] for a NaN or infinite credit or
    /// total.
    ///
    /// # Complexity
    ///
    /// O(m·c log c + m²·c log c) time for m models and c channels (a sort
    /// per model, a τ-b per pair of models), O(m·c + m²) memory.
    pub fn new<S: AsRef<str>>(
        results: &[(S, &Attribution)],
        metric: Metric,
    ) -> Result<Self, CompareError> {
        if results.is_empty() {
            return Err(CompareError::NoModels);
        }
        let names = channel_union(results)?;
        let mut models = Vec::with_capacity(results.len());
        let mut columns: Vec<Vec<Cell>> = Vec::with_capacity(results.len());
        for (label, attribution) in results {
            let label = label.as_ref();
            if models.iter().any(|m: &ModelColumn| m.label == label) {
                return Err(CompareError::DuplicateLabel(label.to_owned()));
            }
            let (model, cells) = column(label, attribution, &names, metric)?;
            models.push(model);
            columns.push(cells);
        }
        let channels: Vec<ChannelRow> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let cells: Vec<Cell> = columns
                    .iter()
                    .filter_map(|cells| cells.get(i).copied())
                    .collect();
                row(name, cells)
            })
            .collect();
        for (m, model) in models.iter_mut().enumerate() {
            model.top = channels
                .iter()
                .filter(|r| r.cells.get(m).is_some_and(|c| c.rank == 1))
                .map(|r| r.channel.clone())
                .collect();
        }
        let kendall = (0..models.len())
            .map(|a| {
                (0..models.len())
                    .map(|b| {
                        let pairs: Vec<(usize, usize)> = channels
                            .iter()
                            .filter_map(|r| Some((r.cells.get(a)?.rank, r.cells.get(b)?.rank)))
                            .collect();
                        kendall_tau_b(&pairs)
                    })
                    .collect()
            })
            .collect();
        let leader = consensus::leader(&channels, models.len());
        let spreads = consensus::spreads(&channels, &models);
        let dissents = consensus::dissents(leader.as_ref(), &models);
        Ok(Self {
            metric,
            models,
            channels,
            kendall,
            leader,
            spreads,
            dissents,
        })
    }

    /// The row of the channel called `name`.
    #[must_use]
    pub fn channel(&self, name: &str) -> Option<&ChannelRow> {
        self.channels.iter().find(|r| r.channel == name)
    }

    /// Kendall's τ-b between the models labelled `a` and `b`: `None` when
    /// a label is unknown, `Some(None)` when τ-b is undefined.
    #[must_use]
    pub fn kendall(&self, a: &str, b: &str) -> Option<Option<f64>> {
        let index = |label: &str| self.models.iter().position(|m| m.label == label);
        let (a, b) = (index(a)?, index(b)?);
        self.kendall.get(a)?.get(b).copied()
    }
}

/// The channel names of every result, in order of first appearance.
fn channel_union<S: AsRef<str>>(
    results: &[(S, &Attribution)],
) -> Result<Vec<String>, CompareError> {
    let mut names: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (label, attribution) in results {
        let mut own: HashSet<&str> = HashSet::new();
        for credit in attribution.channels() {
            if !own.insert(&credit.name) {
                return Err(CompareError::DuplicateChannel {
                    model: label.as_ref().to_owned(),
                    channel: credit.name.clone(),
                });
            }
            if seen.insert(&credit.name) {
                names.push(credit.name.clone());
            }
        }
    }
    Ok(names)
}

/// The column of one model over `names`: its summary (without `top`) and
/// one cell per channel.
fn column(
    label: &str,
    attribution: &Attribution,
    names: &[String],
    metric: Metric,
) -> Result<(ModelColumn, Vec<Cell>), CompareError> {
    let non_finite = |what: String| CompareError::NonFinite {
        model: label.to_owned(),
        what,
    };
    let by_name: HashMap<&str, (f64, f64)> = attribution
        .channels()
        .iter()
        .map(|c| (c.name.as_str(), (c.conversions, c.value)))
        .collect();
    let credits: Vec<(f64, f64)> = names
        .iter()
        .map(|name| by_name.get(name.as_str()).copied().unwrap_or((0.0, 0.0)))
        .collect();
    for (name, &(conversions, value)) in names.iter().zip(&credits) {
        if !conversions.is_finite() || !value.is_finite() {
            return Err(non_finite(format!("credit of channel `{name}`")));
        }
    }
    let total = match metric {
        Metric::Conversions => attribution.total_conversions(),
        Metric::Value => attribution.total_value(),
    };
    if !total.is_finite() {
        return Err(non_finite("total".to_owned()));
    }
    let measured: Vec<f64> = credits
        .iter()
        .map(|&(c, v)| match metric {
            Metric::Conversions => c,
            Metric::Value => v,
        })
        .collect();
    let (share_basis, credit_sum, share) = shares(&measured, total);
    let ranks = competition_ranks(&measured);
    let cells = credits
        .iter()
        .zip(share)
        .zip(ranks)
        .map(|((&(conversions, value), share), rank)| Cell {
            conversions,
            value,
            share,
            rank,
        })
        .collect();
    let model = ModelColumn {
        label: label.to_owned(),
        model: attribution.model().to_owned(),
        total,
        credit_sum,
        share_basis,
        top: Vec::new(),
    };
    Ok((model, cells))
}

/// The row of channel `name` from its cells.
fn row(name: &str, cells: Vec<Cell>) -> ChannelRow {
    let ranks = || cells.iter().map(|c| c.rank);
    let first_places = ranks().filter(|&r| r == 1).count();
    let best_rank = ranks().min().unwrap_or(0);
    let worst_rank = ranks().max().unwrap_or(0);
    let sum: usize = ranks().sum();
    #[allow(clippy::cast_precision_loss)] // ranks and model counts are far below 2^53
    let mean_rank = if cells.is_empty() {
        0.0
    } else {
        sum as f64 / cells.len() as f64
    };
    ChannelRow {
        channel: name.to_owned(),
        cells,
        first_places,
        best_rank,
        worst_rank,
        mean_rank,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::ChannelCredit;
    use crate::channel::ChannelId;

    fn result(model: &str, credits: &[(&str, f64)], total: f64) -> Attribution {
        let channels = credits
            .iter()
            .enumerate()
            .map(|(i, &(name, c))| {
                ChannelCredit::new(ChannelId::from_index(i).unwrap(), name, c, 10.0 * c)
            })
            .collect();
        Attribution::new(model, Vec::new(), channels, total, 10.0 * total)
    }

    #[test]
    fn negative_credit_gives_a_negative_share_and_the_last_rank() {
        // A conversion-rate Shapley game may credit a channel negatively:
        // the shares still sum to 1.
        let rate = result(
            "shapley-rate",
            &[("PPC", 1.5), ("Email", -0.375), ("LinkedIn", 2.875)],
            4.0,
        );
        let c = Comparison::new(&[("rate", &rate)], Metric::Conversions).unwrap();
        assert_eq!(c.models[0].share_basis, ShareBasis::CreditSum);
        let cells: Vec<(Option<f64>, usize)> = c
            .channels
            .iter()
            .map(|r| (r.cells[0].share, r.cells[0].rank))
            .collect();
        assert_eq!(
            cells,
            [(Some(0.375), 2), (Some(-0.09375), 3), (Some(0.71875), 1)]
        );
    }

    #[test]
    fn credits_above_the_total_give_shares_of_the_total() {
        // Participation: every channel of a converting journey gets the
        // whole conversion; 3 conversions, PPC on 2 of them, Email on 3.
        let participation = result("participation", &[("PPC", 2.0), ("Email", 3.0)], 3.0);
        let linear = result("linear", &[("PPC", 1.0), ("Email", 2.0)], 3.0);
        let c = Comparison::new(
            &[("participation", &participation), ("linear", &linear)],
            Metric::Conversions,
        )
        .unwrap();
        assert_eq!(c.models[0].share_basis, ShareBasis::Total);
        assert_eq!((c.models[0].credit_sum, c.models[0].total), (5.0, 3.0));
        assert_eq!(c.channels[0].cells[0].share, Some(2.0 / 3.0));
        assert_eq!(c.channels[1].cells[0].share, Some(1.0));
        assert_eq!(c.models[1].share_basis, ShareBasis::CreditSum);
        assert_eq!(c.channels[0].cells[1].share, Some(1.0 / 3.0));
    }

    #[test]
    fn channels_are_the_union_in_order_of_first_appearance() {
        let a = result("a", &[("PPC", 1.0), ("Email", 1.0)], 2.0);
        let b = result("b", &[("Display", 2.0), ("PPC", 0.0)], 2.0);
        let c = Comparison::new(&[("a", &a), ("b", &b)], Metric::Conversions).unwrap();
        let names: Vec<&str> = c.channels.iter().map(|r| r.channel.as_str()).collect();
        assert_eq!(names, ["PPC", "Email", "Display"]);
        // Display is missing from a: credit 0, tied last with nothing else.
        let display = &c.channels[2].cells[0];
        assert_eq!(
            (display.conversions, display.share, display.rank),
            (0.0, Some(0.0), 3)
        );
        // a ties PPC and Email first; b puts Display first.
        assert_eq!(c.models[0].top, ["PPC", "Email"]);
        let leader = c.leader.as_ref().unwrap();
        assert_eq!((leader.channel.as_str(), leader.first_under), ("PPC", 1));
        assert_eq!(leader.tied_with, ["Email", "Display"]);
        assert_eq!(c.dissents.len(), 1);
        assert_eq!(c.dissents[0].model, "b");
    }

    #[test]
    fn the_tie_break_of_the_leader_is_the_rank_sum() {
        // A and B each first once; B's ranks sum to 1 + 2 = 3 against A's
        // 1 + 3 = 4.
        let x = result("x", &[("A", 3.0), ("B", 2.0), ("C", 1.0)], 6.0);
        let y = result("y", &[("A", 1.0), ("B", 3.0), ("C", 2.0)], 6.0);
        let c = Comparison::new(&[("x", &x), ("y", &y)], Metric::Conversions).unwrap();
        let leader = c.leader.unwrap();
        assert_eq!(leader.channel, "B");
        assert_eq!(leader.tied_with, ["A"]);
    }

    #[test]
    fn nothing_to_share() {
        let empty = result("linear", &[("PPC", 0.0), ("Email", 0.0)], 0.0);
        let c = Comparison::new(&[("linear", &empty)], Metric::Conversions).unwrap();
        assert!(c.channels.iter().all(|r| r.cells[0].share.is_none()));
        assert!(c.channels.iter().all(|r| r.cells[0].rank == 1));
        // Every channel tied: τ-b is undefined, even against itself.
        assert_eq!(c.kendall, [[None]]);
        assert!(c.spreads.is_empty());
    }

    #[test]
    fn errors() {
        let a = result("a", &[("PPC", 1.0)], 1.0);
        let none: [(&str, &Attribution); 0] = [];
        assert_eq!(
            Comparison::new(&none, Metric::Conversions),
            Err(CompareError::NoModels)
        );
        assert_eq!(
            Comparison::new(&[("a", &a), ("a", &a)], Metric::Conversions),
            Err(CompareError::DuplicateLabel("a".to_owned()))
        );
        let twice = result("t", &[("PPC", 1.0), ("PPC", 1.0)], 2.0);
        assert_eq!(
            Comparison::new(&[("t", &twice)], Metric::Conversions)
                .unwrap_err()
                .to_string(),
            "the result of `t` lists channel `PPC` twice"
        );
        let nan = result("n", &[("PPC", f64::NAN)], 1.0);
        assert_eq!(
            Comparison::new(&[("n", &nan)], Metric::Conversions)
                .unwrap_err()
                .to_string(),
            "the result of `n` has a non-finite credit of channel `PPC`"
        );
        let infinite = result("i", &[("PPC", 1.0)], f64::INFINITY);
        assert_eq!(
            Comparison::new(&[("i", &infinite)], Metric::Value)
                .unwrap_err()
                .to_string(),
            "the result of `i` has a non-finite total"
        );
    }
}
