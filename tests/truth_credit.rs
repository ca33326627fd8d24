//! Exact true credit (ground-truth spec §3, §8): the tiny fixture, the
//! per-path table, efficiency, a brute-force oracle over all join orders,
//! the null-player, all-zero, sign and symmetry properties, merging, and the
//! width cap.

use attribution::truth::{TrueCredit, TruthModel, TruthPaths, path_credit, true_credit};
use attribution::{ChannelId, Channels, ReaderBuilder, Shape, TruthError};
use proptest::prelude::*;

const TINY_EFFECTS: &str = include_str!("data/tiny/truth_effects.csv");
const TINY_PATHS: &str = include_str!("data/tiny/paths.csv");
const TINY_TRUTH: &str = include_str!("data/tiny/expected_truth.csv");

/// The fixtures' rule: |a − e| ≤ 1e-9·max(|e|, 1).
fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

/// The tiny paths read as the CLI reads them, folded into TruthPaths.
fn tiny_paths() -> (TruthPaths, Channels) {
    let mut reader = ReaderBuilder::new(Shape::Paths)
        .from_reader(TINY_PATHS.as_bytes())
        .unwrap();
    let mut paths = TruthPaths::new();
    while let Some(journey) = reader.next() {
        paths.observe(&journey.unwrap(), reader.channels()).unwrap();
    }
    (paths, reader.channels().clone())
}

fn tiny_model() -> TruthModel {
    TruthModel::read(TINY_EFFECTS.as_bytes()).unwrap()
}

#[test]
#[allow(clippy::excessive_precision)] // the digits as the spec prints them
fn tiny_fixture_matches_expected_truth() {
    let (paths, channels) = tiny_paths();
    assert_eq!((paths.len(), paths.journeys()), (8, 8));
    let truth = true_credit(&tiny_model(), &paths, &channels).unwrap();
    let names: Vec<&str> = truth.channels().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["PPC", "LandingPage", "Email", "LinkedIn"]);
    // The expected file, read by the truth-file reader.
    let expected = TrueCredit::read(TINY_TRUTH.as_bytes(), &channels).unwrap();
    for ((name, t), (_, e)) in truth.channels().iter().zip(expected.channels()) {
        assert!(close(*t, *e), "{name}: {t} vs {e}");
    }
    // And the numbers of spec §8, written out.
    let spec = [
        ("PPC", 0.37292390470097636),
        ("LandingPage", 0.26065216221227894),
        ("Email", -0.2206755004621552),
        ("LinkedIn", 0.9643540434575578),
    ];
    for (name, e) in spec {
        let t = truth.get(name).unwrap();
        assert!(close(t, e), "{name}: {t} vs {e}");
    }
    let baseline = truth.baseline().unwrap();
    assert!(close(baseline, 1.4594041904508508));
    assert!(close(expected.baseline().unwrap(), baseline));
    assert!(close(
        truth.expected_conversions().unwrap(),
        2.8366588003595088
    ));
}

/// The per-path table of spec §8 (6 decimals).
#[test]
fn tiny_per_path_table() {
    let model = tiny_model();
    let mut channels = Channels::new();
    let ids: Vec<ChannelId> = ["PPC", "LandingPage", "Email", "LinkedIn"]
        .iter()
        .map(|n| channels.intern(n).unwrap())
        .collect();
    let bound = model.bind(&channels).unwrap();
    let id = |name: &str| channels.get(name).unwrap();
    let path = |text: &str| -> Vec<ChannelId> { text.split(" > ").map(id).collect() };
    // (path, p(P), φ in the column order PPC, LandingPage, Email, LinkedIn).
    let table: [(&str, f64, [Option<f64>; 4]); 8] = [
        (
            "PPC > LandingPage > Email > LinkedIn",
            0.524093,
            [
                Some(0.104938),
                Some(0.091130),
                Some(-0.075795),
                Some(0.221395),
            ],
        ),
        (
            "PPC > LandingPage",
            0.375527,
            [Some(0.104725), Some(0.088376), None, None],
        ),
        ("LinkedIn", 0.354344, [None, None, None, Some(0.171918)]),
        (
            "Email > Email > LinkedIn",
            0.371856,
            [None, None, Some(-0.014520), Some(0.203950)],
        ),
        (
            "PPC > LandingPage > Email",
            0.283069,
            [Some(0.093800), Some(0.081146), Some(-0.074303), None],
        ),
        (
            "LinkedIn > PPC",
            0.398048,
            [Some(0.037722), None, None, Some(0.177901)],
        ),
        ("PPC", 0.214165, [Some(0.031739), None, None, None]),
        (
            "Email > LinkedIn",
            0.315557,
            [None, None, Some(-0.056057), Some(0.189189)],
        ),
    ];
    let base = bound.baseline_probability();
    assert!((base - 0.182426).abs() < 5e-7);
    for (text, p, row) in table {
        let p_path = path(text);
        let probability = bound.probability(&p_path);
        assert!((probability - p).abs() < 5e-7, "{text}: p = {probability}");
        let phi = path_credit(&bound, &p_path).unwrap();
        for (column, expected) in ids.iter().zip(row) {
            let got = phi.iter().find(|(c, _)| c == column).map(|&(_, f)| f);
            match (got, expected) {
                (Some(g), Some(e)) => assert!((g - e).abs() < 5e-7, "{text}: {g} vs {e}"),
                (None, None) => {}
                other => panic!("{text}: {other:?}"),
            }
        }
        // Efficiency per path.
        let sum: f64 = phi.iter().map(|&(_, f)| f).sum();
        assert!(((sum - (probability - base)) / (probability - base)).abs() < 1e-12);
    }
    // `PPC > LandingPage`: each gets half the interaction above its value
    // alone: ½·(v(both) − v(PPC) − v(LandingPage)) = 0.072986.
    let v = |text: &str| bound.probability(&path(text)) - base;
    let half = 0.5 * (v("PPC > LandingPage") - v("PPC") - v("LandingPage"));
    assert!((half - 0.072986).abs() < 5e-7);
    let phi = path_credit(&bound, &path("PPC > LandingPage")).unwrap();
    assert!((phi[0].1 - (v("PPC") + half)).abs() < 1e-15);
    assert!((phi[1].1 - (v("LandingPage") + half)).abs() < 1e-15);
}

/// J6 and J4 worked by hand in spec §8, to the digits printed there.
#[test]
fn worked_examples_j6_and_j4() {
    let model = tiny_model();
    let mut channels = Channels::new();
    let linkedin = channels.intern("LinkedIn").unwrap();
    let ppc = channels.intern("PPC").unwrap();
    let email = channels.intern("Email").unwrap();
    let bound = model.bind(&channels).unwrap();
    let z = bound.z(&[linkedin, ppc]);
    assert!((z - -0.413604).abs() < 5e-7);
    let phi = path_credit(&bound, &[linkedin, ppc]).unwrap();
    assert_eq!(phi.iter().map(|p| p.0).collect::<Vec<_>>(), [linkedin, ppc]);
    assert!((phi[0].1 - 0.177901).abs() < 5e-7);
    assert!((phi[1].1 - 0.037722).abs() < 5e-7);
    assert!((phi[0].1 + phi[1].1 - 0.215623).abs() < 5e-7);
    // J4: {Email} plays `Email > Email`, z = −1.85; the full path −0.524264.
    assert!((bound.z(&[email, email]) - -1.85).abs() < 1e-15);
    assert!((bound.z(&[email, email, linkedin]) - -0.524264).abs() < 5e-7);
    let phi = path_credit(&bound, &[email, email, linkedin]).unwrap();
    assert!((phi[0].1 - -0.014520).abs() < 5e-7);
    assert!((phi[1].1 - 0.203950).abs() < 5e-7);
}

#[test]
fn empty_input_and_empty_path() {
    let model = tiny_model();
    let channels = Channels::new();
    let truth = true_credit(&model, &TruthPaths::new(), &channels).unwrap();
    assert!(truth.channels().is_empty());
    assert_eq!(truth.baseline(), Some(0.0));
    // The empty path: only the baseline.
    let mut paths = TruthPaths::new();
    paths.observe_path::<&str>(&[], 4).unwrap();
    let truth = true_credit(&model, &paths, &channels).unwrap();
    assert_eq!(
        truth.baseline(),
        Some(4.0 * attribution::truth::sigmoid(-1.5))
    );
    let bound = model.bind(&channels).unwrap();
    assert!(path_credit(&bound, &[]).unwrap().is_empty());
}

#[test]
fn input_channels_order_and_missing_effects() {
    let model = tiny_model();
    let mut paths = TruthPaths::new();
    paths.observe_path(&["LinkedIn"], 2).unwrap();
    // Input order LinkedIn, Email, PPC: PPC and Email never occur → 0.
    let mut input = Channels::new();
    for name in ["LinkedIn", "Email", "PPC"] {
        input.intern(name).unwrap();
    }
    let truth = true_credit(&model, &paths, &input).unwrap();
    assert_eq!(
        truth
            .channels()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        ["LinkedIn", "Email", "PPC"]
    );
    // Alone, LinkedIn gets v({LinkedIn}) = σ(−0.6) − σ(−1.5) = 0.171918 per journey.
    let alone = attribution::truth::sigmoid(-0.6) - attribution::truth::sigmoid(-1.5);
    assert!((alone - 0.171918).abs() < 5e-7);
    assert_eq!(truth.get("LinkedIn"), Some(2.0 * alone));
    assert_eq!(truth.get("Email"), Some(0.0));
    assert_eq!(truth.get("PPC"), Some(0.0));
    // An input channel without an effects row.
    input.intern("Direct").unwrap();
    let err = true_credit(&model, &paths, &input).unwrap_err();
    assert_eq!(
        err,
        TruthError::MissingChannel {
            channel: "Direct".into(),
            file: "effects"
        }
    );
    assert_eq!(
        err.to_string(),
        "channel `Direct` of the input has no row in the effects file"
    );
    // A path channel without a row, outside the input.
    let mut paths = TruthPaths::new();
    paths.observe_path(&["Organic"], 1).unwrap();
    let err = true_credit(&model, &paths, &Channels::new()).unwrap_err();
    assert!(matches!(err, TruthError::MissingChannel { channel, .. } if channel == "Organic"));
}

#[test]
fn path_channels_outside_the_input_get_rows_after_it() {
    let model = tiny_model();
    let mut paths = TruthPaths::new();
    paths.observe_path(&["Email", "PPC"], 1).unwrap();
    let mut input = Channels::new();
    input.intern("LinkedIn").unwrap();
    let truth = true_credit(&model, &paths, &input).unwrap();
    let names: Vec<&str> = truth.channels().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["LinkedIn", "Email", "PPC"]);
}

#[test]
fn path_too_wide_at_21_distinct_channels() {
    let names: Vec<String> = (0..21).map(|i| format!("c{i:02}")).collect();
    let mut model = TruthModel::new(-1.0, 0.0, 0).unwrap();
    for name in &names {
        model.add_channel(name, 0.1).unwrap();
    }
    let mut paths = TruthPaths::new();
    paths.observe_path(&names[..20], 1).unwrap();
    let mut repeated = names.clone();
    repeated.push("c00".into());
    paths.observe_path(&repeated, 1).unwrap();
    let mut input = Channels::new();
    for name in &names {
        input.intern(name).unwrap();
    }
    let err = true_credit(&model, &paths, &input).unwrap_err();
    let joined = repeated.join(" > ");
    assert_eq!(
        err,
        TruthError::PathTooWide {
            path: joined.clone(),
            line: None,
            channels: 21,
            max: 20
        }
    );
    let message = err.to_string();
    assert!(message.contains(&format!("the path `{joined}` has 21 distinct channels")));
    assert!(message.contains("stops above 20: group channels"));
    // Through path_credit: the path named by channel ids.
    let bound = model.bind(&input).unwrap();
    let ids: Vec<ChannelId> = (0..21).map(|i| ChannelId::from_index(i).unwrap()).collect();
    let err = path_credit(&bound, &ids).unwrap_err();
    assert!(matches!(
        err,
        TruthError::PathTooWide {
            channels: 21,
            max: 20,
            ..
        }
    ));
    // 20 distinct channels are fine: efficiency holds.
    let phi = path_credit(&bound, &ids[..20]).unwrap();
    let sum: f64 = phi.iter().map(|p| p.1).sum();
    let v = bound.probability(&ids[..20]) - bound.baseline_probability();
    assert!(((sum - v) / v).abs() < 1e-12, "{sum} vs {v}");
}

#[test]
fn merge_of_two_halves_with_different_tables_is_one_pass() {
    let model = tiny_model();
    let lines: Vec<&str> = TINY_PATHS.lines().collect();
    let (header, rows) = (lines[0], &lines[1..]);
    // The second half in reverse order, so its channel table differs.
    let read = |rows: Vec<&str>| {
        let text = format!("{header}\n{}\n", rows.join("\n"));
        let mut reader = ReaderBuilder::new(Shape::Paths)
            .from_reader(text.as_bytes())
            .unwrap();
        let mut paths = TruthPaths::new();
        while let Some(journey) = reader.next() {
            paths.observe(&journey.unwrap(), reader.channels()).unwrap();
        }
        paths
    };
    let mut first = read(rows[..4].to_vec());
    let second = read(rows[4..].iter().rev().copied().collect());
    assert_ne!(
        first.channels().iter().map(|c| c.1).collect::<Vec<_>>(),
        second.channels().iter().map(|c| c.1).collect::<Vec<_>>()
    );
    first.merge(second).unwrap();
    let (one_pass, channels) = tiny_paths();
    assert_eq!(first.len(), one_pass.len());
    assert_eq!(first.journeys(), one_pass.journeys());
    let merged = true_credit(&model, &first, &channels).unwrap();
    let single = true_credit(&model, &one_pass, &channels).unwrap();
    assert_eq!(merged, single);
    for ((_, a), (_, b)) in merged.channels().iter().zip(single.channels()) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
}

/// Brute force: the average marginal contribution over all k! join orders,
/// each coalition's path built explicitly and scored by `probability`.
fn brute_force(
    bound: &attribution::truth::BoundTruth,
    path: &[ChannelId],
) -> Vec<(ChannelId, f64)> {
    let mut distinct: Vec<ChannelId> = Vec::new();
    for &c in path {
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    let base = bound.baseline_probability();
    let v = |members: &[ChannelId]| {
        let restricted: Vec<ChannelId> = path
            .iter()
            .copied()
            .filter(|c| members.contains(c))
            .collect();
        bound.probability(&restricted) - base
    };
    let k = distinct.len();
    let mut totals = vec![0.0; k];
    let mut orders = 0u64;
    let mut order: Vec<usize> = (0..k).collect();
    permute(&mut order, 0, &mut |perm| {
        orders += 1;
        let mut members = Vec::new();
        let mut before = 0.0;
        for &i in perm {
            members.push(distinct[i]);
            let after = v(&members);
            totals[i] += after - before;
            before = after;
        }
    });
    distinct
        .into_iter()
        .zip(totals)
        .map(|(c, t)| (c, t / orders as f64))
        .collect()
}

fn permute(order: &mut Vec<usize>, from: usize, visit: &mut dyn FnMut(&[usize])) {
    if from == order.len() {
        visit(order);
        return;
    }
    for i in from..order.len() {
        order.swap(from, i);
        permute(order, from + 1, visit);
        order.swap(from, i);
    }
}

/// A random truth model over `k` channels named c0..c{k−1}.
#[derive(Debug, Clone)]
struct Effects {
    intercept: f64,
    length: f64,
    cap: u32,
    half_life: Option<f64>,
    beta: Vec<f64>,
    /// (i, j, γ) with i < j.
    pairs: Vec<(usize, usize, f64)>,
}

impl Effects {
    fn model(&self) -> TruthModel {
        let mut model = TruthModel::new(self.intercept, self.length, self.cap).unwrap();
        if let Some(h) = self.half_life {
            model = model.with_half_life(h).unwrap();
        }
        for (i, b) in self.beta.iter().enumerate() {
            model.add_channel(&format!("c{i}"), *b).unwrap();
        }
        for &(i, j, g) in &self.pairs {
            model
                .add_pair(&format!("c{i}"), &format!("c{j}"), g)
                .unwrap();
        }
        model
    }
}

const K: usize = 8;

fn effects() -> impl Strategy<Value = Effects> {
    (
        -3.0..1.0f64,
        prop_oneof![Just(0.0), -0.5..0.5f64],
        0u32..5,
        prop_oneof![Just(None), (0.3..6.0f64).prop_map(Some)],
        proptest::collection::vec(-1.5..1.5f64, K),
        proptest::collection::vec((0..K, 0..K, -1.0..1.0f64), 0..5),
    )
        .prop_map(|(intercept, length, cap, half_life, beta, raw)| {
            let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
            for (a, b, g) in raw {
                let (i, j) = (a.min(b), a.max(b));
                if i != j && !pairs.iter().any(|p| (p.0, p.1) == (i, j)) {
                    pairs.push((i, j, g));
                }
            }
            Effects {
                intercept,
                length,
                cap,
                half_life,
                beta,
                pairs,
            }
        })
}

/// A path of 1..=12 touches over the K = 8 channels (so k ≤ 8, the
/// oracle's k! orders at most 40 320).
fn path() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(0..K, 1..=12)
}

fn table() -> (Channels, Vec<ChannelId>) {
    let mut channels = Channels::new();
    let ids = (0..K)
        .map(|i| channels.intern(&format!("c{i}")).unwrap())
        .collect();
    (channels, ids)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// The exact φ equals the brute-force average over all join orders, and
    /// the values are efficient per path.
    #[test]
    fn exact_equals_brute_force(effects in effects(), raw in path()) {
        let (channels, ids) = table();
        let bound = effects.model().bind(&channels).unwrap();
        let path: Vec<ChannelId> = raw.iter().map(|&i| ids[i]).collect();
        let exact = path_credit(&bound, &path).unwrap();
        let oracle = brute_force(&bound, &path);
        prop_assert_eq!(exact.len(), oracle.len());
        let scale = exact.iter().map(|p| p.1.abs()).sum::<f64>().max(1e-300);
        for ((c, e), (d, o)) in exact.iter().zip(&oracle) {
            prop_assert_eq!(c, d);
            prop_assert!((e - o).abs() <= 1e-12 * scale, "{} vs {}", e, o);
        }
        let v = bound.probability(&path) - bound.baseline_probability();
        let sum: f64 = exact.iter().map(|p| p.1).sum();
        prop_assert!((sum - v).abs() <= 1e-12 * v.abs().max(scale), "{} vs {}", sum, v);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Efficiency in total: Σ truth + baseline = Σ N·p(P), and splitting the
    /// paths between two merged accumulators (with differing channel
    /// tables) gives bit-identical credit.
    #[test]
    fn total_efficiency_and_merge(
        effects in effects(),
        rows in proptest::collection::vec((path(), 1u64..50), 1..20),
        split in 0usize..20,
    ) {
        let model = effects.model();
        let (channels, ids) = table();
        let bound = model.bind(&channels).unwrap();
        let names = |p: &[usize]| p.iter().map(|i| format!("c{i}")).collect::<Vec<_>>();
        let mut all = TruthPaths::new();
        let (mut left, mut right) = (TruthPaths::new(), TruthPaths::new());
        for (i, (p, n)) in rows.iter().enumerate() {
            all.observe_path(&names(p), *n).unwrap();
        // The right half goes in reverse, so its table's order differs.
            if i < split { left.observe_path(&names(p), *n).unwrap(); }
        }
        for (p, n) in rows.iter().skip(split).rev() {
            right.observe_path(&names(p), *n).unwrap();
        }
        let truth = true_credit(&model, &all, &channels).unwrap();
        let mut expected = attribution::CompensatedSum::default();
        let mut magnitude = 0.0;
        for (p, n) in &rows {
            let path: Vec<ChannelId> = p.iter().map(|&i| ids[i]).collect();
            expected.add(*n as f64 * bound.probability(&path));
            magnitude += *n as f64;
        }
        let total = truth.expected_conversions().unwrap();
        prop_assert!((total - expected.value()).abs() <= 1e-12 * magnitude);
        left.merge(right).unwrap();
        let merged = true_credit(&model, &left, &channels).unwrap();
        for ((_, a), (_, b)) in merged.channels().iter().zip(truth.channels()) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
        prop_assert_eq!(merged.baseline().unwrap().to_bits(), truth.baseline().unwrap().to_bits());
    }

    /// Null player: with ℓ = 0 and presence, a channel with β = 0 and no pair
    /// term gets 0 in every path.
    #[test]
    fn null_player(mut effects in effects(), raw in path(), null in 0..K) {
        effects.length = 0.0;
        effects.half_life = None;
        effects.beta[null] = 0.0;
        effects.pairs.retain(|p| p.0 != null && p.1 != null);
        let (channels, ids) = table();
        let bound = effects.model().bind(&channels).unwrap();
        let path: Vec<ChannelId> = raw.iter().map(|&i| ids[i]).collect();
        for (c, phi) in path_credit(&bound, &path).unwrap() {
            if c == ids[null] {
                prop_assert_eq!(phi, 0.0);
            }
        }
    }

    /// All zero: every β, γ and ℓ at 0 gives every channel 0 (any
    /// half-life, any intercept).
    #[test]
    fn all_zero(mut effects in effects(), raw in path()) {
        effects.length = 0.0;
        effects.beta = vec![0.0; K];
        for p in &mut effects.pairs { p.2 = 0.0; }
        let (channels, ids) = table();
        let bound = effects.model().bind(&channels).unwrap();
        let path: Vec<ChannelId> = raw.iter().map(|&i| ids[i]).collect();
        for (_, phi) in path_credit(&bound, &path).unwrap() {
            prop_assert_eq!(phi, 0.0);
        }
    }

    /// Sign: with presence, ℓ = 0 and no pairs, truth_c has the sign of β_c.
    #[test]
    fn sign_follows_beta(
        mut effects in effects(),
        rows in proptest::collection::vec((path(), 1u64..20), 1..10),
    ) {
        effects.length = 0.0;
        effects.half_life = None;
        effects.pairs.clear();
        let model = effects.model();
        let (channels, _) = table();
        let mut paths = TruthPaths::new();
        for (p, n) in &rows {
            let names: Vec<String> = p.iter().map(|i| format!("c{i}")).collect();
            paths.observe_path(&names, *n).unwrap();
        }
        let truth = true_credit(&model, &paths, &channels).unwrap();
        for (i, (_, t)) in truth.channels().iter().enumerate() {
            let touched = rows.iter().any(|(p, _)| p.contains(&i));
            let beta = effects.beta[i];
            if !touched || beta == 0.0 {
                prop_assert_eq!(*t, 0.0);
            } else {
                prop_assert_eq!(t.signum(), beta.signum(), "c{}: {} vs β {}", i, t, beta);
            }
        }
    }

    /// Symmetry: with presence, two channels with equal β, equal pair terms
    /// with every third channel and the same number of touches get equal φ.
    #[test]
    fn symmetry(mut effects in effects(), raw in path(), swap_order in any::<bool>()) {
        effects.half_life = None;
        // Channels 0 and 1 alike: β_1 = β_0, γ_1d = γ_0d, γ_01 arbitrary.
        effects.beta[1] = effects.beta[0];
        effects.pairs.retain(|p| p.0 != 1 && p.1 != 1);
        let mirrored: Vec<(usize, usize, f64)> = effects
            .pairs
            .iter()
            .filter(|p| p.0 == 0 && p.1 != 1)
            .map(|p| (1, p.1, p.2))
            .collect();
        effects.pairs.extend(mirrored);
        // The path: the random touches without 0 and 1, plus two touches of
        // each of them at random places.
        let mut path: Vec<usize> = raw.into_iter().filter(|&i| i > 1).collect();
        let (a, b) = if swap_order { (1, 0) } else { (0, 1) };
        path.insert(0, a);
        path.push(b);
        path.insert(path.len() / 2, b);
        path.insert(1, a);
        let (channels, ids) = table();
        let bound = effects.model().bind(&channels).unwrap();
        let path: Vec<ChannelId> = path.iter().map(|&i| ids[i]).collect();
        let phi = path_credit(&bound, &path).unwrap();
        let of = |c: ChannelId| phi.iter().find(|p| p.0 == c).unwrap().1;
        let (x, y) = (of(ids[0]), of(ids[1]));
        prop_assert!((x - y).abs() <= 1e-12 * x.abs() + 1e-15, "{} vs {}", x, y);
    }
}

#[test]
fn observe_checks_ids_and_skips_empty_rows() {
    let mut other = Channels::new();
    let ppc = other.intern("PPC").unwrap();
    let email = other.intern("Email").unwrap();
    let mut paths = TruthPaths::new();
    let journey = attribution::Journey::from_channels(&[ppc, email], 0, 0, 0.0).unwrap();
    paths.observe(&journey, &other).unwrap();
    assert!(paths.is_empty());
    let journey = attribution::Journey::from_channels(&[email, ppc], 2, 3, 0.0).unwrap();
    paths.observe(&journey, &other).unwrap();
    // The same names through a table with other ids land on the same path.
    let mut swapped = Channels::new();
    let email2 = swapped.intern("Email").unwrap();
    let ppc2 = swapped.intern("PPC").unwrap();
    let journey = attribution::Journey::from_channels(&[email2, ppc2], 1, 0, 0.0).unwrap();
    paths.observe(&journey, &swapped).unwrap();
    assert_eq!((paths.len(), paths.journeys()), (1, 6));
    let (path, n) = paths.paths().next().unwrap();
    let names: Vec<&str> = path
        .iter()
        .map(|&c| paths.channels().name(c).unwrap())
        .collect();
    assert_eq!((names, n), (vec!["Email", "PPC"], 6));
    // An id outside the table given with the journey.
    let err = paths.observe(&journey, &Channels::new()).unwrap_err();
    assert_eq!(err, TruthError::UnknownChannel(0));
    assert_eq!(
        err.to_string(),
        "channel id 0 is not in the channel table given with the journey"
    );
    // A name the table rejects.
    let err = paths.observe_path(&["(null)"], 1).unwrap_err();
    assert!(matches!(err, TruthError::Channel(_)), "{err:?}");
}
