//! The distinct-rows mode: the recipe of the shared synthetic fixture, one
//! distinct path per row, each with its own journey count.

use std::collections::HashSet;
use std::io::{BufWriter, Write};

use rand::SeedableRng;
use rand::distr::Distribution;
use rand_chacha::ChaCha8Rng;
use rand_distr::Geometric;

use super::config::invalid;
use super::csv::{write_header, write_row};
use super::draws::{Terms, draw_effects, draw_outcome, value_law};
use super::law::{RecipeLaw, RecipeSampler};
use crate::channel::ChannelId;
use crate::error::SimulateError;

/// Configuration of the distinct-rows generator: aggregated paths, one
/// **distinct** path per row, each row with its own journey count.
///
/// This is the recipe of the shared fixture `synthetic/paths_100000_12.csv`
/// and of the benchmarks (the `gen_paths` example). It shares its code with
/// [`simulate`](super::simulate): the same touch law ([`RecipeLaw`] with the
/// parameters below), the same effects draw, the same conversion law (a
/// [`TruthModel`](crate::truth::TruthModel) with presence weights, bound to
/// the channels), the same value draw and the same CSV writer. It differs in
/// how rows are formed (§ "rows" below) and in its options. The defaults are
/// the fixture's parameters:
///
/// * channels `ch00`.. ([`channel_names`](super::channel_names)), weights
///   ∝ 1/rank^`popularity_exponent`;
/// * length = min(`max_len`, Geometric(`length_p`)) counted in trials (≥ 1);
/// * first touch by popularity; each later touch repeats the previous
///   channel with probability `repeat_prob`, else is drawn by popularity;
/// * **rows**: a path already written is discarded and drawn again (so long
///   paths are more frequent than the raw length law); journeys per row =
///   Geometric(`journeys_p`) trials (≥ 1);
/// * conversions ~ Binomial(journeys, p) with p = σ(`base_logit` + Σ β_c
///   over the distinct channels + `length_logit`·min(L − 1,
///   `length_logit_cap`)), β_c drawn once per channel from N(0,
///   `effect_sd`); the other journeys are nulls;
/// * value = Σ of one LogNormal(`value_mu`, `value_sigma`) per conversion,
///   rounded to 3 decimals (written with three decimals, `0.000` for
///   non-converting rows).
///
/// Draw order (ChaCha8 seeded with `seed`): the β of every channel; then per
/// attempt the path (as [`RecipeLaw`]); for a new path the journey count,
/// the conversions and the values. The fixture itself was made with another
/// generator, so its rows differ but its statistics are the same.
///
/// # Memory
///
/// Distinctness is checked on a 64-bit hash of each path (a `HashSet<u64>`,
/// ≈ 16 bytes per row). A hash collision can only make the generator re-draw
/// a path that was in fact new, never write a duplicate.
///
/// # Example
///
/// ```
/// use attribution::simulate::PathsConfig;
///
/// let mut csv = Vec::new();
/// let summary = PathsConfig::new(100, 5, 7).write_to(&mut csv)?;
/// assert_eq!(summary.rows, 100);
/// let text = String::from_utf8(csv)?;
/// assert!(text.starts_with("path,total_conversions,total_null,total_conversion_value\n"));
/// assert_eq!(text.lines().count(), 101);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PathsConfig {
    /// Number of rows (distinct paths).
    pub paths: usize,
    /// Number of channels (≥ 1).
    pub channels: usize,
    /// Seed of the random generator.
    pub seed: u64,
    /// Longest path, in touches (default 20).
    pub max_len: usize,
    /// Success probability of the path-length geometric law (default 0.3).
    pub length_p: f64,
    /// Probability that a touch repeats the previous channel (default 0.25).
    pub repeat_prob: f64,
    /// Popularity exponent: weight of rank r is 1/r^exponent (default 0.9).
    pub popularity_exponent: f64,
    /// Success probability of the journeys-per-row geometric law (default 0.35).
    pub journeys_p: f64,
    /// Intercept of the conversion logit (default −2.2).
    pub base_logit: f64,
    /// Standard deviation of the per-channel logit effects (default 0.35).
    pub effect_sd: f64,
    /// Logit increment per extra touch (default 0.15).
    pub length_logit: f64,
    /// Cap on the number of extra touches counted in the logit (default 6).
    pub length_logit_cap: usize,
    /// Log-scale mean of the per-conversion value (default 3.0).
    pub value_mu: f64,
    /// Log-scale standard deviation of the per-conversion value (default 0.6).
    pub value_sigma: f64,
    /// Field delimiter (default `b','`).
    pub delimiter: u8,
    /// Separator between the touches of a path (default `" > "`).
    pub separator: String,
}

impl Default for PathsConfig {
    fn default() -> Self {
        Self {
            paths: 100_000,
            channels: 12,
            seed: 42,
            max_len: 20,
            length_p: 0.3,
            repeat_prob: 0.25,
            popularity_exponent: 0.9,
            journeys_p: 0.35,
            base_logit: -2.2,
            effect_sd: 0.35,
            length_logit: 0.15,
            length_logit_cap: 6,
            value_mu: 3.0,
            value_sigma: 0.6,
            delimiter: b',',
            separator: " > ".to_owned(),
        }
    }
}

/// What [`PathsConfig::write_to`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PathsSummary {
    /// Data rows written (distinct paths).
    pub rows: usize,
    /// Σ `total_conversions`.
    pub conversions: u64,
    /// Σ `total_null`.
    pub nulls: u64,
    /// Σ `total_conversion_value`, in thousandths (exact: each row's value is
    /// written with three decimals).
    pub value_thousandths: u64,
    /// Rows with `total_conversions` > 0.
    pub converting_rows: usize,
    /// Σ path lengths (touches), to get the mean length.
    pub touches: u64,
}

/// Consecutive duplicate draws after which the generator gives up.
const MAX_CONSECUTIVE_DUPLICATES: usize = 100_000;

impl PathsConfig {
    /// `paths` rows over `channels` channels with `seed`; every other field
    /// at its default (the fixture recipe).
    #[must_use]
    pub fn new(paths: usize, channels: usize, seed: u64) -> Self {
        Self {
            paths,
            channels,
            seed,
            ..Self::default()
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    ///
    /// [`SimulateError::InvalidConfig`] naming the first bad field, also
    /// when more distinct paths are asked for than exist.
    pub fn validate(&self) -> Result<(), SimulateError> {
        at_least("channels", self.channels, 1)?;
        at_least("max_len", self.max_len, 1)?;
        probability("length_p", self.length_p, false)?;
        probability("repeat_prob", self.repeat_prob, true)?;
        probability("journeys_p", self.journeys_p, false)?;
        finite("popularity_exponent", self.popularity_exponent)?;
        finite("base_logit", self.base_logit)?;
        finite("effect_sd", self.effect_sd)?;
        finite("length_logit", self.length_logit)?;
        finite("value_mu", self.value_mu)?;
        finite("value_sigma", self.value_sigma)?;
        if self.effect_sd < 0.0 || self.value_sigma < 0.0 {
            return Err(invalid(
                "effect_sd/value_sigma",
                "must be non-negative".to_owned(),
            ));
        }
        if self.separator.is_empty() || self.separator.as_bytes().contains(&self.delimiter) {
            return Err(invalid(
                "separator",
                format!(
                    "must be non-empty and must not contain the delimiter, got {:?}",
                    self.separator
                ),
            ));
        }
        if !self.delimiter.is_ascii() || matches!(self.delimiter, b'"' | b'\n' | b'\r') {
            return Err(invalid(
                "delimiter",
                format!(
                    "must be an ASCII character other than a quote or a line break, got {:?}",
                    char::from(self.delimiter)
                ),
            ));
        }
        let capacity = path_space(self.channels, self.max_len);
        if u128::try_from(self.paths).unwrap_or(u128::MAX) > capacity {
            return Err(invalid(
                "paths",
                format!(
                    "asks for {} distinct paths but only {capacity} exist with {} channels and \
                     at most {} touches",
                    self.paths, self.channels, self.max_len
                ),
            ));
        }
        Ok(())
    }

    /// Writes the header and `paths` rows to `out` (buffered internally) and
    /// returns what was written.
    ///
    /// # Errors
    ///
    /// [`SimulateError::InvalidConfig`] for a bad configuration (nothing
    /// written), [`SimulateError::Io`] when writing fails,
    /// [`SimulateError::Exhausted`] when 100 000 consecutive draws give only
    /// paths already written (the space is nearly used up),
    /// [`SimulateError::Truth`] when a drawn effect is not finite.
    ///
    /// # Complexity
    ///
    /// O(rows × mean length) time, O(rows) memory (8 bytes of hash per row).
    pub fn write_to<W: Write>(&self, out: W) -> Result<PathsSummary, SimulateError> {
        self.validate()?;
        let mut out = BufWriter::with_capacity(1 << 16, out);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let recipe = RecipeLaw::with_parameters(
            self.channels,
            self.max_len,
            self.length_p,
            self.repeat_prob,
            self.popularity_exponent,
        )?;
        let sampler = RecipeSampler::new(&recipe)?;
        let channels = recipe.channels();
        let delimiter = char::from(self.delimiter);
        let terms = Terms {
            intercept: self.base_logit,
            length: self.length_logit,
            length_cap: u32::try_from(self.length_logit_cap).unwrap_or(u32::MAX),
            half_life: None,
            effect_sd: self.effect_sd,
            synergy_sd: 0.0,
        };
        let truth = draw_effects(&mut rng, channels, &terms)?.bind(channels)?;
        let journeys_law =
            Geometric::new(self.journeys_p).map_err(|e| invalid("journeys_p", e.to_string()))?;
        let value = value_law(self.value_mu, self.value_sigma)?;

        write_header(&mut out, delimiter)?;
        let mut seen: HashSet<u64> = HashSet::with_capacity(self.paths);
        let mut path: Vec<ChannelId> = Vec::with_capacity(self.max_len);
        let mut summary = PathsSummary::default();
        let mut duplicates = 0usize;
        while summary.rows < self.paths {
            sampler.draw(&mut rng, &mut path);
            if !seen.insert(path_hash(&path)) {
                duplicates += 1;
                if duplicates >= MAX_CONSECUTIVE_DUPLICATES {
                    out.flush()?;
                    return Err(SimulateError::Exhausted {
                        rows_written: summary.rows,
                        attempts: duplicates,
                    });
                }
                continue;
            }
            duplicates = 0;

            let journeys = journeys_law.sample(&mut rng).saturating_add(1);
            let (conversions, thousandths) =
                draw_outcome(&mut rng, journeys, truth.probability(&path), &value)?;
            let names = path.iter().map(|&c| channels.name(c).unwrap_or_default());
            let nulls = journeys.saturating_sub(conversions);
            write_row(
                &mut out,
                names,
                &self.separator,
                delimiter,
                conversions,
                nulls,
                thousandths / 1000.0,
            )?;

            summary.rows += 1;
            summary.conversions = summary.conversions.saturating_add(conversions);
            summary.nulls = summary.nulls.saturating_add(nulls);
            summary.value_thousandths =
                summary.value_thousandths.saturating_add(whole(thousandths));
            summary.converting_rows += usize::from(conversions > 0);
            summary.touches = summary
                .touches
                .saturating_add(u64::try_from(path.len()).unwrap_or(u64::MAX));
        }
        out.flush()?;
        Ok(summary)
    }
}

/// A rounded, non-negative, finite count of thousandths as `u64`
/// (saturating; values here stay far below 2^53).
fn whole(thousandths: f64) -> u64 {
    if (0.0..18_446_744_073_709_551_615.0).contains(&thousandths) {
        // In range and integral (rounded): exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = thousandths as u64;
        n
    } else {
        0
    }
}

fn at_least(field: &'static str, value: usize, min: usize) -> Result<(), SimulateError> {
    if value >= min {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("must be at least {min}, got {value}"),
        ))
    }
}

fn probability(field: &'static str, p: f64, allow_zero: bool) -> Result<(), SimulateError> {
    if p.is_finite() && p <= 1.0 && (p > 0.0 || (allow_zero && p == 0.0)) {
        Ok(())
    } else {
        let range = if allow_zero { "[0, 1]" } else { "(0, 1]" };
        Err(invalid(
            field,
            format!("must be a probability in {range}, got {p}"),
        ))
    }
}

fn finite(field: &'static str, value: f64) -> Result<(), SimulateError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(invalid(field, format!("must be finite, got {value}")))
    }
}

/// Number of distinct non-empty paths of at most `max_len` touches over
/// `channels` channels (saturating).
fn path_space(channels: usize, max_len: usize) -> u128 {
    let c = u128::try_from(channels).unwrap_or(u128::MAX);
    let mut power: u128 = 1;
    let mut total: u128 = 0;
    for _ in 0..max_len {
        power = power.saturating_mul(c);
        total = total.saturating_add(power);
        if total == u128::MAX {
            break;
        }
    }
    total
}

/// A well-mixed 64-bit hash of a path (SplitMix64 finaliser folded over the
/// touches). Deterministic across platforms and Rust versions, unlike
/// `DefaultHasher`.
fn path_hash(path: &[ChannelId]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15 ^ u64::try_from(path.len()).unwrap_or(u64::MAX);
    for &channel in path {
        h = mix(h ^ u64::from(channel.get()).wrapping_add(0x632B_E59B_D9B4_E019));
    }
    h
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(raw: &[usize]) -> Vec<ChannelId> {
        raw.iter()
            .map(|&i| ChannelId::from_index(i).unwrap())
            .collect()
    }

    #[test]
    fn path_hash_separates_order_and_length() {
        assert_ne!(path_hash(&ids(&[0, 1])), path_hash(&ids(&[1, 0])));
        assert_ne!(path_hash(&ids(&[0])), path_hash(&ids(&[0, 0])));
        assert_eq!(path_hash(&ids(&[3, 1, 4])), path_hash(&ids(&[3, 1, 4])));
    }

    #[test]
    fn path_space_counts_and_saturates() {
        assert_eq!(path_space(2, 3), 14);
        assert_eq!(path_space(12, 1), 12);
        assert_eq!(path_space(1000, 100), u128::MAX);
    }

    #[test]
    fn whole_converts_rounded_thousandths() {
        assert_eq!(whole(0.0), 0);
        assert_eq!(whole(12_345.0), 12_345);
        assert_eq!(whole(f64::NAN), 0);
    }
}
