//! `shao-li` (issue 13, definition 5): the tiny fixture's rows of
//! `expected_shapley.csv` to 1e-12 through the registry, an independent
//! per-journey oracle written from the raw journey list, and properties
//! (totals, per-journey sums, merge of partitions read with their own
//! tables, permutation invariance).

use std::collections::BTreeMap;

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::shao_li::{ShaoLi, ShaoLiFit};
use attribution::model::{DynState, Registry};
use attribution::{Attribution, Channels, Journey, JourneySet, Merge, Model, ModelError};
use proptest::prelude::*;

const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny");

fn tiny_paths() -> JourneySet {
    let (set, report) = ReaderBuilder::new(Shape::Paths)
        .from_path(format!("{TINY}/paths.csv"))
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(report.rejected(), 0);
    set
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn tiny_fixture() {
    let set = tiny_paths();
    let result = Registry::builtin()
        .parse("shao-li")
        .unwrap()
        .attribute(&set)
        .unwrap();
    let expected = std::fs::read_to_string(format!("{TINY}/expected_shapley.csv")).unwrap();
    let mut rows = 0;
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] != "shao-li" {
            continue;
        }
        let credit = result.get(f[1]).unwrap();
        assert!(
            close(credit.conversions, f[2].parse().unwrap()),
            "{line}: {credit:?}"
        );
        assert!(
            close(credit.value, f[3].parse().unwrap()),
            "{line}: {credit:?}"
        );
        rows += 1;
    }
    assert_eq!(rows, 4);
    assert_eq!(result.channels().len(), 4);
    assert_eq!(
        result.parameters(),
        [("normalise".to_owned(), "global".to_owned())]
    );
}

#[test]
fn tiny_fixture_per_journey_by_hand() {
    // P: PPC 2/5, LandingPage 1/3, Email 2/4, LinkedIn 4/5; pairs
    // PPC-LP 1/3, PPC-Email 1/2, PPC-LinkedIn 1, LP-Email 1/2, LP-LinkedIn 1,
    // Email-LinkedIn 2/3.
    let set = tiny_paths();
    let model = ShaoLi::per_journey();
    let mut state = model.new_state();
    for j in &set {
        model.observe(&mut state, j, set.channels()).unwrap();
    }
    let fit: ShaoLiFit = model.fit(&state).unwrap();
    assert_eq!(fit.probability("LinkedIn"), Some(0.8));
    assert_eq!(fit.pair_probability("Email", "LinkedIn"), Some(2.0 / 3.0));
    assert_eq!(fit.pair_probability("LinkedIn", "PPC"), Some(1.0));
    assert_eq!(fit.probability("TV"), None);
    // J4 (Email, LinkedIn): Email 1/2 + (2/3 − 1/2 − 4/5)/2, LinkedIn 4/5 + the same.
    let d = (2.0 / 3.0 - 0.5 - 0.8) / 2.0;
    let (email, linkedin) = (0.5 + d, 0.8 + d);
    let credit = model
        .journey_credit(&set.journeys()[3], set.channels(), Some(&fit))
        .unwrap()
        .unwrap();
    let shares: Vec<f64> = credit.shares.iter().map(|&(_, s)| s).collect();
    assert!(close(shares[0], email / (email + linkedin)), "{shares:?}");
    assert!(
        close(shares[1], linkedin / (email + linkedin)),
        "{shares:?}"
    );
    // Without a fit, or without conversions: no credit.
    assert_eq!(
        model.journey_credit(&set.journeys()[3], set.channels(), None),
        Ok(None)
    );
    assert_eq!(
        model.journey_credit(&set.journeys()[1], set.channels(), Some(&fit)),
        Ok(None)
    );
    // The attribution is the sum of the journeys' shares.
    let result = fit.attribution_clone();
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for j in set.iter().filter(|j| j.conversions() > 0) {
        let credit = model
            .journey_credit(j, set.channels(), Some(&fit))
            .unwrap()
            .unwrap();
        let total: f64 = credit.shares.iter().map(|&(_, s)| s).sum();
        assert!(close(total, 1.0));
        for (c, s) in credit.shares {
            let e = sums
                .entry(set.channels().name(c).unwrap().to_owned())
                .or_default();
            e.0 += s * j.conversions() as f64;
            e.1 += s * j.value();
        }
    }
    for c in result.channels() {
        let (sc, sv) = sums[&c.name];
        assert!(close(c.conversions, sc) && close(c.value, sv), "{c:?}");
    }
}

/// `Fitted::attribution` without importing the trait at every call.
trait AttributionClone {
    fn attribution_clone(&self) -> Attribution;
}

impl AttributionClone for ShaoLiFit {
    fn attribution_clone(&self) -> Attribution {
        attribution::model::Fitted::attribution(self).clone()
    }
}

#[test]
fn spec_errors_and_aliases() {
    let registry = Registry::builtin();
    assert_eq!(
        registry
            .parse("shao-li:normalise=row")
            .unwrap_err()
            .to_string(),
        "invalid parameter `normalise` = row: expected global or journey"
    );
    assert_eq!(
        registry.parse("shao-li:scale=1").unwrap_err().to_string(),
        "model `shao-li` has no parameter `scale` (its parameters: normalise)"
    );
    assert_eq!(
        registry
            .parse("shao-li:normalize=Journey")
            .unwrap()
            .spec()
            .to_string(),
        "shao-li:normalise=journey"
    );
}

#[test]
fn underflowing_weights_are_a_typed_error() {
    let mut channels = Channels::new();
    // A's rate, 5e-324 / 2e6, underflows to 0: so does its one contribution.
    let a = channels.intern("A").unwrap();
    let journey = Journey::from_channels(&[a], 1, 0, 1.0).unwrap();
    let idle = Journey::from_channels(&[a], 0, 1_000_000, 0.0).unwrap();
    for model in [ShaoLi::global(), ShaoLi::per_journey()] {
        let mut state = model.new_state();
        model.observe(&mut state, &idle, &channels).unwrap();
        model.observe(&mut state, &idle, &channels).unwrap();
        model
            .observe_weighted(&mut state, &journey, &channels, 5e-324)
            .unwrap();
        let err = model.finish(&state).unwrap_err();
        assert!(
            matches!(err, ModelError::DegenerateNormalisation { .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("model `shao-li` cannot normalise its credit: "),
            "{err}"
        );
    }
}

#[test]
fn states_validate_when_read() {
    let set = tiny_paths();
    let model = Registry::builtin().parse("shao-li").unwrap();
    let mut state = model.new_state();
    for j in &set {
        model.observe(state.as_mut(), j, set.channels()).unwrap();
    }
    let json = model.state_to_json(state.as_ref()).unwrap();
    let back = model.state_from_json(&json).unwrap();
    assert_eq!(
        model.finish(back.as_ref()).unwrap(),
        model.finish(state.as_ref()).unwrap()
    );
    let bytes = model.state_to_bytes(state.as_ref()).unwrap();
    assert_eq!(
        model
            .state_to_bytes(model.state_from_bytes(&bytes).unwrap().as_ref())
            .unwrap(),
        bytes
    );
    let corrupt = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        edit(&mut value["state"]);
        model
            .state_from_json(&serde_json::to_string(&value).unwrap())
            .unwrap_err()
            .to_string()
    };
    for (edit, want) in [
        (
            Box::new(|s: &mut serde_json::Value| s["pairs"][0][1] = 9.into())
                as Box<dyn Fn(&mut serde_json::Value)>,
            "pair (0, 9) is not two ascending channel indices below 4",
        ),
        (
            Box::new(|s: &mut serde_json::Value| s["pairs"][1] = s["pairs"][0].clone()),
            "is out of order",
        ),
        (
            Box::new(|s: &mut serde_json::Value| s["singles"][0][0] = 9.0.into()),
            "the counts of channel #0 are not finite with 0 <= conversions <= journeys",
        ),
        (
            Box::new(|s: &mut serde_json::Value| s["sets"][0][0] = serde_json::json!([1, 0])),
            "is not ascending channel indices below 4",
        ),
        (
            Box::new(|s: &mut serde_json::Value| s["sets"][0][1] = 0.0.into()),
            "has no positive finite conversions or a bad value",
        ),
        (
            Box::new(|s: &mut serde_json::Value| s["journeys"] = 1e300.into()),
            "the totals are not finite with 0 <= conversions <= journeys <= 2^53",
        ),
    ] {
        let err = corrupt(&*edit);
        assert!(
            err.starts_with("corrupt state: invalid shao-li state: "),
            "{err}"
        );
        assert!(err.contains(want), "{err} / {want}");
    }
}

// ---------------------------------------------------------------------------
// The oracle and the properties.

const NAMES: [&str; 6] = ["PPC", "Email", "Direct", "広告", "Display", "Brand, search"];

mod random_rows;
use random_rows::Row;

fn rows() -> impl Strategy<Value = Vec<Row>> {
    random_rows::rows(NAMES.len(), 8, 4, 30)
}

/// The journeys of `rows`, channel names interned in `order` first.
fn read(rows: &[Row], order: &[usize]) -> JourneySet {
    random_rows::read(&NAMES, rows, order)
}

/// Straight from the definition, over the raw rows: (conversions, value)
/// per channel name, or `None` when nothing converts with value.
fn oracle(rows: &[Row], per_journey: bool) -> BTreeMap<&'static str, (f64, f64)> {
    let contains = |r: &Row, c: usize| r.path.contains(&c);
    let rate = |f: &dyn Fn(&Row) -> bool| {
        let (mut c, mut t) = (0.0, 0.0);
        for r in rows.iter().filter(|r| f(r)) {
            c += r.conversions as f64;
            t += (r.conversions + r.nulls) as f64;
        }
        if t > 0.0 { c / t } else { 0.0 }
    };
    let mut raw: BTreeMap<&'static str, (f64, f64)> = BTreeMap::new();
    for name in NAMES {
        raw.insert(name, (0.0, 0.0));
    }
    for row in rows.iter().filter(|r| r.conversions > 0) {
        let mut s: Vec<usize> = Vec::new();
        for &c in &row.path {
            if !s.contains(&c) {
                s.push(c);
            }
        }
        let contributions: Vec<f64> = s
            .iter()
            .map(|&a| {
                let pa = rate(&|r| contains(r, a));
                if s.len() == 1 {
                    return pa;
                }
                let mut sum = 0.0;
                for &b in s.iter().filter(|&&b| b != a) {
                    let pab = rate(&|r| contains(r, a) && contains(r, b));
                    let pb = rate(&|r| contains(r, b));
                    sum += pab - pa - pb;
                }
                pa + sum / (2.0 * (s.len() - 1) as f64)
            })
            .collect();
        let norm: f64 = if per_journey {
            contributions.iter().sum()
        } else {
            1.0
        };
        for (&a, &x) in s.iter().zip(&contributions) {
            let e = raw.get_mut(NAMES[a]).unwrap();
            e.0 += row.conversions as f64 * x / norm;
            e.1 += row.value * x / norm;
        }
    }
    if !per_journey {
        let total_c: f64 = rows.iter().map(|r| r.conversions as f64).sum();
        let total_v: f64 = rows
            .iter()
            .filter(|r| r.conversions > 0)
            .map(|r| r.value)
            .sum();
        let sc: f64 = raw.values().map(|x| x.0).sum();
        let sv: f64 = raw.values().map(|x| x.1).sum();
        for x in raw.values_mut() {
            x.0 = if total_c > 0.0 {
                x.0 * total_c / sc
            } else {
                0.0
            };
            x.1 = if total_v > 0.0 {
                x.1 * total_v / sv
            } else {
                0.0
            };
        }
    }
    raw
}

/// Agreement relative to the largest credit (credits can cancel).
fn near(got: f64, want: f64, scale: f64) -> bool {
    (got - want).abs() <= 1e-10 * scale.max(1.0)
}

fn check_against_oracle(
    result: &Attribution,
    want: &BTreeMap<&str, (f64, f64)>,
) -> Result<(), TestCaseError> {
    let scale_c = want.values().map(|x| x.0.abs()).fold(0.0, f64::max);
    let scale_v = want.values().map(|x| x.1.abs()).fold(0.0, f64::max);
    for c in result.channels() {
        let (wc, wv) = want[c.name.as_str()];
        prop_assert!(near(c.conversions, wc, scale_c), "{:?} vs {} {}", c, wc, wv);
        prop_assert!(near(c.value, wv, scale_v), "{:?} vs {} {}", c, wc, wv);
    }
    Ok(())
}

fn observe(model: &dyn attribution::model::DynModel, set: &JourneySet) -> Box<dyn DynState> {
    let mut state = model.new_state();
    for j in set {
        model.observe(state.as_mut(), j, set.channels()).unwrap();
    }
    state
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn both_normalisations_agree_with_the_oracle(rows in rows()) {
        let set = read(&rows, &[0, 1, 2, 3, 4, 5]);
        let global = ShaoLi::global().attribute(&set).unwrap();
        check_against_oracle(&global, &oracle(&rows, false))?;
        let journey = ShaoLi::per_journey().attribute(&set).unwrap();
        check_against_oracle(&journey, &oracle(&rows, true))?;
        // Totals preserved by both.
        let total_c = set.total_conversions() as f64;
        let total_v: f64 = set.iter().filter(|j| j.conversions() > 0).map(Journey::value).sum();
        for result in [&global, &journey] {
            let c: f64 = result.channels().iter().map(|c| c.conversions).sum();
            let v: f64 = result.channels().iter().map(|c| c.value).sum();
            prop_assert!(close(c, total_c) && close(v, total_v), "{} {} vs {} {}", c, v, total_c, total_v);
            prop_assert_eq!(result.total_conversions(), total_c);
        }
    }

    #[test]
    fn per_journey_shares_sum_to_each_journey(rows in rows()) {
        let set = read(&rows, &[5, 4, 3, 2, 1, 0]);
        let model = ShaoLi::per_journey();
        let mut state = model.new_state();
        for j in &set {
            model.observe(&mut state, j, set.channels()).unwrap();
        }
        let fit = model.fit(&state).unwrap();
        let result = fit.attribution_clone();
        let mut sums = vec![(0.0, 0.0); set.channels().len()];
        for j in &set {
            let Some(credit) = model.journey_credit(j, set.channels(), Some(&fit)).unwrap() else {
                prop_assert_eq!(j.conversions(), 0);
                continue;
            };
            let total: f64 = credit.shares.iter().map(|&(_, s)| s).sum();
            prop_assert!(close(total, 1.0));
            for (c, s) in credit.shares {
                sums[c.index()].0 += s * j.conversions() as f64;
                sums[c.index()].1 += s * j.value();
            }
        }
        let scale = result.channels().iter().map(|c| c.value.abs()).fold(1.0, f64::max);
        for c in result.channels() {
            let (sc, sv) = sums[c.channel.index()];
            prop_assert!(near(c.conversions, sc, 1.0) && near(c.value, sv, scale), "{:?} vs {} {}", c, sc, sv);
        }
    }

    #[test]
    fn merged_partitions_and_permutations_equal_one_pass(
        (rows, part_of, orders, perm) in rows().prop_flat_map(|rows| {
            let n = rows.len();
            (
                Just(rows),
                prop::collection::vec(0usize..4, n),
                prop::collection::vec(Just(vec![0usize, 1, 2, 3, 4, 5]).prop_shuffle(), 4),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
    ) {
        for spec in ["shao-li", "shao-li:normalise=journey"] {
            let model = Registry::builtin().parse(spec).unwrap();
            let one_pass = model.finish(observe(model.as_ref(), &read(&rows, &[0, 1, 2, 3, 4, 5])).as_ref()).unwrap();
            let mut merged: Option<Box<dyn DynState>> = None;
            for (p, order) in orders.iter().enumerate() {
                let mine: Vec<Row> = rows.iter().zip(&part_of).filter(|(_, q)| **q == p).map(|(r, _)| r.clone()).collect();
                let state = observe(model.as_ref(), &read(&mine, order));
                let state = if p % 2 == 0 {
                    model.state_from_bytes(&model.state_to_bytes(state.as_ref()).unwrap()).unwrap()
                } else {
                    model.state_from_json(&model.state_to_json(state.as_ref()).unwrap()).unwrap()
                };
                match &mut merged {
                    None => merged = Some(state),
                    Some(m) => model.merge(m.as_mut(), state.as_ref()).unwrap(),
                }
            }
            let got = model.finish(merged.unwrap().as_ref()).unwrap();
            let permuted: Vec<Row> = perm.iter().map(|&i| rows[i].clone()).collect();
            let shuffled = model.finish(observe(model.as_ref(), &read(&permuted, &orders[0])).as_ref()).unwrap();
            let scale = one_pass.channels().iter().map(|c| c.value.abs()).fold(1.0, f64::max);
            for other in [&got, &shuffled] {
                prop_assert_eq!(other.channels().len(), one_pass.channels().len());
                for w in one_pass.channels() {
                    let g = other.get(&w.name).unwrap();
                    prop_assert!(near(g.conversions, w.conversions, 4.0) && near(g.value, w.value, scale), "{:?} vs {:?}", g, w);
                }
                prop_assert_eq!(other.total_conversions(), one_pass.total_conversions());
            }
        }
    }
}

#[test]
fn concrete_states_merge_by_name() {
    let model = ShaoLi::global();
    let (mut left_table, mut right_table) = (Channels::new(), Channels::new());
    let a = left_table.intern("A").unwrap();
    let b = left_table.intern("B").unwrap();
    let c2 = right_table.intern("C").unwrap();
    let b2 = right_table.intern("B").unwrap();
    let a2 = right_table.intern("A").unwrap();
    let (mut left, mut right) = (model.new_state(), model.new_state());
    model
        .observe(
            &mut left,
            &Journey::from_channels(&[a, b], 1, 1, 2.0).unwrap(),
            &left_table,
        )
        .unwrap();
    model
        .observe(
            &mut right,
            &Journey::from_channels(&[b2, a2, c2], 2, 0, 4.0).unwrap(),
            &right_table,
        )
        .unwrap();
    model
        .observe(
            &mut right,
            &Journey::from_channels(&[a2, b2], 1, 0, 1.0).unwrap(),
            &right_table,
        )
        .unwrap();
    left.merge(&right).unwrap();
    let names: Vec<&str> = left.channels().iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["A", "B", "C"]);
    let c = left.channels().get("C").unwrap();
    assert_eq!(left.pair_counts(a, b), Some((4.0, 5.0)));
    assert_eq!(left.pair_counts(c, a), Some((2.0, 2.0)));
    assert_eq!(left.channel_counts(c), Some((2.0, 2.0)));
    // {A, B} from both sides is one set; {A, B, C} another.
    assert_eq!(left.converting_sets(), 2);
    assert_eq!(left.pairs(), 3);
    assert_eq!(left.total_conversions(), 4.0);
    assert_eq!(left.total_value(), 7.0);
    let other = ShaoLi::per_journey().new_state();
    assert!(matches!(
        left.merge(&other),
        Err(ModelError::IncompatibleStates { .. })
    ));
}
