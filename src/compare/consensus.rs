//! Where the models agree (the leader) and where they do not (rank
//! spreads, dissenting models).

use serde::{Deserialize, Serialize};

use super::comparison::{ChannelRow, ModelColumn};

/// The channel that ranks first under the most models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Leader {
    /// The channel.
    pub channel: String,
    /// Under how many models it ranks first (ties for first place count
    /// for every tied channel).
    pub first_under: usize,
    /// How many models were compared.
    pub models: usize,
    /// The channels with as many first places, which the tie break (lower
    /// sum of ranks, then channel order) put after it.
    pub tied_with: Vec<String>,
}

/// A channel whose rank differs between models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RankSpread {
    /// The channel.
    pub channel: String,
    /// Its best (lowest) rank.
    pub best_rank: usize,
    /// Its worst (highest) rank.
    pub worst_rank: usize,
    /// The models that give it its best rank.
    pub best_under: Vec<String>,
    /// The models that give it its worst rank.
    pub worst_under: Vec<String>,
}

/// A model whose first place is not the leader's channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Dissent {
    /// The model's label.
    pub model: String,
    /// The channels it ranks first.
    pub top: Vec<String>,
}

/// The channel with the most first places; ties broken by the lower sum of
/// ranks, then channel order.
pub(crate) fn leader(channels: &[ChannelRow], models: usize) -> Option<Leader> {
    let rank_sum = |r: &ChannelRow| r.cells.iter().map(|c| c.rank).sum::<usize>();
    // `min_by_key` keeps the first of equal keys: channel order breaks the
    // last tie.
    let best = channels
        .iter()
        .min_by_key(|r| (std::cmp::Reverse(r.first_places), rank_sum(r)))?;
    let tied_with = channels
        .iter()
        .filter(|r| r.first_places == best.first_places && r.channel != best.channel)
        .map(|r| r.channel.clone())
        .collect();
    Some(Leader {
        channel: best.channel.clone(),
        first_under: best.first_places,
        models,
        tied_with,
    })
}

/// Every channel whose best and worst ranks differ, the widest spread
/// first, then in channel order.
pub(crate) fn spreads(channels: &[ChannelRow], models: &[ModelColumn]) -> Vec<RankSpread> {
    let under = |r: &ChannelRow, rank: usize| -> Vec<String> {
        r.cells
            .iter()
            .zip(models)
            .filter(|(c, _)| c.rank == rank)
            .map(|(_, m)| m.label.clone())
            .collect()
    };
    let mut spreads: Vec<RankSpread> = channels
        .iter()
        .filter(|r| r.worst_rank > r.best_rank)
        .map(|r| RankSpread {
            channel: r.channel.clone(),
            best_rank: r.best_rank,
            worst_rank: r.worst_rank,
            best_under: under(r, r.best_rank),
            worst_under: under(r, r.worst_rank),
        })
        .collect();
    // Stable: equal spreads keep channel order.
    spreads.sort_by_key(|s| std::cmp::Reverse(s.worst_rank - s.best_rank));
    spreads
}

/// The models whose first places do not include the leader's channel.
pub(crate) fn dissents(leader: Option<&Leader>, models: &[ModelColumn]) -> Vec<Dissent> {
    let Some(leader) = leader else {
        return Vec::new();
    };
    models
        .iter()
        .filter(|m| !m.top.contains(&leader.channel))
        .map(|m| Dissent {
            model: m.label.clone(),
            top: m.top.clone(),
        })
        .collect()
}
