//! `shapley-ordered` (issue 13, definition 4): the tiny fixture's rows of
//! `expected_shapley.csv` and `expected_shapley_positions.csv` to 1e-12
//! through the registry, an independent per-touch oracle, and properties
//! (totals equal linear per distinct channel, pooling, permutation
//! invariance, merge of partitions read with their own tables).

use std::collections::BTreeMap;

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::heuristic::Linear;
use attribution::model::ordered::ShapleyOrdered;
use attribution::model::{DynState, Registry};
use attribution::{Attribution, Channels, Journey, JourneySet, Merge, Model};
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

fn run(spec: &str, set: &JourneySet) -> Attribution {
    Registry::builtin()
        .parse(spec)
        .unwrap()
        .attribute(set)
        .unwrap()
}

#[test]
fn tiny_fixture_totals_and_positions() {
    let result = run("shapley-ordered", &tiny_paths());
    let expected = std::fs::read_to_string(format!("{TINY}/expected_shapley.csv")).unwrap();
    let mut rows = 0;
    for line in expected.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] != "shapley-ordered" {
            continue;
        }
        let credit = result.get(f[1]).unwrap();
        assert!(close(credit.conversions, f[2].parse().unwrap()), "{line}");
        assert!(close(credit.value, f[3].parse().unwrap()), "{line}");
        rows += 1;
    }
    assert_eq!(rows, 4);
    assert_eq!(result.channels().len(), 4);

    let positions =
        std::fs::read_to_string(format!("{TINY}/expected_shapley_positions.csv")).unwrap();
    let mut rows = 0;
    for line in positions.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let credit = result.get(f[0]).unwrap();
        let t: usize = f[1].parse().unwrap();
        let got = credit.positions.as_ref().unwrap()[t - 1];
        assert!(close(got, f[2].parse().unwrap()), "{line}: {got}");
        rows += 1;
    }
    assert_eq!(rows, 16);
    for credit in result.channels() {
        assert_eq!(credit.positions.as_ref().unwrap().len(), 4);
        assert!(!credit.positions_pooled);
        let values = credit.position_values.as_ref().unwrap();
        assert!(close(values.iter().sum(), credit.value), "{credit:?}");
    }
    // Value by position, worked by hand: J1 (120) gives 30 per touch, J3 80
    // at position 1, J4 (60) 15, 15 (Email), 30 (LinkedIn), J6 (100) 50, 50.
    let values = |name: &str| result.get(name).unwrap().position_values.clone().unwrap();
    assert_eq!(values("LinkedIn"), [130.0, 0.0, 30.0, 30.0]);
    assert_eq!(values("PPC"), [30.0, 50.0, 0.0, 0.0]);
    assert_eq!(values("Email"), [15.0, 15.0, 30.0, 0.0]);
    assert_eq!(values("LandingPage"), [0.0, 30.0, 0.0, 0.0]);
}

#[test]
fn capped_positions_pool_the_tail() {
    let set = tiny_paths();
    let full = run("shapley-ordered", &set);
    let capped = run("shapley-ordered:max_position=3", &set);
    for (f, c) in full.channels().iter().zip(capped.channels()) {
        assert_eq!(f.name, c.name);
        let (fp, cp) = (f.positions.as_ref().unwrap(), c.positions.as_ref().unwrap());
        assert_eq!(cp.len(), 3);
        assert!(c.positions_pooled);
        assert_eq!(cp[..2], fp[..2]);
        assert!(close(cp[2], fp[2] + fp[3]), "{c:?}");
        assert!(close(c.conversions, f.conversions) && close(c.value, f.value));
    }
    // A cap above the longest journey pools nothing.
    let wide = run("shapley-ordered:max_position=9", &set);
    assert!(wide.channels().iter().all(|c| !c.positions_pooled));
    assert_eq!(wide.channels()[0].positions, full.channels()[0].positions);
}

#[test]
fn spec_errors_name_the_parameter() {
    let registry = Registry::builtin();
    assert_eq!(
        registry
            .parse("shapley-ordered:max_position=-1")
            .unwrap_err()
            .to_string(),
        "invalid parameter `max_position` = -1: expected a non-negative integer (0: no cap)"
    );
    assert_eq!(
        registry
            .parse("shapley-ordered:max=3")
            .unwrap_err()
            .to_string(),
        "model `shapley-ordered` has no parameter `max` (its parameters: max_position)"
    );
    assert_eq!(
        registry
            .parse("shapley-ordered:max-position=3")
            .unwrap()
            .spec()
            .to_string(),
        "shapley-ordered:max_position=3"
    );
}

#[test]
fn journey_credit_is_one_over_k_and_needs_no_fit() {
    let set = tiny_paths();
    let model = ShapleyOrdered::new(0);
    let j4 = &set.journeys()[3];
    let credit = model
        .journey_credit(j4, set.channels(), None)
        .unwrap()
        .unwrap();
    let names: Vec<(&str, f64)> = credit
        .shares
        .iter()
        .map(|&(c, s)| (set.channels().name(c).unwrap(), s))
        .collect();
    assert_eq!(names, [("Email", 0.5), ("LinkedIn", 0.5)]);
    assert_eq!(
        model.journey_credit(&set.journeys()[1], set.channels(), None),
        Ok(None)
    );
}

#[test]
fn states_validate_when_read() {
    let set = tiny_paths();
    let model = Registry::builtin()
        .parse("shapley-ordered:max_position=2")
        .unwrap();
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
    // A third position under max_position = 2.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let row = value["state"]["sums"][0].as_array_mut().unwrap();
    let first = row[0].clone();
    row.push(first);
    let err = model
        .state_from_json(&serde_json::to_string(&value).unwrap())
        .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "corrupt state: invalid shapley-ordered state: channel #0 holds more than max_position = 2 positions"
        ),
        "{err}"
    );
    // A negative credit.
    let negative = json.replacen("\"sum\": 0.25", "\"sum\": -0.25", 1);
    assert_ne!(negative, json);
    let err = model.state_from_json(&negative).unwrap_err();
    assert!(
        err.to_string().contains("not a finite non-negative number"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Properties.

const NAMES: [&str; 5] = ["PPC", "Email", "Direct", "広告", "Display"];

mod random_rows;
use random_rows::Row;

fn rows() -> impl Strategy<Value = Vec<Row>> {
    random_rows::rows(NAMES.len(), 40, 3, 25)
}

/// The journeys of `rows`, channel names interned in `order` first.
fn read(rows: &[Row], order: &[usize]) -> JourneySet {
    random_rows::read(&NAMES, rows, order)
}

/// The oracle, straight from the definition: (conversions, value) per
/// (channel name, 1-based position).
fn oracle(rows: &[Row]) -> BTreeMap<(&'static str, usize), (f64, f64)> {
    let mut out = BTreeMap::new();
    for row in rows.iter().filter(|r| r.conversions > 0) {
        let mut distinct = row.path.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let k = distinct.len() as f64;
        for (t, &c) in row.path.iter().enumerate() {
            let count = row.path.iter().filter(|&&x| x == c).count() as f64;
            let e = out.entry((NAMES[c], t + 1)).or_insert((0.0, 0.0));
            e.0 += row.conversions as f64 / (k * count);
            e.1 += row.value / (k * count);
        }
    }
    out
}

fn positions(result: &Attribution) -> BTreeMap<(String, usize), (f64, f64)> {
    let mut out = BTreeMap::new();
    for c in result.channels() {
        let p = c.positions.as_ref().unwrap();
        let v = c.position_values.as_ref().unwrap();
        for (t, (&pc, &pv)) in p.iter().zip(v).enumerate() {
            out.insert((c.name.clone(), t + 1), (pc, pv));
        }
    }
    out
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
    fn positions_match_the_oracle_and_totals_match_linear_per_channel(rows in rows()) {
        let set = read(&rows, &[0, 1, 2, 3, 4]);
        let result = ShapleyOrdered::new(0).attribute(&set).unwrap();
        let want = oracle(&rows);
        let got = positions(&result);
        for ((name, t), (c, v)) in &got {
            let (wc, wv) = want.get(&(name.as_str(), *t)).copied().unwrap_or((0.0, 0.0));
            prop_assert!(close(*c, wc) && close(*v, wv), "{name} {t}: {c} {v} vs {wc} {wv}");
        }
        for (name, t) in want.keys() {
            prop_assert!(got.contains_key(&((*name).to_owned(), *t)));
        }
        let linear = Linear::per_channel().attribute(&set).unwrap();
        for (o, l) in result.channels().iter().zip(linear.channels()) {
            prop_assert_eq!(&o.name, &l.name);
            prop_assert!(close(o.conversions, l.conversions), "{:?} vs {:?}", o, l);
            prop_assert!(close(o.value, l.value), "{:?} vs {:?}", o, l);
        }
        let total: f64 = result.channels().iter().map(|c| c.conversions).sum();
        prop_assert!(close(total, set.total_conversions() as f64));
    }

    #[test]
    fn pooling_sums_the_tail(rows in rows(), cap in 1usize..6) {
        let set = read(&rows, &[0, 1, 2, 3, 4]);
        let full = positions(&ShapleyOrdered::new(0).attribute(&set).unwrap());
        let capped = ShapleyOrdered::new(cap).attribute(&set).unwrap();
        for c in capped.channels() {
            let p = c.positions.as_ref().unwrap();
            prop_assert!(p.len() <= cap);
            for (t, &got) in p.iter().enumerate() {
                let want: f64 = full
                    .iter()
                    .filter(|((n, u), _)| *n == c.name && (*u == t + 1 || (t + 1 == cap && *u > cap)))
                    .map(|(_, &(x, _))| x)
                    .sum();
                prop_assert!(close(got, want), "{} {}: {} vs {}", c.name, t + 1, got, want);
            }
        }
    }

    #[test]
    fn permuted_journeys_and_renamed_tables_change_nothing(
        (rows, perm, order) in rows().prop_flat_map(|rows| {
            let n = rows.len();
            (
                Just(rows),
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                Just(vec![0usize, 1, 2, 3, 4]).prop_shuffle(),
            )
        })
    ) {
        let base = positions(&ShapleyOrdered::new(0).attribute(&read(&rows, &[0, 1, 2, 3, 4])).unwrap());
        let permuted: Vec<Row> = perm.iter().map(|&i| rows[i].clone()).collect();
        let other = positions(&ShapleyOrdered::new(0).attribute(&read(&permuted, &order)).unwrap());
        prop_assert_eq!(base.len(), other.len());
        for (key, (c, v)) in &base {
            let (oc, ov) = other[key];
            prop_assert!(close(*c, oc) && close(*v, ov));
        }
    }

    #[test]
    fn merged_partitions_equal_one_pass(
        (rows, part_of, orders) in rows().prop_flat_map(|rows| {
            let n = rows.len();
            (
                Just(rows),
                prop::collection::vec(0usize..3, n),
                prop::collection::vec(Just(vec![0usize, 1, 2, 3, 4]).prop_shuffle(), 3),
            )
        })
    ) {
        let model = Registry::builtin().parse("shapley-ordered:max_position=4").unwrap();
        let one_pass = model.finish(observe(model.as_ref(), &read(&rows, &[0, 1, 2, 3, 4])).as_ref()).unwrap();
        let mut merged: Option<Box<dyn DynState>> = None;
        for (p, order) in orders.iter().enumerate() {
            let mine: Vec<Row> = rows.iter().zip(&part_of).filter(|(_, q)| **q == p).map(|(r, _)| r.clone()).collect();
            let state = observe(model.as_ref(), &read(&mine, order));
            let bytes = model.state_to_bytes(state.as_ref()).unwrap();
            let state = model.state_from_bytes(&bytes).unwrap();
            match &mut merged {
                None => merged = Some(state),
                Some(m) => model.merge(m.as_mut(), state.as_ref()).unwrap(),
            }
        }
        let got = model.finish(merged.unwrap().as_ref()).unwrap();
        let (a, b) = (positions(&got), positions(&one_pass));
        prop_assert_eq!(a.len(), b.len());
        for (key, (c, v)) in &b {
            let (gc, gv) = a[key];
            prop_assert!(close(*c, gc) && close(*v, gv), "{:?}", key);
        }
        prop_assert_eq!(got.total_conversions(), one_pass.total_conversions());
    }
}

#[test]
fn concrete_state_merges_by_name() {
    let model = ShapleyOrdered::new(0);
    let (mut left_table, mut right_table) = (Channels::new(), Channels::new());
    let a = left_table.intern("A").unwrap();
    let b = left_table.intern("B").unwrap();
    let b2 = right_table.intern("B").unwrap();
    let a2 = right_table.intern("A").unwrap();
    let (mut left, mut right) = (model.new_state(), model.new_state());
    model
        .observe(
            &mut left,
            &Journey::from_channels(&[a, b], 1, 0, 2.0).unwrap(),
            &left_table,
        )
        .unwrap();
    model
        .observe(
            &mut right,
            &Journey::from_channels(&[b2, a2, a2], 1, 0, 4.0).unwrap(),
            &right_table,
        )
        .unwrap();
    left.merge(&right).unwrap();
    assert_eq!(left.position_conversions(a, 0), 0.5);
    assert_eq!(left.position_conversions(a, 1), 0.25);
    assert_eq!(left.position_value(a, 2), 1.0);
    assert_eq!(left.position_conversions(b, 0), 0.5);
    assert_eq!(left.position_conversions(b, 1), 0.5);
    assert_eq!(left.positions(), 3);
    assert_eq!(left.total_conversions(), 2.0);
    assert_eq!(left.converting_journeys(), 2);
}
