//! The Markov model against the shared fixtures (1e-9 relative).

use std::collections::HashMap;

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::markov::{Markov, MarkovChain, Solver};
use attribution::{JourneySet, Model};

fn fixture(rel: &str) -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/").to_owned() + rel
}

fn read(rel: &str, delimiter: u8) -> JourneySet {
    ReaderBuilder::new(Shape::Paths)
        .delimiter(Some(delimiter))
        .from_path(fixture(rel))
        .unwrap()
        .read_all()
        .unwrap()
        .0
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

/// `channel -> (conversions, value, removal_effect)`.
type Expected = HashMap<String, (f64, f64, f64)>;

fn check(set: &JourneySet, model: Markov, expected: &Expected) {
    let result = model.attribute(set).unwrap();
    assert_eq!(result.channels().len(), expected.len());
    for credit in result.channels() {
        let &(conv, value, re) = expected
            .get(&credit.name)
            .unwrap_or_else(|| panic!("unexpected channel {}", credit.name));
        let got_re = credit.removal_effect.unwrap();
        assert!(
            close(credit.conversions, conv),
            "{} conversions {} vs {conv}",
            credit.name,
            credit.conversions
        );
        assert!(
            close(credit.value, value),
            "{} value {} vs {value}",
            credit.name,
            credit.value
        );
        assert!(close(got_re, re), "{} RE {got_re} vs {re}", credit.name);
    }
    let total: f64 = result.channels().iter().map(|c| c.conversions).sum();
    assert!(close(total, result.total_conversions()));
    let total: f64 = result.channels().iter().map(|c| c.value).sum();
    assert!(close(total, result.total_value()));
}

fn tiny_expected(order: usize) -> Expected {
    let text = std::fs::read_to_string(fixture("tiny/expected.csv")).unwrap();
    let variant = format!("order_{order}");
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[0] == "markov" && f[1] == variant).then(|| {
                (
                    f[2].to_owned(),
                    (
                        f[3].parse().unwrap(),
                        f[4].parse().unwrap(),
                        f[5].parse().unwrap(),
                    ),
                )
            })
        })
        .collect()
}

fn synthetic_expected(order: usize) -> Expected {
    let text = std::fs::read_to_string(fixture(&format!(
        "synthetic/expected_markov_order{order}.csv"
    )))
    .unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (
                f[0].to_owned(),
                (
                    f[1].parse().unwrap(),
                    f[2].parse().unwrap(),
                    f[3].parse().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn tiny_orders_1_to_3_with_every_solver() {
    let set = read("tiny/paths.csv", b',');
    for order in 1..=3 {
        let expected = tiny_expected(order);
        assert_eq!(expected.len(), 4);
        for solver in [Solver::Auto, Solver::Dense, Solver::Iterative] {
            check(&set, Markov::new(order).unwrap().solver(solver), &expected);
        }
        check(
            &set,
            Markov::new(order).unwrap().keep_self_loops(true),
            &expected,
        );
    }
}

#[test]
fn synthetic_orders_1_to_3() {
    let set = read("synthetic/paths_100000_12.csv", b';');
    for (order, states) in [(1, 12), (2, 156), (3, 1884)] {
        let model = Markov::new(order).unwrap();
        let mut counts = model.counts();
        for j in &set {
            model.observe(&mut counts, j, set.channels()).unwrap();
        }
        let chain = MarkovChain::new(&counts, set.channels()).unwrap();
        assert_eq!(chain.n_states(), states);
        let p = chain.conversion_probability().unwrap();
        assert!((p - 49_458.0 / 286_904.0).abs() <= 1e-12, "P = {p}");
        check(&set, model, &synthetic_expected(order));
    }
}

#[test]
fn synthetic_order_2_iterative_matches_dense() {
    let set = read("synthetic/paths_100000_12.csv", b';');
    let expected = synthetic_expected(2);
    check(
        &set,
        Markov::new(2).unwrap().solver(Solver::Iterative),
        &expected,
    );
    check(
        &set,
        Markov::new(2).unwrap().solver(Solver::Dense),
        &expected,
    );
}
