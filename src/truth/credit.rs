//! The exact true credit: the Shapley value of each path's conversion
//! probability over its distinct channels, weighted by the path's journeys.

use crate::channel::{ChannelId, Channels};
use crate::error::TruthError;
use crate::numeric::{CompensatedSum, count_to_f64};

use super::model::{BoundTruth, TruthModel};
use super::path_game::{MAX_PATH_CHANNELS, PathGame};
use super::paths::TruthPaths;
use super::true_credit::TrueCredit;

/// Distinct paths per unit of parallel work.
const CHUNK: usize = 512;

/// The exact true credit of every channel under `model` on the journeys of
/// `paths`.
///
/// For a distinct path P with N_P journeys and k distinct channels, the game
/// over its channels is v(T) = p(P|T) − σ(b0), where P|T drops the touches
/// of channels outside T (order and repeats kept), so removing a channel
/// shortens the path (length term) and moves the remaining touches closer to
/// its end (recency). Then
///
/// ```text
/// φ_c(P)   = Σ_{T ⊆ S∖{c}} w(|T|)·[v(T ∪ {c}) − v(T)],   w(s) = s!(k − s − 1)!/k!
/// truth_c  = Σ_P N_P·φ_c(P)
/// baseline = Σ_P N_P·σ(b0)
/// ```
///
/// and Σ_c truth_c + baseline = Σ_P N_P·p(P), the expected conversions of the
/// input under the model (efficiency). Observed conversions are not used.
///
/// # Arguments
///
/// * `channels`: the input's channel table; the rows come in its order, one
///   per channel, 0 for a channel no path touches. A channel of `paths`
///   outside `channels` gets a row after them (in the order of
///   [`TruthPaths::channels`]) so that no credit is lost.
///
/// # Returns
///
/// A [`TrueCredit`] with the rows and the baseline.
///
/// # Errors
///
/// * [`TruthError::MissingChannel`] (`file = "effects"`) for the first
///   channel of `channels`, then of `paths`, without a row in `model`;
/// * [`TruthError::PathTooWide`] for the first path (in the order of
///   [`TruthPaths::paths`]) with more than 20 distinct channels, named with
///   its touches joined by ` > ` (`line` is `None`: paths do not keep lines).
///
/// # Complexity
///
/// O(Σ_P 2^k·k) time for presence without pairs, O(Σ_P 2^k·k²) with pairs or
/// recency, plus O(D log D) to order the D distinct paths; O(2^k) memory per
/// worker thread. With the `parallel` feature, paths are evaluated on all
/// cores; the per-path values are then added in one fixed order (paths
/// sorted by their name sequences, compensated sums), so the result is
/// bit-identical for any thread count, with or without the feature, and for
/// any split of the input into merged [`TruthPaths`].
///
/// # Example
///
/// The `LinkedIn > PPC` path with a recency half-life of 2 touches:
///
/// ```
/// use attribution::Channels;
/// use attribution::truth::{TruthModel, TruthPaths, true_credit};
///
/// let mut model = TruthModel::new(-1.5, 0.25, 2)?.with_half_life(2.0)?;
/// model.add_channel("LinkedIn", 0.9)?;
/// model.add_channel("PPC", 0.2)?;
/// let mut paths = TruthPaths::new();
/// paths.observe_path(&["LinkedIn", "PPC"], 1)?;
/// let truth = true_credit(&model, &paths, paths.channels())?;
/// assert!((truth.get("LinkedIn").unwrap() - 0.177901).abs() < 1e-6);
/// assert!((truth.get("PPC").unwrap() - 0.037722).abs() < 1e-6);
/// assert!((truth.expected_conversions().unwrap() - 0.398048).abs() < 1e-6);
/// # Ok::<(), attribution::TruthError>(())
/// ```
pub fn true_credit(
    model: &TruthModel,
    paths: &TruthPaths,
    channels: &Channels,
) -> Result<TrueCredit, TruthError> {
    for (_, name) in channels.iter() {
        if model.beta(name).is_none() {
            return Err(TruthError::MissingChannel {
                channel: name.to_owned(),
                file: "effects",
            });
        }
    }
    let own = paths.channels();
    let bound = model.bind(own)?;
    check_width(paths)?;

    // Rows: the input's channels, then the paths' channels outside them.
    let mut rows: Vec<(String, CompensatedSum)> = channels
        .iter()
        .map(|(_, name)| (name.to_owned(), CompensatedSum::default()))
        .collect();
    let mut row_of = Vec::with_capacity(own.len());
    for (_, name) in own.iter() {
        let row = match channels.get(name) {
            Some(id) => id.index(),
            None => {
                rows.push((name.to_owned(), CompensatedSum::default()));
                rows.len() - 1
            }
        };
        row_of.push(row);
    }

    let all: Vec<(&[ChannelId], u64)> = paths.paths().collect();
    let order = sorted_by_names(&all, own);
    let chunks: Vec<&[usize]> = order.chunks(CHUNK).collect();
    let credits = crate::parallel::map_init(&chunks, PathGame::default, |game, chunk| {
        let mut out: Vec<(ChannelId, f64)> = Vec::new();
        for path in chunk.iter().filter_map(|&i| all.get(i)).map(|p| p.0) {
            let phi = game
                .shapley(&bound, path)
                .map_err(|e| too_wide(path, own, e.channels))?;
            out.extend(phi);
        }
        Ok::<_, TruthError>(out)
    });

    let base = bound.baseline_probability();
    let mut baseline = CompensatedSum::default();
    for (chunk, credit) in chunks.iter().zip(credits) {
        let mut credit = credit?.into_iter();
        for &(path, n) in chunk.iter().filter_map(|&i| all.get(i)) {
            let weight = count_to_f64(n);
            baseline.add(weight * base);
            let k = distinct(path);
            for (channel, phi) in credit.by_ref().take(k) {
                if let Some((_, sum)) = row_of.get(channel.index()).and_then(|&r| rows.get_mut(r)) {
                    sum.add(weight * phi);
                }
            }
        }
    }
    let rows = rows
        .into_iter()
        .map(|(name, sum)| (name, sum.value()))
        .collect();
    Ok(TrueCredit::new(rows, Some(baseline.value())))
}

/// The Shapley value φ_c(P) of each distinct channel of one path under a
/// bound truth model: the true credit of one journey with this path (see
/// [`true_credit`] for the game).
///
/// Returns `(channel, φ)` in order of first appearance in `path`; the empty
/// path gives an empty list. The values sum to p(P) − σ(b0) up to rounding
/// (v(S) itself is computed exactly as [`BoundTruth::probability`] computes
/// p(P), so only the sum of the weighted differences rounds).
///
/// # Errors
///
/// [`TruthError::PathTooWide`] above 20 distinct channels, the path named by
/// its channel ids joined by ` > `.
///
/// # Complexity
///
/// O(2^k·k) time (O(2^k·k²) with pairs or recency) and O(2^k) memory.
///
/// # Example
///
/// ```
/// use attribution::Channels;
/// use attribution::truth::{TruthModel, path_credit};
///
/// let mut channels = Channels::new();
/// let email = channels.intern("Email")?;
/// let linkedin = channels.intern("LinkedIn")?;
/// let mut model = TruthModel::new(-1.5, 0.25, 2)?.with_half_life(2.0)?;
/// model.add_channel("Email", -0.6)?;
/// model.add_channel("LinkedIn", 0.9)?;
/// let bound = model.bind(&channels)?;
/// let phi = path_credit(&bound, &[email, email, linkedin])?;
/// assert_eq!(phi[0].0, email);
/// assert!((phi[0].1 - -0.014520).abs() < 1e-6);
/// assert!((phi[1].1 - 0.203950).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn path_credit(
    bound: &BoundTruth,
    path: &[ChannelId],
) -> Result<Vec<(ChannelId, f64)>, TruthError> {
    let mut game = PathGame::default();
    match game.shapley(bound, path) {
        Ok(phi) => Ok(phi.collect()),
        Err(e) => Err(TruthError::PathTooWide {
            path: join(path.iter().map(ToString::to_string)),
            line: None,
            channels: e.channels,
            max: MAX_PATH_CHANNELS,
        }),
    }
}

/// Stops at the first path (in listing order) with more than the cap of
/// distinct channels.
fn check_width(paths: &TruthPaths) -> Result<(), TruthError> {
    let mut seen: Vec<ChannelId> = Vec::with_capacity(MAX_PATH_CHANNELS + 1);
    for (path, _) in paths.paths() {
        seen.clear();
        for &c in path {
            if !seen.contains(&c) {
                seen.push(c);
                if seen.len() > MAX_PATH_CHANNELS {
                    let mut all = path.to_vec();
                    all.sort_unstable();
                    all.dedup();
                    return Err(too_wide(path, paths.channels(), all.len()));
                }
            }
        }
    }
    Ok(())
}

fn too_wide(path: &[ChannelId], channels: &Channels, k: usize) -> TruthError {
    TruthError::PathTooWide {
        path: join(
            path.iter()
                .map(|&c| channels.name(c).unwrap_or("?").to_owned()),
        ),
        line: None,
        channels: k,
        max: MAX_PATH_CHANNELS,
    }
}

fn join(touches: impl Iterator<Item = String>) -> String {
    touches.collect::<Vec<_>>().join(" > ")
}

/// The number of distinct channels of a path.
fn distinct(path: &[ChannelId]) -> usize {
    let mut seen: Vec<ChannelId> = Vec::with_capacity(path.len().min(MAX_PATH_CHANNELS));
    for &c in path {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.len()
}

/// The indices of `paths` sorted by their sequences of channel names
/// (lexicographic, a prefix first): an order that depends only on the paths'
/// content, not on channel ids or on the order of observation.
fn sorted_by_names(paths: &[(&[ChannelId], u64)], channels: &Channels) -> Vec<usize> {
    let mut by_name: Vec<(ChannelId, &str)> = channels.iter().collect();
    by_name.sort_unstable_by(|a, b| a.1.cmp(b.1));
    let mut rank = vec![0usize; channels.len()];
    for (r, (id, _)) in by_name.iter().enumerate() {
        if let Some(slot) = rank.get_mut(id.index()) {
            *slot = r;
        }
    }
    let key = |i: usize| {
        paths
            .get(i)
            .map(|p| p.0)
            .unwrap_or_default()
            .iter()
            .map(|c| rank.get(c.index()).copied().unwrap_or(0))
    };
    let mut order: Vec<usize> = (0..paths.len()).collect();
    order.sort_unstable_by(|&a, &b| key(a).cmp(key(b)));
    order
}
