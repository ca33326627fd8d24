//! `compare` on the tiny fixture (tests/data/tiny/paths.csv) with the
//! heuristics and Markov order 1: shares and ranks computed by hand (exact
//! fractions of the fixture's credits), Kendall τ-b by hand and by a
//! brute-force pair count written here, the leader and the spreads.

use attribution::compare::{Comparison, Metric, ShareBasis};
use attribution::io::{ReaderBuilder, Shape};
use attribution::model::Registry;
use attribution::{Attribution, JourneySet};

const MODELS: [&str; 6] = [
    "first-touch",
    "last-touch",
    "linear",
    "position-based",
    "position-decay",
    "markov",
];
const CHANNELS: [&str; 4] = ["PPC", "LandingPage", "Email", "LinkedIn"];

fn tiny_paths() -> JourneySet {
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

fn comparison(metric: Metric) -> Comparison {
    let journeys = tiny_paths();
    let registry = Registry::builtin();
    let results: Vec<(&str, Attribution)> = MODELS
        .iter()
        .map(|&m| (m, registry.parse(m).unwrap().attribute(&journeys).unwrap()))
        .collect();
    let refs: Vec<(&str, &Attribution)> = results.iter().map(|(l, a)| (*l, a)).collect();
    Comparison::new(&refs, metric).unwrap()
}

/// Kendall's τ-b by its definition: every pair of channels.
fn brute_force_tau(x: &[usize], y: &[usize]) -> Option<f64> {
    let (mut concordant, mut discordant, mut tied_x, mut tied_y) = (0_i32, 0_i32, 0, 0);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let (dx, dy) = (x[i].cmp(&x[j]), y[i].cmp(&y[j]));
            tied_x += i32::from(dx.is_eq());
            tied_y += i32::from(dy.is_eq());
            if dx.is_ne() && dy.is_ne() {
                if dx == dy {
                    concordant += 1;
                } else {
                    discordant += 1;
                }
            }
        }
    }
    let n = i32::try_from(x.len()).unwrap();
    let all = n * (n - 1) / 2;
    let d = f64::from(all - tied_x) * f64::from(all - tied_y);
    (d > 0.0).then(|| f64::from(concordant - discordant) / d.sqrt())
}

#[test]
fn shares_and_ranks_by_hand() {
    let c = comparison(Metric::Conversions);
    let labels: Vec<&str> = c.models.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, MODELS);
    let names: Vec<&str> = c.channels.iter().map(|r| r.channel.as_str()).collect();
    assert_eq!(names, CHANNELS);
    // Conversions per channel (tests/data/tiny/expected.csv; position decay
    // r = 1/2 by hand: 11/15, 2/15, 73/105, 256/105), over 4 conversions.
    let expected_shares: [[f64; 4]; 6] = [
        [0.25, 0.0, 0.25, 0.5],
        [0.25, 0.0, 0.0, 0.75],
        [3.0 / 16.0, 1.0 / 16.0, 11.0 / 48.0, 25.0 / 48.0],
        [9.0 / 40.0, 1.0 / 40.0, 7.0 / 40.0, 23.0 / 40.0],
        [11.0 / 60.0, 1.0 / 30.0, 73.0 / 420.0, 64.0 / 105.0],
        [95.0 / 399.0, 48.0 / 399.0, 96.0 / 399.0, 160.0 / 399.0],
    ];
    let expected_ranks: [[usize; 4]; 6] = [
        [2, 4, 2, 1],
        [2, 3, 3, 1],
        [3, 4, 2, 1],
        [2, 4, 3, 1],
        [2, 4, 3, 1],
        [3, 4, 2, 1],
    ];
    for (m, model) in c.models.iter().enumerate() {
        assert_eq!(model.share_basis, ShareBasis::CreditSum, "{}", model.label);
        assert!((model.total - 4.0).abs() <= 1e-12);
        assert!((model.credit_sum - 4.0).abs() <= 1e-12);
        for (ch, row) in c.channels.iter().enumerate() {
            let cell = row.cells[m];
            let share = cell.share.unwrap();
            let want = expected_shares[m][ch];
            assert!(
                (share - want).abs() <= 1e-12,
                "{} {}: {share} vs {want}",
                model.label,
                row.channel
            );
            assert_eq!(
                cell.rank, expected_ranks[m][ch],
                "{} {}",
                model.label, row.channel
            );
        }
    }
    assert_eq!(c.models[0].top, ["LinkedIn"]);
}

#[test]
fn kendall_matrix_by_hand_and_by_brute_force() {
    let c = comparison(Metric::Conversions);
    let (a, b, d) = (0.8, 5.0 / 30.0_f64.sqrt(), 3.0 / 30.0_f64.sqrt());
    let e = 4.0 / 6.0;
    // Ranks: first-touch 2421, last-touch 2331, linear 3421,
    // position-based 2431, position-decay 2431, markov 3421.
    let expected = [
        [1.0, a, b, b, b, b],
        [a, 1.0, d, b, b, d],
        [b, d, 1.0, e, e, 1.0],
        [b, b, e, 1.0, 1.0, e],
        [b, b, e, 1.0, 1.0, e],
        [b, d, 1.0, e, e, 1.0],
    ];
    let ranks = |m: usize| -> Vec<usize> { c.channels.iter().map(|r| r.cells[m].rank).collect() };
    for i in 0..MODELS.len() {
        for j in 0..MODELS.len() {
            let tau = c.kendall[i][j].unwrap();
            assert!(
                (tau - expected[i][j]).abs() <= 1e-12,
                "{} {}",
                MODELS[i],
                MODELS[j]
            );
            let slow = brute_force_tau(&ranks(i), &ranks(j)).unwrap();
            assert!((tau - slow).abs() <= 1e-12);
        }
    }
    assert_eq!(c.kendall("linear", "markov"), Some(Some(1.0)));
    assert_eq!(c.kendall("linear", "shapley"), None);
}

#[test]
fn leader_and_disagreements() {
    let c = comparison(Metric::Conversions);
    let leader = c.leader.as_ref().unwrap();
    assert_eq!(leader.channel, "LinkedIn");
    assert_eq!((leader.first_under, leader.models), (6, 6));
    assert!(leader.tied_with.is_empty());
    assert!(c.dissents.is_empty());
    let spreads: Vec<(&str, usize, usize)> = c
        .spreads
        .iter()
        .map(|s| (s.channel.as_str(), s.best_rank, s.worst_rank))
        .collect();
    assert_eq!(
        spreads,
        [("PPC", 2, 3), ("LandingPage", 3, 4), ("Email", 2, 3)]
    );
    assert_eq!(
        c.spreads[0].best_under,
        [
            "first-touch",
            "last-touch",
            "position-based",
            "position-decay"
        ]
    );
    assert_eq!(c.spreads[0].worst_under, ["linear", "markov"]);
    let linkedin = c.channel("LinkedIn").unwrap();
    assert_eq!((linkedin.best_rank, linkedin.worst_rank), (1, 1));
    assert_eq!(linkedin.mean_rank, 1.0);
}

#[test]
fn by_value() {
    let c = comparison(Metric::Value);
    // Value of 360: first-touch PPC 120, LandingPage 0, Email 60, LinkedIn 180.
    let first: Vec<(Option<f64>, usize)> = c
        .channels
        .iter()
        .map(|r| (r.cells[0].share, r.cells[0].rank))
        .collect();
    assert_eq!(
        first,
        [
            (Some(120.0 / 360.0), 2),
            (Some(0.0), 4),
            (Some(60.0 / 360.0), 3),
            (Some(0.5), 1)
        ]
    );
    assert_eq!(c.models[0].total, 360.0);
}

#[test]
fn serialises_and_reads_back() {
    let c = comparison(Metric::Conversions);
    let json = serde_json::to_string(&c).unwrap();
    let back: Comparison = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["metric"], "conversions");
    assert_eq!(value["leader"]["channel"], "LinkedIn");
    assert_eq!(value["models"][0]["share_basis"], "credit_sum");
}
