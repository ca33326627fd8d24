//! The raw-events generator.

use std::io::{BufWriter, Write};

use rand::Rng;
use rand::SeedableRng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Geometric, LogNormal};

use crate::error::{SyntheticError, check_at_least, check_finite, check_probability};
use crate::names::{channel_names, digits, popularity_weights};
use crate::time::write_rfc3339_utc;

/// Row order of the events file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EventOrder {
    /// Sorted by user, then time (each user's rows are contiguous). Streams: only one
    /// user is held in memory.
    #[default]
    SortedByUserTime,
    /// Rows shuffled within blocks of [`EventsConfig::block_users`] consecutive users:
    /// any row order a reader must cope with, at bounded memory (one block of rows,
    /// ≈ 32 bytes a row). Users never straddle two blocks.
    ShuffledInBlocks,
}

/// Configuration of the raw-events generator.
///
/// Writes the *events* shape `user_id,timestamp,channel,conversion,value`: one row per
/// touch (`conversion` = 0, `value` = 0) and one row per purchase with an **empty
/// channel**, `conversion` = 1 and the revenue, strictly later than the touch before it.
/// Timestamps are RFC 3339 UTC with `Z` and whole seconds; user ids are `u` plus a
/// zero-padded index. Behaviour per user:
///
/// * a row budget k = Geometric(1 / mean) trials, mean = `target_events / users`, so
///   the file has about `target_events` rows (± a few per mille for large files);
/// * the user converts when k ≥ 2, with probability
///   logistic(−2 + 0.15·min(k − 2, 10)) (longer journeys convert more); with
///   probability `second_conversion_prob` a user with k ≥ 5 converts a second time,
///   in the middle of the journey, and carries on afterwards;
/// * touches come in sessions of Geometric(0.55) touches, 20 s to 10 min apart; a
///   purchase ends its session, 1 to 30 min after its last touch;
/// * between sessions the gap is log-uniform between 30 min and 10 days, or, with
///   probability `return_prob`, 2 to 17 weeks (users coming back after weeks/months);
/// * channels: a session's first touch is `Direct` with probability `direct_prob`
///   (doubled for returning sessions), else the user's favourite channel (35 %), else
///   a channel drawn by popularity 1/rank^0.9; later touches of a session repeat the
///   previous channel half of the time;
/// * first visits are spread uniformly over `span_days` from `start_unix`;
/// * purchase values are LogNormal(`value_mu`, `value_sigma`), two decimals.
///
/// Channel names are `ch00`.. ([`crate::channel_names`]) plus `Direct`, so the file has
/// up to `channels + 1` distinct channel names.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsConfig {
    /// Number of users (≥ 1).
    pub users: usize,
    /// Rows to aim for (≥ `users`); the actual count is random around it.
    pub target_events: usize,
    /// Number of marketing channels (`Direct` comes on top).
    pub channels: usize,
    /// Seed of the random generator.
    pub seed: u64,
    /// Row order.
    pub order: EventOrder,
    /// Users per shuffled block (default 16 384).
    pub block_users: usize,
    /// First possible timestamp, Unix seconds (default 2024-01-01T00:00:00Z).
    pub start_unix: i64,
    /// Days over which the users' first visits are spread (default 180).
    pub span_days: u32,
    /// Probability that a session starts with a `Direct` visit (default 0.15).
    pub direct_prob: f64,
    /// Probability that the gap before a session is weeks to months (default 0.12).
    pub return_prob: f64,
    /// Probability that a converting user with ≥ 5 rows converts twice (default 0.1).
    pub second_conversion_prob: f64,
    /// Log-scale mean of a purchase value (default 4.0, i.e. about 75 on average).
    pub value_mu: f64,
    /// Log-scale standard deviation of a purchase value (default 0.8).
    pub value_sigma: f64,
    /// Field delimiter (default `b','`).
    pub delimiter: u8,
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self {
            users: 100_000,
            target_events: 1_000_000,
            channels: 12,
            seed: 42,
            order: EventOrder::SortedByUserTime,
            block_users: 16_384,
            start_unix: 1_704_067_200,
            span_days: 180,
            direct_prob: 0.15,
            return_prob: 0.12,
            second_conversion_prob: 0.1,
            value_mu: 4.0,
            value_sigma: 0.8,
            delimiter: b',',
        }
    }
}

/// What [`EventsConfig::write_to`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventsSummary {
    /// Data rows written (touches + conversions).
    pub rows: usize,
    /// Touch rows.
    pub touches: usize,
    /// Touch rows on `Direct`.
    pub direct_touches: usize,
    /// Conversion rows.
    pub conversions: usize,
    /// Users with at least one conversion.
    pub converting_users: usize,
    /// Users with two conversions.
    pub twice_converting_users: usize,
    /// Σ conversion values, in cents (exact: values are written with two decimals).
    pub value_cents: u64,
}

/// A generated row; `channel == NO_CHANNEL` marks a conversion.
#[derive(Debug, Clone, Copy)]
struct Event {
    user: usize,
    time: i64,
    channel: u32,
    value_cents: u64,
}

const NO_CHANNEL: u32 = u32::MAX;
const MINUTE: i64 = 60;
const DAY: i64 = 86_400;
/// Stream of the shuffling generator, apart from the data generator so that both
/// orders hold the same rows.
const SHUFFLE_STREAM: u64 = 0x5348_5546_464C_4521;

impl EventsConfig {
    /// `users` users, about `target_events` rows, `channels` channels (+ `Direct`) and
    /// `seed`; every other field at its default.
    #[must_use]
    pub fn new(users: usize, target_events: usize, channels: usize, seed: u64) -> Self {
        Self {
            users,
            target_events,
            channels,
            seed,
            ..Self::default()
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`SyntheticError::InvalidConfig`] naming the first bad field.
    pub fn validate(&self) -> Result<(), SyntheticError> {
        check_at_least("users", self.users, 1)?;
        check_at_least("target_events", self.target_events, self.users)?;
        check_at_least("channels", self.channels, 1)?;
        check_at_least("block_users", self.block_users, 1)?;
        check_probability("direct_prob", self.direct_prob, true)?;
        check_probability("return_prob", self.return_prob, true)?;
        check_probability("second_conversion_prob", self.second_conversion_prob, true)?;
        check_finite("value_mu", self.value_mu, false)?;
        check_finite("value_sigma", self.value_sigma, false)?;
        if self.value_sigma < 0.0 {
            return Err(SyntheticError::InvalidConfig {
                field: "value_sigma",
                reason: "must be non-negative".to_owned(),
            });
        }
        if u32::try_from(self.channels).map_or(true, |c| c >= NO_CHANNEL - 1) {
            return Err(SyntheticError::InvalidConfig {
                field: "channels",
                reason: format!("must be below {}, got {}", NO_CHANNEL - 1, self.channels),
            });
        }
        Ok(())
    }

    /// Writes the header and the rows to `out` (buffered internally).
    ///
    /// # Errors
    /// [`SyntheticError::InvalidConfig`] for a bad configuration (nothing written),
    /// [`SyntheticError::Io`] when writing fails.
    ///
    /// # Complexity
    /// O(rows) time; memory O(longest user) when sorted, O(rows of one block) when
    /// shuffled.
    pub fn write_to<W: Write>(&self, out: W) -> Result<EventsSummary, SyntheticError> {
        self.validate()?;
        let mut out = BufWriter::with_capacity(1 << 16, out);
        let mut generator = UserGenerator::new(self)?;
        let mut shuffler = ChaCha8Rng::seed_from_u64(self.seed ^ SHUFFLE_STREAM);
        let mut names = channel_names(self.channels);
        names.push("Direct".to_owned());
        let writer = RowWriter {
            names,
            user_width: digits(self.users.saturating_sub(1)),
            delimiter: char::from(self.delimiter),
        };
        let d = writer.delimiter;
        writeln!(out, "user_id{d}timestamp{d}channel{d}conversion{d}value")?;

        let mut summary = EventsSummary::default();
        let mut rows: Vec<Event> = Vec::new();
        let mut block_start = 0;
        while block_start < self.users {
            let block_end = match self.order {
                EventOrder::ShuffledInBlocks => {
                    block_start.saturating_add(self.block_users).min(self.users)
                }
                EventOrder::SortedByUserTime => block_start + 1,
            };
            rows.clear();
            for user in block_start..block_end {
                generator.user(user, &mut rows, &mut summary);
            }
            if self.order == EventOrder::ShuffledInBlocks {
                rows.shuffle(&mut shuffler);
            }
            for event in &rows {
                writer.write(&mut out, event)?;
            }
            block_start = block_end;
        }
        out.flush()?;
        Ok(summary)
    }
}

/// Draws the rows of one user at a time.
struct UserGenerator {
    rng: ChaCha8Rng,
    popularity: WeightedIndex<f64>,
    budget: Option<Geometric>,
    session_length: Geometric,
    value: LogNormal<f64>,
    direct: u32,
    start: i64,
    span_secs: i64,
    direct_prob: f64,
    return_prob: f64,
    second_conversion_prob: f64,
}

impl UserGenerator {
    fn new(config: &EventsConfig) -> Result<Self, SyntheticError> {
        let invalid =
            |field: &'static str, e: &dyn std::fmt::Display| SyntheticError::InvalidConfig {
                field,
                reason: e.to_string(),
            };
        let mean = config.target_events as f64 / config.users as f64;
        let budget = if mean > 1.0 {
            Some(Geometric::new(1.0 / mean).map_err(|e| invalid("target_events", &e))?)
        } else {
            None
        };
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            popularity: WeightedIndex::new(popularity_weights(config.channels, 0.9))
                .map_err(|e| invalid("channels", &e))?,
            budget,
            session_length: Geometric::new(0.55).map_err(|e| invalid("session", &e))?,
            value: LogNormal::new(config.value_mu, config.value_sigma)
                .map_err(|e| invalid("value_sigma", &e))?,
            direct: u32::try_from(config.channels).map_err(|e| invalid("channels", &e))?,
            start: config.start_unix,
            span_secs: i64::from(config.span_days).max(1) * DAY,
            direct_prob: config.direct_prob,
            return_prob: config.return_prob,
            second_conversion_prob: config.second_conversion_prob,
        })
    }

    fn channel(&mut self) -> u32 {
        u32::try_from(self.popularity.sample(&mut self.rng)).unwrap_or(0)
    }

    /// Appends the rows of `user`, in time order, to `rows`.
    fn user(&mut self, user: usize, rows: &mut Vec<Event>, summary: &mut EventsSummary) {
        let budget = self.budget.map_or(1, |g| {
            usize::try_from(g.sample(&mut self.rng))
                .unwrap_or(usize::MAX)
                .saturating_add(1)
        });
        let mut conversions = 0;
        if budget >= 2 {
            let logit = -2.0 + 0.15 * (budget - 2).min(10) as f64;
            if self.rng.random_bool(1.0 / (1.0 + (-logit).exp())) {
                conversions = 1;
                if budget >= 5 && self.rng.random_bool(self.second_conversion_prob) {
                    conversions = 2;
                }
            }
        }
        let touches = budget - conversions;
        // 1-based indices of the touches followed by a purchase.
        let last_purchase = if conversions > 0 { touches } else { 0 };
        let first_purchase = if conversions == 2 {
            self.rng.random_range(1..touches)
        } else {
            0
        };

        let favourite = self.channel();
        let mut time = self.start + self.rng.random_range(0..self.span_secs);
        let mut session_left = 0u64;
        let mut previous = favourite;
        let mut first_session = true;
        for touch in 1..=touches {
            let channel = if session_left == 0 {
                // A new session, after a gap unless it is the user's first.
                if !first_session {
                    time += if self.rng.random_bool(self.return_prob) {
                        self.rng.random_range(14 * DAY..120 * DAY)
                    } else {
                        let (lo, hi) = ((30.0 * MINUTE as f64).ln(), (10.0 * DAY as f64).ln());
                        self.rng.random_range(lo..hi).exp().round() as i64
                    };
                }
                session_left = self.session_length.sample(&mut self.rng).saturating_add(1);
                let direct_prob = if first_session {
                    self.direct_prob
                } else {
                    (2.0 * self.direct_prob).min(1.0)
                };
                first_session = false;
                if self.rng.random_bool(direct_prob) {
                    self.direct
                } else if self.rng.random_bool(0.35) {
                    favourite
                } else {
                    self.channel()
                }
            } else {
                time += self.rng.random_range(20..10 * MINUTE);
                if self.rng.random_bool(0.5) {
                    previous
                } else {
                    self.channel()
                }
            };
            session_left -= 1;
            previous = channel;
            rows.push(Event {
                user,
                time,
                channel,
                value_cents: 0,
            });
            summary.touches += 1;
            summary.direct_touches += usize::from(channel == self.direct);
            if touch == first_purchase || touch == last_purchase {
                time += self.rng.random_range(MINUTE..30 * MINUTE);
                let cents = (self.value.sample(&mut self.rng) * 100.0).round().max(1.0) as u64;
                rows.push(Event {
                    user,
                    time,
                    channel: NO_CHANNEL,
                    value_cents: cents,
                });
                summary.conversions += 1;
                summary.value_cents += cents;
                session_left = 0;
            }
        }
        summary.rows += budget;
        summary.converting_users += usize::from(conversions > 0);
        summary.twice_converting_users += usize::from(conversions == 2);
    }
}

/// Formats rows.
struct RowWriter {
    names: Vec<String>,
    user_width: usize,
    delimiter: char,
}

impl RowWriter {
    fn write<W: Write>(&self, out: &mut W, event: &Event) -> std::io::Result<()> {
        let d = self.delimiter;
        write!(out, "u{:0w$}{d}", event.user, w = self.user_width)?;
        write_rfc3339_utc(out, event.time)?;
        if event.channel == NO_CHANNEL {
            writeln!(
                out,
                "{d}{d}1{d}{}.{:02}",
                event.value_cents / 100,
                event.value_cents % 100
            )
        } else {
            let name = usize::try_from(event.channel)
                .ok()
                .and_then(|i| self.names.get(i))
                .map_or("", String::as_str);
            writeln!(out, "{d}{name}{d}0{d}0")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn generate(config: &EventsConfig) -> (String, EventsSummary) {
        let mut buf = Vec::new();
        let summary = config.write_to(&mut buf).unwrap();
        (String::from_utf8(buf).unwrap(), summary)
    }

    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
    struct Row {
        user: String,
        time: String,
        channel: String,
        conversion: u8,
        value: String,
    }

    fn rows(text: &str) -> Vec<Row> {
        text.lines()
            .skip(1)
            .map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                assert_eq!(f.len(), 5, "line {line:?}");
                Row {
                    user: f[0].to_owned(),
                    time: f[1].to_owned(),
                    channel: f[2].to_owned(),
                    conversion: f[3].parse().unwrap(),
                    value: f[4].to_owned(),
                }
            })
            .collect()
    }

    fn secs(time: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(time)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn header_and_row_shapes() {
        let (text, summary) = generate(&EventsConfig::new(500, 5_000, 6, 1));
        assert_eq!(
            text.lines().next(),
            Some("user_id,timestamp,channel,conversion,value")
        );
        let rows = rows(&text);
        assert_eq!(rows.len(), summary.rows);
        let mut names = channel_names(6);
        names.push("Direct".to_owned());
        for row in &rows {
            assert!(row.user.starts_with('u') && row.user.len() == 4, "{row:?}");
            assert!(row.time.ends_with('Z') && secs(&row.time) >= 1_704_067_200);
            if row.conversion == 1 {
                assert_eq!(row.channel, "");
                let (units, cents) = row.value.split_once('.').unwrap();
                assert_eq!(cents.len(), 2);
                assert!(units.parse::<u64>().unwrap() + cents.parse::<u64>().unwrap() > 0);
            } else {
                assert_eq!(row.conversion, 0);
                assert!(names.contains(&row.channel), "{row:?}");
                assert_eq!(row.value, "0");
            }
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        for order in [EventOrder::SortedByUserTime, EventOrder::ShuffledInBlocks] {
            let mut config = EventsConfig::new(300, 3_000, 5, 9);
            config.order = order;
            let a = generate(&config).0;
            let b = generate(&config).0;
            config.seed = 10;
            let c = generate(&config).0;
            assert_eq!(a, b);
            assert_ne!(a, c);
        }
    }

    #[test]
    fn sorted_file_is_sorted_and_shuffled_file_holds_the_same_rows() {
        let mut config = EventsConfig::new(2_000, 20_000, 8, 4);
        config.block_users = 300;
        let (sorted_text, sorted_summary) = generate(&config);
        config.order = EventOrder::ShuffledInBlocks;
        let (shuffled_text, shuffled_summary) = generate(&config);
        assert_eq!(sorted_summary, shuffled_summary);
        let sorted = rows(&sorted_text);
        let mut shuffled = rows(&shuffled_text);
        assert_ne!(sorted, shuffled);
        // Sorted by user, then time (user ids are zero-padded, timestamps fixed-width).
        assert!(
            sorted
                .windows(2)
                .all(|w| (&w[0].user, &w[0].time) < (&w[1].user, &w[1].time))
        );
        // Users never straddle blocks: rows of block b come before those of block b + 1.
        let block = |r: &Row| r.user[1..].parse::<usize>().unwrap() / 300;
        assert!(shuffled.windows(2).all(|w| block(&w[0]) <= block(&w[1])));
        shuffled.sort();
        assert_eq!(sorted, shuffled);
    }

    #[test]
    fn behaviour_is_realistic_and_summary_is_exact() {
        let (text, s) = generate(&EventsConfig::new(20_000, 200_000, 12, 3));
        let rows = rows(&text);
        // Counts agree with the rows.
        assert_eq!(s.rows, rows.len());
        assert_eq!(
            s.conversions,
            rows.iter().filter(|r| r.conversion == 1).count()
        );
        assert_eq!(s.touches, s.rows - s.conversions);
        assert_eq!(
            s.direct_touches,
            rows.iter().filter(|r| r.channel == "Direct").count()
        );
        let cents: u64 = rows
            .iter()
            .filter(|r| r.conversion == 1)
            .map(|r| r.value.replace('.', "").parse::<u64>().unwrap())
            .sum();
        assert_eq!(s.value_cents, cents);
        // About the target number of rows.
        assert!((s.rows as f64 / 200_000.0 - 1.0).abs() < 0.03, "{}", s.rows);
        // Some Direct, some conversions, some users converting twice.
        let direct_share = s.direct_touches as f64 / s.touches as f64;
        assert!((0.05..0.3).contains(&direct_share), "{direct_share}");
        let converting = s.converting_users as f64 / 20_000.0;
        assert!((0.1..0.5).contains(&converting), "{converting}");
        assert!(
            s.twice_converting_users > 100,
            "{}",
            s.twice_converting_users
        );

        let mut by_user: HashMap<&str, Vec<&Row>> = HashMap::new();
        for row in &rows {
            by_user.entry(&row.user).or_default().push(row);
        }
        assert_eq!(by_user.len(), 20_000);
        let mut conversions_per_user = [0usize; 3];
        let mut long_gaps = 0;
        for user_rows in by_user.values() {
            // Every conversion follows a touch, strictly later; none opens a journey.
            assert_eq!(user_rows[0].conversion, 0);
            let n = user_rows.iter().filter(|r| r.conversion == 1).count();
            conversions_per_user[n] += 1;
            for w in user_rows.windows(2) {
                let gap = secs(&w[1].time) - secs(&w[0].time);
                assert!(gap > 0);
                if w[1].conversion == 1 {
                    assert_eq!(w[0].conversion, 0);
                }
                long_gaps += usize::from(gap >= 14 * DAY);
            }
        }
        assert_eq!(
            conversions_per_user[1] + conversions_per_user[2],
            s.converting_users
        );
        assert_eq!(conversions_per_user[2], s.twice_converting_users);
        assert!(
            long_gaps > 1_000,
            "users returning after weeks: {long_gaps}"
        );
    }

    #[test]
    fn invalid_configurations_are_rejected_before_writing() {
        let mut out = Vec::new();
        assert!(matches!(
            EventsConfig::new(10, 5, 3, 1).write_to(&mut out),
            Err(SyntheticError::InvalidConfig {
                field: "target_events",
                ..
            })
        ));
        assert!(matches!(
            EventsConfig::new(0, 5, 3, 1).write_to(&mut out),
            Err(SyntheticError::InvalidConfig { field: "users", .. })
        ));
        let mut bad = EventsConfig::new(10, 50, 3, 1);
        bad.direct_prob = -0.1;
        assert!(matches!(
            bad.write_to(&mut out),
            Err(SyntheticError::InvalidConfig {
                field: "direct_prob",
                ..
            })
        ));
        assert!(out.is_empty());
    }

    #[test]
    fn one_row_per_user_when_the_target_equals_the_users() {
        let (text, s) = generate(&EventsConfig::new(50, 50, 3, 2));
        assert_eq!(s.rows, 50);
        assert_eq!(s.conversions, 0);
        assert_eq!(rows(&text).len(), 50);
    }
}
