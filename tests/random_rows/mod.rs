//! Shared by the property tests of the per-journey Shapley-family models
//! (`shao-li`, `shapley-ordered`): random aggregated rows over a list of
//! channel names, and the journeys they stand for.

use attribution::{Channels, Journey, JourneySet};
use proptest::prelude::*;

/// One aggregated row: a path of indices into the caller's names, its
/// counts (never both 0) and its value.
#[derive(Debug, Clone)]
pub struct Row {
    pub path: Vec<usize>,
    pub conversions: u64,
    pub nulls: u64,
    pub value: f64,
}

/// 1..`max_rows` rows of paths of 1..`max_len` touches over `names`
/// channels, 0..4 conversions, 0..`max_nulls` non-conversions (1 when both
/// would be 0) and a value in cents.
pub fn rows(
    names: usize,
    max_len: usize,
    max_nulls: u64,
    max_rows: usize,
) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            prop::collection::vec(0..names, 1..max_len),
            0u64..4,
            0u64..max_nulls,
            0u32..50_000,
        )
            .prop_map(|(path, conversions, nulls, cents)| Row {
                path,
                conversions,
                nulls: if conversions + nulls == 0 { 1 } else { nulls },
                value: f64::from(cents) / 100.0,
            }),
        1..max_rows,
    )
}

/// The journeys of `rows`, channel names interned in `order` first.
pub fn read(names: &[&str], rows: &[Row], order: &[usize]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for &c in order {
        if rows.iter().any(|r| r.path.contains(&c)) {
            set.channels_mut().intern(names[c]).unwrap();
        }
    }
    for row in rows {
        let ids: Vec<_> = row
            .path
            .iter()
            .map(|&c| set.channels().get(names[c]).unwrap())
            .collect();
        set.push(Journey::from_channels(&ids, row.conversions, row.nulls, row.value).unwrap())
            .unwrap();
    }
    set
}
