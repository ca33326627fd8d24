//! Transition tables, graph, DOT and order selection on the tiny fixture.

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::markov::{Markov, MarkovChain, select_order};
use attribution::{JourneySet, Model};

fn tiny() -> JourneySet {
    ReaderBuilder::new(Shape::Paths)
        .from_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/tiny/paths.csv"
        ))
        .unwrap()
        .read_all()
        .unwrap()
        .0
}

fn chain(set: &JourneySet, order: usize) -> MarkovChain {
    let model = Markov::new(order).unwrap();
    let mut counts = model.counts();
    for j in set {
        model.observe(&mut counts, j, set.channels()).unwrap();
    }
    model.chain(&counts).unwrap()
}

#[test]
fn tiny_order_1_transition_rows() {
    let set = tiny();
    let rows = chain(&set, 1).transitions();
    let find = |from: &str, to: &str| {
        rows.iter()
            .find(|r| r.from == from && r.to == to)
            .map(|r| (r.probability, r.count))
    };
    assert_eq!(find("(start)", "PPC"), Some((0.5, 4)));
    assert_eq!(find("(start)", "LinkedIn"), Some((0.25, 2)));
    assert_eq!(find("(start)", "Email"), Some((0.25, 2)));
    assert_eq!(find("PPC", "LandingPage"), Some((0.6, 3)));
    assert_eq!(find("PPC", "(conversion)"), Some((0.2, 1)));
    assert_eq!(find("PPC", "(null)"), Some((0.2, 1)));
    assert_eq!(find("Email", "Email"), None, "repeats are merged");
    assert_eq!(find("LinkedIn", "(conversion)"), Some((0.6, 3)));
    assert_eq!(find("LinkedIn", "PPC"), Some((0.2, 1)));
    // probabilities leaving every state sum to 1
    for from in ["(start)", "PPC", "LandingPage", "Email", "LinkedIn"] {
        let sum: f64 = rows
            .iter()
            .filter(|r| r.from == from)
            .map(|r| r.probability)
            .sum();
        assert!((sum - 1.0).abs() < 1e-15, "{from}");
    }
    // serialisable as CSV/JSON rows
    let json = serde_json::to_string(&rows[0]).unwrap();
    assert!(json.starts_with("{\"from\":\"(start)\",\"to\":"));
}

#[test]
fn tiny_order_2_states_are_written_with_separators_and_self_loops_kept_on_request() {
    let set = tiny();
    let rows = chain(&set, 2).transitions();
    assert!(rows.iter().any(|r| r.from == "PPC > LandingPage"
        && r.to == "LandingPage > Email"
        && r.count == 2
        && r.probability == 2.0 / 3.0));
    assert!(
        rows.iter()
            .any(|r| r.from == "(start)" && r.to == "LinkedIn" && r.count == 1)
    );
    let model = Markov::new(1).unwrap().keep_self_loops(true);
    let mut counts = model.counts();
    for j in &set {
        model.observe(&mut counts, j, set.channels()).unwrap();
    }
    let rows = model.chain(&counts).unwrap().transitions();
    assert!(
        rows.iter()
            .any(|r| r.from == "Email" && r.to == "Email" && r.count == 1)
    );
}

#[cfg(feature = "dot")]
#[test]
fn graph_and_dot() {
    let set = tiny();
    let c = chain(&set, 1);
    let g = c.graph();
    assert_eq!(g.node_count(), 4 + 3);
    assert_eq!(g.edge_count(), c.transitions().len());
    let dot = c.to_dot();
    assert!(dot.starts_with("digraph {"));
    assert!(dot.trim_end().ends_with('}'));
    assert!(dot.contains("[ label = \"(conversion)\" ]"));
    assert!(dot.contains("[ label = \"LandingPage\" ]"));
    assert_eq!(dot.matches("->").count(), c.transitions().len());
}

#[test]
fn order_selection_on_tiny_and_synthetic() {
    let set = tiny();
    let report = select_order(&set, 3, 4).unwrap();
    assert_eq!(report.orders.len(), 3);
    let states: Vec<usize> = report.orders.iter().map(|o| o.states).collect();
    assert_eq!(states[0], 4);
    for o in &report.orders {
        assert!(o.log_likelihood <= 0.0);
        assert!(o.cv_log_loss.is_finite() && o.cv_log_loss > 0.0);
        let auc = o.cv_auc.unwrap();
        assert!((0.0..=1.0).contains(&auc));
        assert!(o.bic >= -2.0 * o.log_likelihood);
    }
    assert!((1..=3).contains(&report.suggested_order));
    // in-sample likelihood never decreases with the order on this data
    let best = report
        .orders
        .iter()
        .min_by(|a, b| a.cv_log_loss.total_cmp(&b.cv_log_loss))
        .unwrap();
    assert_eq!(best.order, report.suggested_order);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"suggested_order\""));
    assert!(select_order(&set, 0, 4).is_err());
    assert!(select_order(&set, 2, 1).is_err());

    let synthetic = ReaderBuilder::new(Shape::Paths)
        .delimiter(Some(b';'))
        .from_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/synthetic/paths_100000_12.csv"
        ))
        .unwrap()
        .read_all()
        .unwrap()
        .0;
    let report = select_order(&synthetic, 3, 5).unwrap();
    let states: Vec<usize> = report.orders.iter().map(|o| o.states).collect();
    assert_eq!(states, [12, 156, 1884]);
    for o in &report.orders {
        let auc = o.cv_auc.unwrap();
        assert!(auc > 0.5 && auc < 1.0, "order {} AUC {auc}", o.order);
    }
}

#[test]
fn markov_parameters_and_name() {
    let m = Markov::new(3).unwrap().max_steps(Some(20)).unwrap();
    assert_eq!(m.name(), "markov");
    assert_eq!(
        m.parameters(),
        vec![
            ("order".to_owned(), "3".to_owned()),
            ("max_steps".to_owned(), "20".to_owned())
        ]
    );
}

/// The cross-validated log-loss as defined on `select_order`: for each
/// journey, a chain trained on the other folds' journeys.
fn reference_cv_log_loss(set: &JourneySet, k: usize, folds: usize) -> f64 {
    use attribution::model::markov::TransitionCounts;
    let train: Vec<TransitionCounts> = (0..folds)
        .map(|f| {
            let mut c = TransitionCounts::new(k).unwrap();
            for (i, j) in set.iter().enumerate() {
                if i % folds != f {
                    c.observe(j);
                }
            }
            c
        })
        .collect();
    let (mut loss, mut weight) = (0.0, 0.0);
    for (i, j) in set.iter().enumerate() {
        let t = &train[i % folds];
        let path: Vec<_> = j.channels().collect();
        let last = &path[path.len().saturating_sub(k)..];
        let (c, n) = (t.conversions(last) as f64, t.non_conversions(last) as f64);
        let p0 = t.total_conversions() as f64 / t.total_journeys() as f64;
        let p = ((c + p0) / (c + n + 1.0)).clamp(1e-12, 1.0 - 1e-12);
        let (jc, jn) = (j.conversions() as f64, j.non_conversions() as f64);
        loss -= jc * p.ln() + jn * (1.0 - p).ln();
        weight += jc + jn;
    }
    loss / weight
}

#[test]
fn cross_validation_trains_on_the_other_folds() {
    let set = tiny();
    for folds in [2, 3, 5, 8] {
        let report = select_order(&set, 4, folds).unwrap();
        assert_eq!(report.orders.len(), 4);
        for o in &report.orders {
            let expected = reference_cv_log_loss(&set, o.order, folds);
            assert!(
                (o.cv_log_loss - expected).abs() <= 1e-12,
                "order {} folds {folds}: {} vs {expected}",
                o.order,
                o.cv_log_loss
            );
        }
    }
}

#[test]
fn order_selection_rejects_more_folds_than_journeys_and_caps_the_order() {
    use attribution::ModelError;
    use attribution::model::markov::select_order_with_progress;
    let set = tiny(); // 8 journeys of at most 4 touches
    assert_eq!(
        select_order(&set, 2, 100_000_000),
        Err(ModelError::TooManyFolds {
            folds: 100_000_000,
            journeys: 8
        })
    );
    assert_eq!(
        select_order(&set, 2, 9).unwrap_err().to_string(),
        "9 cross-validation folds for 8 journeys: every fold needs a journey"
    );
    assert_eq!(select_order(&set, 2, 8).unwrap().folds, 8);
    let mut progress = Vec::new();
    let capped =
        select_order_with_progress(&set, 10, 4, |k, last| progress.push((k, last))).unwrap();
    assert_eq!(progress, [(1, 4), (2, 4), (3, 4), (4, 4)]);
    assert_eq!(capped, select_order(&set, 4, 4).unwrap());
}
