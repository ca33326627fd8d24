//! Property tests of the heuristic models, against an independent naive
//! per-touch computation written from the definitions (the pinned conventions).

// The oracle is deliberately written index by index, as the definitions are.
#![allow(clippy::needless_range_loop)]

use std::collections::HashMap;
use std::time::Duration;

use attribution::model::heuristic::{
    FirstTouch, Heuristic, LastNonDirect, LastTouch, Linear, PositionBased, PositionDecay,
    TimeDecay, TouchWeights,
};
use attribution::{Attribution, Channels, Journey, JourneySet, Merge, Model, Touchpoint};
use chrono::{DateTime, Utc};
use proptest::prelude::*;

// ---------------------------------------------------------------- data ----

/// A journey as plain data: channel indices, hours of each touch, outcome.
#[derive(Debug, Clone)]
struct Spec {
    path: Vec<usize>,
    hours: Vec<i64>,
    conversions: u64,
    non_conversions: u64,
    value: f64,
    /// Hours after the latest touch, when the journey has a conversion time.
    conversion_after: Option<i64>,
}

#[derive(Debug, Clone)]
struct Data {
    names: Vec<String>,
    journeys: Vec<Spec>,
}

const NAME_POOL: [&str; 8] = [
    "PPC",
    "Direct",
    "Email",
    "LinkedIn",
    "ایمیل",
    "広告 🚀",
    "Landing page",
    "ch07",
];

fn spec(channels: usize) -> impl Strategy<Value = Spec> {
    (1usize..=8)
        .prop_flat_map(move |len| {
            (
                prop::collection::vec(0..channels, len),
                prop::collection::vec(0i64..500, len),
                prop_oneof![Just(0u64), 1u64..4],
                0u64..3,
                0u32..100_000,
                prop::option::of(0i64..100),
            )
        })
        .prop_map(
            |(path, hours, conversions, non_conversions, cents, conversion_after)| Spec {
                path,
                hours,
                conversions,
                non_conversions,
                value: f64::from(cents) / 100.0,
                conversion_after,
            },
        )
}

fn data() -> impl Strategy<Value = Data> {
    (1usize..=NAME_POOL.len()).prop_flat_map(|channels| {
        (
            Just(
                NAME_POOL[..channels]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<Vec<_>>(),
            ),
            prop::collection::vec(spec(channels), 0..16),
        )
            .prop_map(|(names, journeys)| Data { names, journeys })
    })
}

fn time(hours: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + hours * 3600, 0).unwrap()
}

/// Builds the set; channel names are interned in `intern_order` first (so
/// untouched channels are in the table too).
fn build(names: &[String], intern_order: &[usize], journeys: &[Spec]) -> JourneySet {
    let mut channels = Channels::new();
    for &i in intern_order {
        channels.intern(&names[i]).unwrap();
    }
    let mut set = JourneySet::new(channels);
    for (k, s) in journeys.iter().enumerate() {
        let touches = s
            .path
            .iter()
            .zip(&s.hours)
            .map(|(&c, &h)| Touchpoint::at(set.channels().get(&names[c]).unwrap(), time(h)))
            .collect();
        let mut journey = Journey::new(touches, s.conversions, s.non_conversions, s.value)
            .unwrap()
            .with_id(format!("J{k}"));
        if let Some(after) = s.conversion_after {
            journey = journey.with_conversion_time(time(s.hours.iter().max().unwrap() + after));
        }
        set.push(journey).unwrap();
    }
    set
}

fn build_default(data: &Data) -> JourneySet {
    let order: Vec<usize> = (0..data.names.len()).collect();
    build(&data.names, &order, &data.journeys)
}

// -------------------------------------------------------------- models ----

fn model() -> impl Strategy<Value = Heuristic> {
    prop_oneof![
        Just(Heuristic::from(FirstTouch)),
        Just(Heuristic::from(LastTouch)),
        prop::sample::subsequence(NAME_POOL.to_vec(), 0..4)
            .prop_map(|d| LastNonDirect::with_direct_channels(d).unwrap().into()),
        Just(Heuristic::from(Linear::per_touch())),
        Just(Heuristic::from(Linear::per_channel())),
        (0u32..=100, 0u32..=100)
            .prop_filter("f + l <= 1", |(f, l)| f + l <= 100)
            .prop_map(
                |(f, l)| PositionBased::new(f64::from(f) / 100.0, f64::from(l) / 100.0)
                    .unwrap()
                    .into()
            ),
        (1u64..2000).prop_map(|h| TimeDecay::with_half_life(Duration::from_secs(h * 1800))
            .unwrap()
            .into()),
        (1u32..=100).prop_map(|r| PositionDecay::new(f64::from(r) / 100.0).unwrap().into()),
    ]
}

// -------------------------------------------------------------- oracle ----

/// Per-touch weights straight from the definitions, naive f64.
fn naive_weights(model: &Heuristic, names: &[String], s: &Spec) -> Vec<f64> {
    let len = s.path.len();
    let mut w = vec![0.0; len];
    match model {
        Heuristic::FirstTouch(_) => w[0] = 1.0,
        Heuristic::LastTouch(_) => w[len - 1] = 1.0,
        Heuristic::LastNonDirect(m) => {
            let direct = m.direct_channels();
            let i = (0..len)
                .rev()
                .find(|&i| !direct.contains(&names[s.path[i]]))
                .unwrap_or(len - 1);
            w[i] = 1.0;
        }
        Heuristic::Linear(m) if *m == Linear::per_touch() => w.fill(1.0 / len as f64),
        Heuristic::Linear(_) => {
            // Each touch gets 1/(k · occurrences of its channel).
            let mut count: HashMap<usize, usize> = HashMap::new();
            for &c in &s.path {
                *count.entry(c).or_default() += 1;
            }
            let k = count.len() as f64;
            for (i, c) in s.path.iter().enumerate() {
                w[i] = 1.0 / (k * count[c] as f64);
            }
        }
        Heuristic::PositionBased(m) => {
            let (f, l) = (m.first(), m.last());
            if len == 1 {
                w[0] = 1.0;
            } else if len == 2 {
                if f + l == 0.0 {
                    w = vec![0.5, 0.5];
                } else {
                    w = vec![f / (f + l), l / (f + l)];
                }
            } else {
                w.fill((1.0 - f - l) / (len - 2) as f64);
                w[0] = f;
                w[len - 1] = l;
            }
        }
        Heuristic::TimeDecay(m) => {
            let h = m.half_life().as_secs_f64() / 3600.0;
            let last = *s.hours.iter().max().unwrap();
            let anchor = last + s.conversion_after.unwrap_or(0);
            for i in 0..len {
                w[i] = 2f64.powf(-((anchor - s.hours[i]) as f64) / h);
            }
            let total: f64 = w.iter().sum();
            for x in &mut w {
                *x /= total;
            }
        }
        Heuristic::PositionDecay(m) => {
            for i in 0..len {
                w[i] = m.ratio().powi((len - 1 - i) as i32);
            }
            let total: f64 = w.iter().sum();
            for x in &mut w {
                *x /= total;
            }
        }
        other => panic!("no oracle for {other:?}"),
    }
    w
}

/// Credit per channel name: (conversions, value).
fn naive(model: &Heuristic, data: &Data) -> HashMap<String, (f64, f64)> {
    let mut out: HashMap<String, (f64, f64)> =
        data.names.iter().map(|n| (n.clone(), (0.0, 0.0))).collect();
    for s in data.journeys.iter().filter(|s| s.conversions > 0) {
        for (i, w) in naive_weights(model, &data.names, s).into_iter().enumerate() {
            let e = out.get_mut(&data.names[s.path[i]]).unwrap();
            e.0 += w * s.conversions as f64;
            e.1 += w * s.value;
        }
    }
    out
}

// ------------------------------------------------------------- helpers ----

fn close(a: f64, e: f64, rel: f64) -> bool {
    (a - e).abs() <= rel * e.abs().max(1.0)
}

fn by_name(a: &Attribution) -> HashMap<String, (f64, f64)> {
    a.channels()
        .iter()
        .map(|c| (c.name.clone(), (c.conversions, c.value)))
        .collect()
}

fn assert_same(a: &Attribution, b: &Attribution, rel: f64) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.model(), b.model());
    prop_assert_eq!(a.parameters(), b.parameters());
    prop_assert_eq!(a.total_conversions(), b.total_conversions());
    prop_assert!(close(a.total_value(), b.total_value(), rel));
    let (a, b) = (by_name(a), by_name(b));
    prop_assert_eq!(a.len(), b.len());
    for (name, (c, v)) in &a {
        let (c2, v2) = b[name];
        prop_assert!(close(*c, c2, rel), "{name}: {c} vs {c2}");
        prop_assert!(close(*v, v2, rel), "{name}: {v} vs {v2}");
    }
    Ok(())
}

// ---------------------------------------------------------- properties ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn matches_the_naive_oracle_and_preserves_totals(data in data(), model in model()) {
        let set = build_default(&data);
        let result = model.attribute(&set).unwrap();
        prop_assert_eq!(result.model(), model.name());
        // All channels of the table in id order.
        let names: Vec<_> = result.channels().iter().map(|c| c.name.as_str()).collect();
        prop_assert_eq!(names, data.names.iter().map(String::as_str).collect::<Vec<_>>());
        let expected = naive(&model, &data);
        for c in result.channels() {
            let (ec, ev) = expected[&c.name];
            prop_assert!(close(c.conversions, ec, 1e-9), "{}: {} vs {}", c.name, c.conversions, ec);
            prop_assert!(close(c.value, ev, 1e-9), "{}: {} vs {}", c.name, c.value, ev);
            prop_assert!(c.removal_effect.is_none());
        }
        let converting = data.journeys.iter().filter(|s| s.conversions > 0);
        let total_c: u64 = converting.clone().map(|s| s.conversions).sum();
        let total_v: f64 = converting.map(|s| s.value).sum();
        prop_assert_eq!(result.total_conversions(), total_c as f64);
        prop_assert!(close(result.total_value(), total_v, 1e-12));
        let sum_c: f64 = result.channels().iter().map(|c| c.conversions).sum();
        let sum_v: f64 = result.channels().iter().map(|c| c.value).sum();
        prop_assert!(close(sum_c, total_c as f64, 1e-9));
        prop_assert!(close(sum_v, total_v, 1e-9));
    }

    #[test]
    fn merging_any_split_equals_one_pass(
        data in data(),
        model in model(),
        parts in prop::collection::vec(0usize..4, 16),
    ) {
        let set = build_default(&data);
        let one_pass = model.attribute(&set).unwrap();
        let mut states = vec![model.new_state(); 4];
        for (i, journey) in set.iter().enumerate() {
            model.observe(&mut states[parts[i]], journey, set.channels()).unwrap();
        }
        // Merge in a different order than the parts, through serde (as a
        // distributed engine would ship them). serde_json's default float
        // parser may be off by one ulp, hence the tolerance below rather
        // than state equality.
        let mut merged = model.new_state();
        for state in states.iter().rev() {
            let json = serde_json::to_string(state).unwrap();
            let back: <Heuristic as Model>::State = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back.total_conversions(), state.total_conversions());
            merged.merge(&back).unwrap();
        }
        merged.extend_channels(set.channels()).unwrap();
        let result = model.finish(&merged).unwrap();
        assert_same(&result, &one_pass, 1e-12)?;
    }

    #[test]
    fn permuting_journeys_changes_nothing(
        (data, shuffled) in data().prop_flat_map(|d| {
            let journeys = d.journeys.clone();
            (Just(d), Just(journeys).prop_shuffle())
        }),
        model in model(),
    ) {
        let order: Vec<usize> = (0..data.names.len()).collect();
        let a = model.attribute(&build_default(&data)).unwrap();
        let b = model.attribute(&build(&data.names, &order, &shuffled)).unwrap();
        assert_same(&a, &b, 1e-12)?;
    }

    #[test]
    fn renaming_channels_changes_nothing(data in data(), model in model()) {
        // New names, interned in reverse order (so ids change too).
        let renamed: Vec<String> = data.names.iter().map(|n| format!("«{n}» renamed")).collect();
        let rename = |n: &str| format!("«{n}» renamed");
        let order: Vec<usize> = (0..data.names.len()).rev().collect();
        let renamed_model = match &model {
            Heuristic::LastNonDirect(m) => Heuristic::from(
                LastNonDirect::with_direct_channels(m.direct_channels().iter().map(|d| rename(d))).unwrap(),
            ),
            other => other.clone(),
        };
        let a = model.attribute(&build_default(&data)).unwrap();
        let b = renamed_model.attribute(&build(&renamed, &order, &data.journeys)).unwrap();
        let b_names: Vec<_> = b.channels().iter().map(|c| c.name.clone()).collect();
        let mut expected_names = renamed.clone();
        expected_names.reverse();
        prop_assert_eq!(b_names, expected_names);
        for c in a.channels() {
            let d = b.get(&rename(&c.name)).unwrap();
            prop_assert!(close(d.conversions, c.conversions, 1e-12));
            prop_assert!(close(d.value, c.value, 1e-12));
        }
    }

    #[test]
    fn a_single_touch_journey_gives_its_channel_everything(
        model in model(),
        channel in 0usize..4,
        conversions in 1u64..10,
        cents in 0u32..100_000,
    ) {
        let value = f64::from(cents) / 100.0;
        let data = Data {
            names: NAME_POOL[..4].iter().map(|s| (*s).to_owned()).collect(),
            journeys: vec![Spec {
                path: vec![channel],
                hours: vec![3],
                conversions,
                non_conversions: 0,
                value,
                conversion_after: Some(5),
            }],
        };
        let set = build_default(&data);
        let result = model.attribute(&set).unwrap();
        for (i, c) in result.channels().iter().enumerate() {
            if i == channel {
                prop_assert_eq!((c.conversions, c.value), (conversions as f64, value));
            } else {
                prop_assert_eq!((c.conversions, c.value), (0.0, 0.0));
            }
        }
        let credits: Vec<_> = model.journey_credits(&set).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(credits.len(), 1);
        prop_assert_eq!(&credits[0].shares, &vec![(set.channels().get(&data.names[channel]).unwrap(), 1.0)]);
    }

    #[test]
    fn channels_untouched_by_converting_journeys_get_zero(data in data(), model in model()) {
        let set = build_default(&data);
        let result = model.attribute(&set).unwrap();
        for c in result.channels() {
            let index = data.names.iter().position(|n| *n == c.name).unwrap();
            let touched = data
                .journeys
                .iter()
                .any(|s| s.conversions > 0 && s.path.contains(&index));
            if !touched {
                prop_assert_eq!((c.conversions, c.value), (0.0, 0.0));
            }
        }
    }

    #[test]
    fn journey_shares_sum_to_one_and_aggregate_to_the_attribution(data in data(), model in model()) {
        let set = build_default(&data);
        let result = model.attribute(&set).unwrap();
        let credits: Vec<_> = model.journey_credits(&set).collect::<Result<_, _>>().unwrap();
        let converting: Vec<usize> = (0..set.len()).filter(|&i| set.journeys()[i].conversions() > 0).collect();
        prop_assert_eq!(credits.iter().map(|c| c.journey).collect::<Vec<_>>(), converting);
        let mut sums = vec![(0.0, 0.0); set.channels().len()];
        for credit in &credits {
            let journey = &set.journeys()[credit.journey];
            // One entry per distinct channel, in order of first touch.
            let mut distinct = Vec::new();
            for c in journey.channels() {
                if !distinct.contains(&c) {
                    distinct.push(c);
                }
            }
            prop_assert_eq!(credit.shares.iter().map(|s| s.0).collect::<Vec<_>>(), distinct);
            let total: f64 = credit.shares.iter().map(|s| s.1).sum();
            prop_assert!(close(total, 1.0, 1e-12), "{total}");
            for &(channel, share) in &credit.shares {
                prop_assert!(share >= 0.0);
                sums[channel.index()].0 += share * journey.conversions() as f64;
                sums[channel.index()].1 += share * journey.value();
            }
        }
        for c in result.channels() {
            let (sc, sv) = sums[c.channel.index()];
            prop_assert!(close(c.conversions, sc, 1e-9));
            prop_assert!(close(c.value, sv, 1e-9));
        }
    }
}
