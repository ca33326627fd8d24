//! Issue 10 acceptance, property test: random journeys split into 1–8
//! partitions, each read with its own channel table (names interned in a
//! shuffled order), each state serialised to bytes (postcard) or JSON and
//! read back, merged in random order: equal to one pass — counts exactly,
//! floats to 1e-12 — for every model of the registry (default specs) and
//! Markov orders 1–3.

use std::collections::BTreeMap;

use attribution::model::markov::MarkovFit;
use attribution::model::{DynModel, DynState, Registry};
use attribution::{Attribution, Channels, Journey, JourneySet, ModelError, Touchpoint};
use chrono::DateTime;
use proptest::prelude::*;

const NAMES: [&str; 6] = [
    "PPC",
    "Direct",
    "Email",
    "広告 🚀",
    "Display",
    "Brand, search",
];

#[derive(Debug, Clone)]
struct Row {
    /// Channel (index into NAMES) and hour of each touch.
    touches: Vec<(usize, i64)>,
    conversions: u64,
    nulls: u64,
    value: f64,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop::collection::vec((0..NAMES.len(), 0i64..300), 1..6),
        0u64..3,
        0u64..3,
        0u32..10_000,
    )
        .prop_map(|(touches, conversions, nulls, cents)| Row {
            touches,
            conversions,
            nulls: if conversions + nulls == 0 { 1 } else { nulls },
            value: f64::from(cents) / 100.0,
        })
}

/// Rows, a partition of each row (into up to `parts` parts), the parts'
/// intern orders and a merge order.
fn case() -> impl Strategy<Value = (Vec<Row>, Vec<usize>, Vec<Vec<usize>>, Vec<usize>)> {
    (prop::collection::vec(row(), 1..12), 1usize..=8).prop_flat_map(|(rows, parts)| {
        let n = rows.len();
        (
            Just(rows),
            prop::collection::vec(0..parts, n),
            prop::collection::vec(
                Just((0..NAMES.len()).collect::<Vec<_>>()).prop_shuffle(),
                parts,
            ),
            Just((0..parts).collect::<Vec<_>>()).prop_shuffle(),
        )
    })
}

/// The journeys of `rows` over a table that interns names in `order`
/// first (only the names the rows use), as a reader of that file would.
fn read(rows: &[&Row], order: &[usize]) -> JourneySet {
    let used = |c: &usize| rows.iter().any(|r| r.touches.iter().any(|(t, _)| t == c));
    let mut set = JourneySet::new(Channels::new());
    for &c in order.iter().filter(|c| used(c)) {
        set.channels_mut().intern(NAMES[c]).unwrap();
    }
    for row in rows {
        let touches = row
            .touches
            .iter()
            .map(|&(c, hour)| {
                let id = set.channels().get(NAMES[c]).unwrap();
                Touchpoint::at(
                    id,
                    DateTime::from_timestamp(1_700_000_000 + hour * 3600, 0).unwrap(),
                )
            })
            .collect();
        set.push(Journey::new(touches, row.conversions, row.nulls, row.value).unwrap())
            .unwrap();
    }
    set
}

fn observe(model: &dyn DynModel, set: &JourneySet) -> Box<dyn DynState> {
    let mut state = model.new_state();
    for journey in set {
        model
            .observe(state.as_mut(), journey, set.channels())
            .unwrap();
    }
    state
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn same_by_name(got: &Attribution, want: &Attribution) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.channels().len(), want.channels().len());
    for w in want.channels() {
        let g = got.get(&w.name).unwrap();
        prop_assert!(close(g.conversions, w.conversions), "{:?} vs {:?}", g, w);
        prop_assert!(close(g.value, w.value), "{:?} vs {:?}", g, w);
        match (g.removal_effect, w.removal_effect) {
            (Some(a), Some(b)) => prop_assert!(close(a, b), "{:?} vs {:?}", g, w),
            (a, b) => prop_assert_eq!(a, b),
        }
    }
    match (got.baseline(), want.baseline()) {
        (Some(a), Some(b)) => {
            prop_assert!(close(a.conversions, b.conversions), "{:?} vs {:?}", a, b);
            prop_assert!(close(a.value, b.value), "{:?} vs {:?}", a, b);
        }
        (a, b) => prop_assert_eq!(a, b),
    }
    prop_assert!(close(got.total_conversions(), want.total_conversions()));
    prop_assert!(close(got.total_value(), want.total_value()));
    Ok(())
}

/// Transition counts by state names: equal exactly whatever the tables.
fn transitions(fit: &MarkovFit) -> BTreeMap<(String, String), u64> {
    fit.chain()
        .transitions()
        .into_iter()
        .map(|r| ((r.from, r.to), r.count))
        .collect()
}

fn models() -> Vec<Box<dyn DynModel>> {
    let registry = Registry::builtin();
    let mut specs: Vec<String> = registry
        .names()
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    specs.extend(
        [
            "markov:order=2",
            "markov:order=3",
            "shapley-ordered:max_position=2",
            "shao-li:normalise=journey",
            "shapley-rate:value=count",
            "shapley-rate:value=value,max_channels=2",
            "shapley-rate:max_channels=3,keep=alphabetical",
            "markov-shapley:order=2",
            "markov-shapley:order=3",
            "dda:value=logit-pairwise,credit=expected",
            "dda:value=smoothed-set,baseline=zero",
        ]
        .map(str::to_owned),
    );
    specs.iter().map(|s| registry.parse(s).unwrap()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn partitioned_serialised_merged_states_equal_one_pass(
        (rows, part_of, orders, merge_order) in case(),
    ) {
        let all: Vec<&Row> = rows.iter().collect();
        let one_pass_set = read(&all, &(0..NAMES.len()).collect::<Vec<_>>());
        let parts: Vec<JourneySet> = orders
            .iter()
            .enumerate()
            .map(|(p, order)| {
                let mine: Vec<&Row> = rows
                    .iter()
                    .zip(&part_of)
                    .filter(|(_, q)| **q == p)
                    .map(|(r, _)| r)
                    .collect();
                read(&mine, order)
            })
            .collect();
        for model in models() {
            let one_pass = observe(model.as_ref(), &one_pass_set);
            let mut merged: Option<Box<dyn DynState>> = None;
            for &p in &merge_order {
                let state = observe(model.as_ref(), &parts[p]);
                // Alternate the encodings; both must read back to the same state.
                let shipped = if p % 2 == 0 {
                    let bytes = model.state_to_bytes(state.as_ref()).unwrap();
                    model.state_from_bytes(&bytes).unwrap()
                } else {
                    let json = model.state_to_json(state.as_ref()).unwrap();
                    model.state_from_json(&json).unwrap()
                };
                prop_assert_eq!(shipped.channels(), state.channels());
                match &mut merged {
                    None => merged = Some(shipped),
                    Some(m) => model.merge(m.as_mut(), shipped.as_ref()).unwrap(),
                }
            }
            let merged = merged.unwrap();
            let mut names: Vec<&str> = merged.channels().iter().map(|(_, n)| n).collect();
            let mut want: Vec<&str> = one_pass.channels().iter().map(|(_, n)| n).collect();
            names.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(names, want);
            // A game may have no answer on the data (shapley-exact-set when
            // Σφ ≈ 0, the value game without value; dda on one outcome
            // class): then both must fail.
            let (got, expected) = match (model.fit(merged.as_ref()), model.fit(one_pass.as_ref())) {
                (Ok(got), Ok(expected)) => (got, expected),
                (Err(a), Err(b)) => {
                    prop_assert!(
                        matches!(a, ModelError::DegenerateGame { .. } | ModelError::OneOutcomeClass { .. }),
                        "{}",
                        a
                    );
                    prop_assert_eq!(std::mem::discriminant(&a), std::mem::discriminant(&b));
                    continue;
                }
                (got, expected) => {
                    prop_assert!(false, "{}: {:?} vs {:?}", model.spec(), got.err(), expected.err());
                    unreachable!()
                }
            };
            same_by_name(got.attribution(), expected.attribution())?;
            if let (Some(a), Some(b)) = (
                got.as_any().downcast_ref::<MarkovFit>(),
                expected.as_any().downcast_ref::<MarkovFit>(),
            ) {
                prop_assert_eq!(transitions(a), transitions(b));
            } else {
                // Heuristic totals are integers: exact.
                prop_assert_eq!(
                    got.attribution().total_conversions(),
                    expected.attribution().total_conversions()
                );
            }
        }
    }
}
