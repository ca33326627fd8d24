//! The per-journey simulation: [`simulate`] and its result, [`Simulated`].

use std::io::{self, BufWriter, Write};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;

use super::config::{SimulationConfig, invalid};
use super::csv::{write_header, write_row};
use super::draws::{Terms, draw_effects, draw_outcome, value_law};
use super::intercept::solve_intercept;
use super::law::{Sampler, TouchLaw};
use crate::channel::{ChannelId, Channels};
use crate::error::{JourneyError, SimulateError};
use crate::journey::Journey;
use crate::truth::TruthModel;

/// The intercept of the recipe (without a fitted law).
pub const RECIPE_INTERCEPT: f64 = -2.2;
/// Log-scale mean of the per-conversion value.
pub const VALUE_MU: f64 = 3.0;
/// Log-scale standard deviation of the per-conversion value.
pub const VALUE_SIGMA: f64 = 0.6;

/// One distinct simulated path and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedRow {
    /// The touches, ids of [`Simulated::channels`].
    pub path: Vec<ChannelId>,
    /// Journeys of this path that converted.
    pub conversions: u64,
    /// Journeys of this path that did not.
    pub nulls: u64,
    /// Σ of one LogNormal(3.0, 0.6) draw per conversion, rounded to 3
    /// decimals (the nearest double to the written decimal).
    pub value: f64,
}

/// What [`simulate`] drew: the channel table, one row per distinct path in
/// order of first occurrence, and the truth model the conversions were
/// drawn from (with its solved intercept).
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// The channels: the law's (`ch00`.. or the input's), in channel order.
    pub channels: Channels,
    /// The distinct paths, in order of first occurrence.
    pub rows: Vec<SimulatedRow>,
    /// The truth model: every parameter used, the intercept included.
    pub effects: TruthModel,
}

impl Simulated {
    /// Writes the rows in the paths shape: the header
    /// `path,total_conversions,total_null,total_conversion_value`, then one
    /// line per row, touches joined by ` > ` (the path field quoted when a
    /// name holds a comma or a quote) and the value with three decimals.
    /// Reading it back with the paths reader gives [`Simulated::journeys`].
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::InvalidInput`] when a channel name holds a line
    /// break or `>` (it would not read back as one channel); errors of `out`.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::simulate::{simulate, SimulationConfig, TouchLaw};
    ///
    /// let config = SimulationConfig { journeys: 50, channels: 3, ..SimulationConfig::default() };
    /// let simulated = simulate(&config, &TouchLaw::recipe(3)?)?;
    /// let mut csv = Vec::new();
    /// simulated.write_paths_csv(&mut csv)?;
    /// let text = String::from_utf8(csv)?;
    /// assert!(text.starts_with("path,total_conversions,total_null,total_conversion_value\n"));
    /// assert_eq!(text.lines().count(), simulated.rows.len() + 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_paths_csv<W: Write>(&self, out: W) -> io::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 16, out);
        write_header(&mut out, ',')?;
        for row in &self.rows {
            let names = row
                .path
                .iter()
                .map(|&c| self.channels.name(c).unwrap_or_default());
            write_row(
                &mut out,
                names,
                " > ",
                ',',
                row.conversions,
                row.nulls,
                row.value,
            )?;
        }
        out.flush()
    }

    /// The rows as journeys, ids of [`Simulated::channels`]: one per row with
    /// its conversions, non-conversions and value, untimed, as the paths
    /// reader makes them from the written CSV. Models can observe them
    /// without a CSV round trip.
    ///
    /// # Errors
    ///
    /// Each item is a [`Journey::from_channels`] result; simulated rows
    /// always satisfy its invariants.
    #[must_use]
    pub fn journeys(&self) -> impl ExactSizeIterator<Item = Result<Journey, JourneyError>> + '_ {
        self.rows
            .iter()
            .map(|row| Journey::from_channels(&row.path, row.conversions, row.nulls, row.value))
    }

    /// The number of simulated journeys, Σ (conversions + nulls).
    #[must_use]
    pub fn total_journeys(&self) -> u64 {
        self.rows.iter().fold(0u64, |n, r| {
            n.saturating_add(r.conversions).saturating_add(r.nulls)
        })
    }

    /// The number of simulated conversions.
    #[must_use]
    pub fn total_conversions(&self) -> u64 {
        self.rows
            .iter()
            .fold(0u64, |n, r| n.saturating_add(r.conversions))
    }
}

/// Simulates `config.journeys` journeys from `law` and a truth model drawn
/// from `config`, in the steps of the `attribution simulate` command:
///
/// 1. The channels and touch law: `law` (the recipe over
///    `config.channels` channels, or a fitted law, whose channels are the
///    input's and for which `config.channels` is ignored).
/// 2. Effects: β_c ~ N(0, effect_sd) per channel in channel order, then, if
///    synergy_sd > 0, γ_cd ~ N(0, synergy_sd) for every pair c before d in
///    (c, d) order; the half-life, length effect ℓ and cap K of `config`.
/// 3. The paths of N journeys drawn from the law, one after the other;
///    identical paths are merged into one row, rows in order of first
///    occurrence.
/// 4. The intercept: −2.2 with the recipe; with a fitted law, the b0 that
///    makes the expected conversion rate of the simulated journeys equal
///    the input's r\* ([`solve_intercept`]).
/// 5. Per row, in row order: conversions ~ Binomial(N_P, p(P)) with p(P)
///    from the truth model ([`BoundTruth::probability`](crate::truth::BoundTruth::probability)),
/// 6. then one LogNormal(3.0, 0.6) value per conversion, summed and rounded
///    to 3 decimals.
///
/// The generator is ChaCha8 seeded with `config.seed` (`seed_from_u64`),
/// whose stream is specified and portable; the draws come in the order
/// above. Generation is sequential, so the result depends only on `config`
/// and `law`, never on threads.
///
/// # Complexity
///
/// O(N × mean length) time for the paths (a hash lookup per journey),
/// O(distinct paths × mean length) memory, plus O(distinct paths) per
/// intercept solver step.
///
/// # Errors
///
/// [`SimulateError::InvalidConfig`] for a bad `config` (see
/// [`SimulationConfig::validate`]) or a recipe law whose channel count is
/// not `config.channels`; with a fitted law [`SimulateError::NoConversions`]
/// / [`SimulateError::NoNonConversions`] when its conversion rate is 0 or
/// 1; [`SimulateError::Truth`] when a drawn effect is not finite (an
/// effect_sd near the largest double).
///
/// # Example
///
/// ```
/// use attribution::simulate::{simulate, SimulationConfig, TouchLaw};
///
/// let config = SimulationConfig { journeys: 1_000, ..SimulationConfig::default() };
/// let simulated = simulate(&config, &TouchLaw::recipe(config.channels)?)?;
/// assert_eq!(simulated.total_journeys(), 1_000);
/// assert_eq!(simulated.effects.intercept(), -2.2);
/// assert_eq!(simulated.effects.channels().len(), 12);
/// // The same configuration gives the same rows.
/// assert_eq!(simulate(&config, &TouchLaw::recipe(12)?)?, simulated);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(config: &SimulationConfig, law: &TouchLaw) -> Result<Simulated, SimulateError> {
    config.validate()?;
    if let TouchLaw::Recipe(recipe) = law
        && recipe.channels().len() != config.channels
    {
        return Err(invalid(
            "channels",
            format!(
                "the recipe law has {} channels but the configuration asks for {}",
                recipe.channels().len(),
                config.channels
            ),
        ));
    }
    let channels = law.channels().clone();
    let sampler = Sampler::new(law)?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let terms = Terms {
        intercept: RECIPE_INTERCEPT,
        length: config.length_effect,
        length_cap: config.length_cap,
        half_life: config.half_life,
        effect_sd: config.effect_sd,
        synergy_sd: config.synergy_sd,
    };
    let mut effects = draw_effects(&mut rng, &channels, &terms)?;

    let mut index: FxHashMap<Vec<ChannelId>, usize> = FxHashMap::default();
    let mut paths: Vec<(Vec<ChannelId>, u64)> = Vec::new();
    let mut path = Vec::new();
    for _ in 0..config.journeys {
        sampler.draw(&mut rng, &mut path);
        if let Some(&i) = index.get(path.as_slice()) {
            if let Some((_, n)) = paths.get_mut(i) {
                *n += 1;
            }
        } else {
            index.insert(path.clone(), paths.len());
            paths.push((path.clone(), 1));
        }
    }
    drop(index);

    if let TouchLaw::Fitted(fitted) = law {
        effects.set_intercept(0.0)?;
        let zero = effects.bind(&channels)?;
        let etas: Vec<(f64, u64)> = paths.iter().map(|(p, n)| (zero.z(p), *n)).collect();
        let b0 = solve_intercept(&etas, fitted.conversion_rate())?;
        effects.set_intercept(b0.value)?;
    }

    let bound = effects.bind(&channels)?;
    let value = value_law(VALUE_MU, VALUE_SIGMA)?;
    let mut rows = Vec::with_capacity(paths.len());
    for (path, journeys) in paths {
        let (conversions, thousandths) =
            draw_outcome(&mut rng, journeys, bound.probability(&path), &value)?;
        rows.push(SimulatedRow {
            path,
            conversions,
            nulls: journeys.saturating_sub(conversions),
            value: thousandths / 1000.0,
        });
    }
    Ok(Simulated {
        channels,
        rows,
        effects,
    })
}
