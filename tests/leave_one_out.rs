//! `leave-one-out`: every row of `tests/data/tiny/expected_counterfactual.csv`
//! (seven transform lists) from the three input shapes, the spec's
//! fallback example, per-journey credit, an exact-rational oracle on random
//! inputs, invariance to row order, splitting and partition merges, and the
//! equal split when no counterfactual is seen (spec property 12).

use std::collections::HashMap;

use attribution::io::Shape;
use attribution::model::Registry;
use attribution::model::leave_one_out::LeaveOneOut;
use attribution::transform::Transforms;
use attribution::{Attribution, Channels, Journey, JourneySet, Merge, Model};
use proptest::prelude::*;

mod tiny_shapes;
use tiny_shapes::{TINY, read, shapes};

/// (channel, conversions, value) rows.
type Rows = Vec<(String, f64, f64)>;

/// Per transform list: its rows, in file order.
fn expected() -> Vec<(String, Rows)> {
    let mut out: Vec<(String, Rows)> = Vec::new();
    let mut reader = csv::Reader::from_path(format!("{TINY}/expected_counterfactual.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        if &row[0] != "leave-one-out" {
            continue;
        }
        assert_eq!(&row[1], "leave-one-out");
        let list = row[2].to_owned();
        let entry = (
            row[3].to_owned(),
            row[4].parse().unwrap(),
            row[5].parse().unwrap(),
        );
        match out.iter_mut().find(|(l, _)| *l == list) {
            Some((_, rows)) => rows.push(entry),
            None => out.push((list, vec![entry])),
        }
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn check(result: &Attribution, rows: &[(String, f64, f64)], what: &str) {
    let got: Vec<(&str, f64, f64)> = result
        .channels()
        .iter()
        .map(|c| (c.name.as_str(), c.conversions, c.value))
        .collect();
    assert_eq!(got.len(), rows.len(), "{what}: {got:?}");
    for ((name, c, v), (e_name, e_c, e_v)) in got.iter().zip(rows) {
        assert_eq!(name, e_name, "{what}");
        assert!(close(*c, *e_c), "{what} {name}: conversions {c} vs {e_c}");
        assert!(close(*v, *e_v), "{what} {name}: value {v} vs {e_v}");
    }
}

#[test]
fn every_fixture_row_from_every_shape() {
    let registry = Registry::builtin();
    let expected = expected();
    assert_eq!(expected.len(), 7);
    assert_eq!(expected.iter().map(|(_, r)| r.len()).sum::<usize>(), 28);
    for (shape, set) in shapes() {
        for (list, rows) in &expected {
            let transforms = Transforms::from_spec_value(list).unwrap();
            let model = transforms.wrap(registry.parse("leave-one-out").unwrap());
            let what = format!("{shape} / {list}");
            check(&model.attribute(&set).unwrap(), rows, &what);
            // The registry's spec gives the same model.
            let spec = model.spec().to_string();
            let again = registry.parse(&spec).unwrap();
            check(&again.attribute(&set).unwrap(), rows, &what);
        }
    }
}

#[test]
fn the_worked_examples_exactly() {
    let set = read(Shape::Paths, "paths.csv");
    let registry = Registry::builtin();
    let run = |spec: &str| registry.parse(spec).unwrap().attribute(&set).unwrap();
    let credit = |r: &Attribution, n: &str| {
        let c = r.get(n).unwrap();
        (c.conversions, c.value)
    };
    let r = run("leave-one-out:transform=exposure");
    assert_eq!(credit(&r, "LinkedIn"), (3.25, 270.0));
    let r = run("leave-one-out");
    assert_eq!(credit(&r, "Email"), (0.9166666666666666, 70.0));
    assert_eq!(credit(&r, "LinkedIn"), (2.5833333333333335, 230.0));
    assert_eq!(r.total_conversions(), 4.0);
    assert_eq!(r.total_value(), 360.0);
}

fn journeys(rows: &[(&str, u64, u64, f64)]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for (path, c, n, v) in rows {
        let ids: Vec<_> = path
            .split('>')
            .map(|t| set.channels_mut().intern(t.trim()).unwrap())
            .collect();
        set.push(Journey::from_channels(&ids, *c, *n, *v).unwrap())
            .unwrap();
    }
    set
}

#[test]
fn fallback_gives_the_last_touch() {
    // Spec §3.2 "Fallback": both gaps of `A > B` are negative.
    let set = journeys(&[("A > B", 1, 2, 30.0), ("A", 1, 1, 5.0), ("B", 1, 1, 7.0)]);
    let result = LeaveOneOut::new().attribute(&set).unwrap();
    let credit = |n: &str| result.get(n).map(|c| (c.conversions, c.value)).unwrap();
    assert_eq!(credit("A"), (1.0, 5.0));
    assert_eq!(credit("B"), (2.0, 37.0));
    // Per journey: `A > B` all to B.
    let model = LeaveOneOut::new();
    let mut state = model.new_state();
    for j in &set {
        model.observe(&mut state, j, set.channels()).unwrap();
    }
    let fit = model.fit(&state).unwrap();
    let first = &set.journeys()[0];
    let credit = model
        .journey_credit(first, set.channels(), Some(&fit))
        .unwrap()
        .unwrap();
    let (a, b) = (
        set.channels().get("A").unwrap(),
        set.channels().get("B").unwrap(),
    );
    assert_eq!(credit.shares, [(a, 0.0), (b, 1.0)]);
    assert_eq!(
        model.journey_credit(first, set.channels(), None).unwrap(),
        None
    );
}

#[test]
fn no_conversions_give_zeros_and_per_journey_credit_follows_the_fit() {
    let set = journeys(&[("A > B", 0, 2, 0.0), ("B", 0, 1, 0.0)]);
    let result = LeaveOneOut::new().attribute(&set).unwrap();
    assert!(
        result
            .channels()
            .iter()
            .all(|c| c.conversions == 0.0 && c.value == 0.0)
    );
    assert_eq!(result.channels().len(), 2);

    // Tiny, unique: J4 `Email > Email > LinkedIn` gets 1/3 per touch.
    let set = read(Shape::Journeys, "journeys.csv");
    let registry = Registry::builtin();
    let model = registry.parse("leave-one-out").unwrap();
    let mut state = model.new_state();
    for j in &set {
        model.observe(state.as_mut(), j, set.channels()).unwrap();
    }
    let fit = model.fit(state.as_ref()).unwrap();
    let j4 = &set.journeys()[3];
    let shares = model
        .journey_credit(j4, set.channels(), Some(fit.as_ref()))
        .unwrap()
        .unwrap()
        .shares;
    let names: Vec<(&str, f64)> = shares
        .iter()
        .map(|(c, s)| (set.channels().name(*c).unwrap(), *s))
        .collect();
    assert_eq!(names.len(), 2);
    assert!(close(names[0].1, 2.0 / 3.0) && names[0].0 == "Email");
    assert!(close(names[1].1, 1.0 / 3.0) && names[1].0 == "LinkedIn");
    // Through `exposure`, the wrapper transforms the journey first: all to LinkedIn.
    let model = registry.parse("leave-one-out:transform=exposure").unwrap();
    let mut state = model.new_state();
    for j in &set {
        model.observe(state.as_mut(), j, set.channels()).unwrap();
    }
    let fit = model.fit(state.as_ref()).unwrap();
    let shares = model
        .journey_credit(j4, set.channels(), Some(fit.as_ref()))
        .unwrap()
        .unwrap()
        .shares;
    let linkedin = set.channels().get("LinkedIn").unwrap();
    let email = set.channels().get("Email").unwrap();
    assert_eq!(shares, [(email, 0.0), (linkedin, 1.0)]);
}

// ---- exact-rational oracle ------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Q(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

impl Q {
    fn new(n: i128, d: i128) -> Self {
        let g = gcd(n, d);
        let s = if d < 0 { -1 } else { 1 };
        Q(s * n / g, s * d / g)
    }
    fn sub(self, o: Q) -> Q {
        Q::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn add(self, o: Q) -> Q {
        Q::new(self.0 * o.1 + o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Q) -> Q {
        Q::new(self.0 * o.1, self.1 * o.0)
    }
    fn f(self) -> f64 {
        self.0 as f64 / self.1 as f64
    }
}

/// Leave-one-out in exact rationals, straight from the definition, over
/// rows (path of channel indices, conversions, non-conversions, value in
/// whole units).
fn oracle(rows: &[(Vec<usize>, u64, u64, u64)], channels: usize) -> Vec<(f64, f64)> {
    let mut grouped: Vec<(Vec<usize>, i128, i128, i128)> = Vec::new();
    for (p, c, n, v) in rows {
        match grouped.iter_mut().find(|g| g.0 == *p) {
            Some(g) => {
                g.1 += i128::from(*c);
                g.2 += i128::from(*n);
                if *c > 0 {
                    g.3 += i128::from(*v);
                }
            }
            None => grouped.push((
                p.clone(),
                (*c).into(),
                (*n).into(),
                if *c > 0 { (*v).into() } else { 0 },
            )),
        }
    }
    let rate = |p: &[usize]| -> Q {
        grouped
            .iter()
            .find(|g| g.0 == p)
            .filter(|g| g.1 + g.2 > 0)
            .map_or(Q(0, 1), |g| Q::new(g.1, g.1 + g.2))
    };
    let mut conv = vec![Q(0, 1); channels];
    let mut val = vec![Q(0, 1); channels];
    for (p, c, _, v) in &grouped {
        if *c == 0 {
            continue;
        }
        let l = p.len();
        let mut w = vec![Q(0, 1); l];
        if l == 1 {
            w[0] = Q(1, 1);
        } else {
            let rp = rate(p);
            let mut total = Q(0, 1);
            for (i, wi) in w.iter_mut().enumerate() {
                let mut q = p.clone();
                q.remove(i);
                let gap = rp.sub(rate(&q));
                let gap = if gap.0 > 0 { gap } else { Q(0, 1) };
                *wi = gap;
                total = total.add(gap);
            }
            if total.0 == 0 {
                w = vec![Q(0, 1); l];
                w[l - 1] = Q(1, 1);
            } else {
                for x in &mut w {
                    *x = x.div(total);
                }
            }
        }
        for (i, ch) in p.iter().enumerate() {
            conv[*ch] = conv[*ch].add(w[i].mul(Q(*c, 1)));
            val[*ch] = val[*ch].add(w[i].mul(Q(*v, 1)));
        }
    }
    conv.iter().zip(&val).map(|(c, v)| (c.f(), v.f())).collect()
}

type Row = (Vec<usize>, u64, u64, u64);

fn arb_rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (
            prop::collection::vec(0usize..4, 1..5),
            0u64..3,
            0u64..3,
            0u64..50,
        ),
        1..25,
    )
}

fn set_of(rows: &[Row], names: &[&str]) -> JourneySet {
    let mut set = JourneySet::new(Channels::new());
    for n in names {
        set.channels_mut().intern(n).unwrap();
    }
    for (p, c, n, v) in rows {
        let ids: Vec<_> = p
            .iter()
            .map(|i| set.channels_mut().intern(&format!("C{i}")).unwrap())
            .collect();
        set.push(Journey::from_channels(&ids, *c, *n, *v as f64).unwrap())
            .unwrap();
    }
    set
}

fn by_name(result: &Attribution) -> HashMap<String, (f64, f64)> {
    result
        .channels()
        .iter()
        .map(|c| (c.name.clone(), (c.conversions, c.value)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn matches_the_exact_rational_oracle(rows in arb_rows()) {
        let names = ["C0", "C1", "C2", "C3"];
        let set = set_of(&rows, &names);
        let result = LeaveOneOut::new().attribute(&set).unwrap();
        let exact = oracle(&rows, 4);
        let got = by_name(&result);
        let (mut total_c, mut total_v) = (0.0, 0.0);
        for (i, name) in names.iter().enumerate() {
            let (c, v) = got[*name];
            prop_assert!(close(c, exact[i].0), "{} conversions {} vs {}", name, c, exact[i].0);
            prop_assert!(close(v, exact[i].1), "{} value {} vs {}", name, v, exact[i].1);
            total_c += c;
            total_v += v;
        }
        // Efficient: credits sum to the conversions and value.
        prop_assert!(close(total_c, set.total_conversions() as f64));
        let value: f64 = set.iter().filter(|j| j.conversions() > 0).map(Journey::value).sum();
        prop_assert!(close(total_v, value));
    }

    #[test]
    fn invariant_to_order_splits_and_partitions(
        rows in arb_rows(),
        seed in any::<u64>(),
        parts in 1usize..6,
    ) {
        let model = LeaveOneOut::new();
        let one = by_name(&model.attribute(&set_of(&rows, &[])).unwrap());
        // Permuted and split rows (each row with c + n > 1 as single journeys).
        let mut shuffled: Vec<Row> = Vec::new();
        for (p, c, n, v) in &rows {
            if *c > 1 {
                shuffled.push((p.clone(), 1, *n, *v / 2));
                shuffled.push((p.clone(), c - 1, 0, v - v / 2));
            } else {
                shuffled.push((p.clone(), *c, *n, *v));
            }
        }
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        // Values split unevenly change the value sums only by rounding.
        let again = by_name(&model.attribute(&set_of(&shuffled, &["C3", "C1"])).unwrap());
        for (name, (c, v)) in &one {
            let (c2, v2) = again[name];
            prop_assert!((c - c2).abs() <= 1e-12 * c.abs().max(1.0));
            prop_assert!((v - v2).abs() <= 1e-12 * v.abs().max(1.0));
        }
        // Partitions, each read with its own channel table, through bytes,
        // merged in a shuffled order: bit-identical to one pass.
        let mut states = Vec::new();
        for k in 0..parts {
            let part: Vec<Row> = rows.iter().skip(k).step_by(parts).cloned().collect();
            let names = if k % 2 == 0 { vec!["C2", "C0"] } else { vec![] };
            let set = set_of(&part, &names);
            let mut state = model.new_state();
            for j in &set {
                model.observe(&mut state, j, set.channels()).unwrap();
            }
            let bytes = attribution::model::StateEnvelope::new(state).to_bytes().unwrap();
            states.push(
                attribution::model::StateEnvelope::<<LeaveOneOut as Model>::State>::from_bytes(&bytes)
                    .unwrap()
                    .state,
            );
        }
        states.rotate_left(seed as usize % parts);
        let mut merged = model.new_state();
        for st in &states {
            merged.merge(st).unwrap();
        }
        let merged = by_name(&model.finish(&merged).unwrap());
        for (name, credit) in &merged {
            // Channels the partitions' tables listed beyond the input get 0.
            prop_assert_eq!(*credit, one.get(name).copied().unwrap_or((0.0, 0.0)));
        }
        prop_assert!(one.keys().all(|k| merged.contains_key(k)));
    }

    #[test]
    fn unseen_counterfactuals_split_equally(
        path in prop::collection::vec(0usize..4, 2..6),
        others in arb_rows(),
        c in 1u64..4,
    ) {
        // Spec property 12: keep only other rows that are not a
        // counterfactual of `path` or that have rate 0.
        let counterfactuals: Vec<Vec<usize>> = (0..path.len())
            .map(|i| { let mut q = path.clone(); q.remove(i); q })
            .collect();
        let mut rows: Vec<Row> = others
            .into_iter()
            .filter(|r| r.0 != path)
            .map(|(p, c2, n, v)| if counterfactuals.contains(&p) { (p, 0, n.max(1), 0) } else { (p, c2, n, v) })
            .collect();
        rows.push((path.clone(), c, 0, 12));
        let set = set_of(&rows, &[]);
        let model = LeaveOneOut::new();
        let mut state = model.new_state();
        for j in &set {
            model.observe(&mut state, j, set.channels()).unwrap();
        }
        let fit = model.fit(&state).unwrap();
        let journey = set.journeys().last().unwrap();
        let credit = model.journey_credit(journey, set.channels(), Some(&fit)).unwrap().unwrap();
        let l = path.len() as f64;
        for (channel, share) in credit.shares {
            let count = journey.channels().filter(|&x| x == channel).count() as f64;
            prop_assert!(close(share, count / l), "{} vs {}", share, count / l);
        }
    }
}

#[test]
fn damaged_states_are_refused_with_the_reason() {
    let set = journeys(&[("A > B", 1, 2, 30.0), ("B", 0, 1, 0.0)]);
    let model = LeaveOneOut::new();
    let mut state = model.new_state();
    for j in &set {
        model.observe(&mut state, j, set.channels()).unwrap();
    }
    let json = serde_json::to_value(&state).unwrap();
    let back: <LeaveOneOut as Model>::State = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, state);
    // Paths are written sorted: [A, B] = [[0,0],[1,0]] before [B] = [[1,0]].
    assert_eq!(
        json["paths"][0]["tokens"],
        serde_json::json!([[0, 0], [1, 0]])
    );
    let reject = |edit: &dyn Fn(&mut serde_json::Value), message: &str| {
        let mut v = json.clone();
        edit(&mut v);
        let err = serde_json::from_value::<<LeaveOneOut as Model>::State>(v).unwrap_err();
        assert!(err.to_string().contains(message), "{err} vs {message}");
    };
    reject(
        &|v| v["paths"][0]["tokens"] = serde_json::json!([]),
        "path #0 is empty",
    );
    reject(
        &|v| v["paths"][0]["tokens"] = serde_json::json!([[0, 0], [2, 0]]),
        "path #0 names channel #2 of 2 channels",
    );
    reject(
        &|v| v["paths"][0]["tokens"] = serde_json::json!([[0, 2], [1, 0]]),
        "path #0 has tags on some tokens only",
    );
    reject(
        &|v| v["paths"][1]["tokens"] = serde_json::json!([[0, 0], [1, 0]]),
        "path #1 is listed twice",
    );
    reject(
        &|v| v["paths"][1]["counts"]["non_conversions"] = serde_json::json!(0),
        "path #1 has no journey",
    );
    reject(
        &|v| {
            v["paths"][1]["counts"]["value"] = serde_json::json!({"sum": 1.0, "compensation": 0.0});
        },
        "path #1 has value without conversions",
    );
    reject(
        &|v| v["paths"][0]["counts"]["conversions"] = serde_json::json!(9007199254740993u64),
        "more than 2^53",
    );
}
