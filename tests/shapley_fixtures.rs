//! The Shapley family on the tiny fixture: `tests/data/tiny/expected_shapley.csv`
//! (rows `shapley` and `shapley-rate`) reproduced to 1e-12 from the paths,
//! the journeys and the events (the three shapes hold the same journeys);
//! `shapley-exact-set` and `participation` by hand; per-journey credit.

use std::collections::HashMap;

use attribution::io::Shape;
use attribution::model::Registry;
use attribution::model::shapley::{
    Keep, Participation, RateValue, Shapley, ShapleyExactSet, ShapleyRate,
};
use attribution::{Attribution, Channels, Journey, JourneySet, Model, ModelError};

mod tiny_shapes;
use tiny_shapes::{TINY, read, shapes};

/// (conversions, value) per channel, per model of expected_shapley.csv.
fn expected() -> HashMap<String, Vec<(String, f64, f64)>> {
    let mut out: HashMap<String, Vec<(String, f64, f64)>> = HashMap::new();
    let mut reader = csv::Reader::from_path(format!("{TINY}/expected_shapley.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        out.entry(row[0].to_owned()).or_default().push((
            row[1].to_owned(),
            row[2].parse().unwrap(),
            row[3].parse().unwrap(),
        ));
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

fn check(result: &Attribution, rows: &[(String, f64, f64)], what: &str) {
    assert_eq!(result.channels().len(), rows.len(), "{what}");
    for (channel, conversions, value) in rows {
        let got = result.get(channel).unwrap();
        assert!(
            close(got.conversions, *conversions),
            "{what} {channel}: {got:?}"
        );
        assert!(close(got.value, *value), "{what} {channel}: {got:?}");
    }
}

#[test]
fn expected_shapley_csv_from_every_shape() {
    let expected = expected();
    for (shape, set) in shapes() {
        let shapley = Shapley::new().attribute(&set).unwrap();
        check(&shapley, &expected["shapley"], &format!("shapley {shape}"));
        assert!(shapley.is_partition());
        let rate = ShapleyRate::default().attribute(&set).unwrap();
        check(
            &rate,
            &expected["shapley-rate"],
            &format!("shapley-rate {shape}"),
        );
        // Email loses credit: {Email, LinkedIn} converts worse than {LinkedIn}.
        let email = rate.get("Email").unwrap();
        assert!(close(email.conversions, -0.375) && close(email.value, -15.0));
        // Through the registry, by name, the same numbers.
        let registry = Registry::builtin();
        let by_name = registry
            .parse("shapley-rate")
            .unwrap()
            .attribute(&set)
            .unwrap();
        check(&by_name, &expected["shapley-rate"], shape);
    }
}

#[test]
fn shapley_equals_linear_per_distinct_channel() {
    let set = read(Shape::Paths, "paths.csv");
    let shapley = Shapley::new().attribute(&set).unwrap();
    let linear = attribution::model::heuristic::Linear::per_channel()
        .attribute(&set)
        .unwrap();
    for (a, b) in shapley.channels().iter().zip(linear.channels()) {
        assert_eq!(a.name, b.name);
        assert!(close(a.conversions, b.conversions) && close(a.value, b.value));
    }
}

#[test]
fn rate_count_and_value_games_on_the_tiny_journeys() {
    // count: v_C(T) = R(T). C = {E, L}: φ_E = 1·½ − 1·½ = 0, φ_L = 1;
    // C = {L, P}: φ_P = 0, φ_L = 1; C = J1's set (n = 4, w = ¼, 1⁄12, 1⁄12, ¼):
    // φ_E = −1⁄12 + 1⁄12 − 1⁄12 + ¼ = 1⁄6, φ_LP = −1⁄12 − 1⁄12 − 1⁄12 + ¼ = 0,
    // φ_P = −1⁄12 − 1⁄12 + 1⁄12 + ¼ = 1⁄6, φ_L = ¼ + 1⁄12 + 1⁄12 + ¼ = 2⁄3.
    let set = read(Shape::Paths, "paths.csv");
    let count = ShapleyRate::new(RateValue::Count, 0, Keep::Recent)
        .attribute(&set)
        .unwrap();
    let want = [
        ("PPC", 1.0 / 6.0, 120.0 / 6.0),
        ("LandingPage", 0.0, 0.0),
        ("Email", 1.0 / 6.0, 20.0),
        (
            "LinkedIn",
            1.0 + 1.0 + 1.0 + 2.0 / 3.0,
            80.0 + 60.0 + 100.0 + 80.0,
        ),
    ];
    for (name, c, v) in want {
        let got = count.get(name).unwrap();
        assert!(
            close(got.conversions, c) && close(got.value, v),
            "{name}: {got:?}"
        );
    }
    // value: v_C(T) = V(T): {E, L}: φ_E = (60 − 80)/2 = −10, φ_L = 70;
    // {L, P}: φ_P = (100 − 80)/2 = 10, φ_L = 90; J1's set: φ_E = −80/12 + 60/12
    // − 100/12 + 120/4 = 20, φ_LP = −240/12 + 30 = 10, φ_P = −140/12 + 100/12 + 30
    // = 80/3, φ_L = 80/4 + 60/12 + 100/12 + 30 = 190/3.
    let value = ShapleyRate::new(RateValue::Value, 0, Keep::Recent)
        .attribute(&set)
        .unwrap();
    let want = [
        (
            "PPC",
            10.0 / 100.0 + (80.0 / 3.0) / 120.0,
            10.0 + 80.0 / 3.0,
        ),
        ("LandingPage", 10.0 / 120.0, 10.0),
        ("Email", -10.0 / 60.0 + 20.0 / 120.0, -10.0 + 20.0),
        (
            "LinkedIn",
            1.0 + 70.0 / 60.0 + 90.0 / 100.0 + (190.0 / 3.0) / 120.0,
            80.0 + 70.0 + 90.0 + 190.0 / 3.0,
        ),
    ];
    for (name, c, v) in want {
        let got = value.get(name).unwrap();
        assert!(
            close(got.conversions, c) && close(got.value, v),
            "{name}: {got:?}"
        );
    }
    let total: f64 = value.channels().iter().map(|c| c.conversions).sum();
    assert!(close(total, 4.0));
}

#[test]
fn value_game_without_value_is_an_error() {
    let mut set = JourneySet::new(Channels::new());
    let a = set.channels_mut().intern("A").unwrap();
    set.push(Journey::from_channels(&[a], 2, 0, 0.0).unwrap())
        .unwrap();
    let err = ShapleyRate::new(RateValue::Value, 0, Keep::Recent)
        .attribute(&set)
        .unwrap_err();
    assert!(matches!(err, ModelError::DegenerateGame { .. }), "{err}");
    assert!(
        err.to_string().contains("has conversions but no value"),
        "{err}"
    );
}

#[test]
fn max_channels_keeps_the_most_recent_or_the_alphabetically_last() {
    let mut set = JourneySet::new(Channels::new());
    let ids: Vec<_> = ["D", "B", "A", "C"]
        .iter()
        .map(|n| set.channels_mut().intern(n).unwrap())
        .collect();
    let (d, b, a, c) = (ids[0], ids[1], ids[2], ids[3]);
    // D > B > A > D > C: the two most recent are C and D; alphabetically C, D too;
    // A > B > D > C > B: recent B, C; alphabetical C, D.
    set.push(Journey::from_channels(&[d, b, a, d, c], 1, 0, 10.0).unwrap())
        .unwrap();
    set.push(Journey::from_channels(&[a, b, d, c, b], 1, 0, 20.0).unwrap())
        .unwrap();
    let recent = ShapleyRate::new(RateValue::Count, 2, Keep::Recent)
        .attribute(&set)
        .unwrap();
    // {C, D} and {B, C}, each alone among its subsets: ½ each.
    let got = |r: &Attribution, n: &str| r.get(n).unwrap().conversions;
    assert_eq!(
        ["A", "B", "C", "D"].map(|n| got(&recent, n)),
        [0.0, 0.5, 1.0, 0.5]
    );
    let alphabetical = ShapleyRate::new(RateValue::Count, 2, Keep::Alphabetical)
        .attribute(&set)
        .unwrap();
    assert_eq!(
        ["A", "B", "C", "D"].map(|n| got(&alphabetical, n)),
        [0.0, 0.0, 1.0, 1.0]
    );
    assert_eq!(
        ShapleyRate::new(RateValue::Count, 2, Keep::Alphabetical)
            .spec()
            .to_string(),
        "shapley-rate:value=count,max_channels=2,keep=alphabetical"
    );
}

#[test]
fn exact_set_on_the_tiny_journeys_and_its_degeneracy() {
    // Players: the 4 channels; R: {P,LP,E,L} 1, {L} 1, {E,L} 1, {L,P} 1;
    // w(·, 4) = ¼, 1⁄12, 1⁄12, ¼. φ_L = ¼ + 1⁄12 + 1⁄12 + ¼ = ⅔,
    // φ_E = −1⁄12 + 1⁄12 − 1⁄12 + ¼ = ⅙, φ_P = −1⁄12 − 1⁄12 + 1⁄12 + ¼ = ⅙,
    // φ_LP = −1⁄12 − 1⁄12 − 1⁄12 + ¼ = 0; Σφ = R(all) = 1. Shares of 4 and 360.
    let set = read(Shape::Paths, "paths.csv");
    let result = ShapleyExactSet::new().attribute(&set).unwrap();
    let want = [
        ("PPC", 4.0 / 6.0, 360.0 / 6.0),
        ("LandingPage", 0.0, 0.0),
        ("Email", 4.0 / 6.0, 60.0),
        ("LinkedIn", 8.0 / 3.0, 240.0),
    ];
    for (name, c, v) in want {
        let got = result.get(name).unwrap();
        assert!(
            (got.conversions - c).abs() < 1e-12 && (got.value - v).abs() < 1e-10,
            "{name}: {got:?}"
        );
    }
    // Without J1 nobody touched all four channels: Σφ = 0.
    let mut smaller = JourneySet::new(set.channels().clone());
    for j in set.iter().skip(1) {
        smaller.push(j.clone()).unwrap();
    }
    let err = ShapleyExactSet::new().attribute(&smaller).unwrap_err();
    assert!(matches!(err, ModelError::DegenerateGame { .. }));
    assert!(
        err.to_string().starts_with(
            "model `shapley-exact-set` has no meaningful answer on this data: its Shapley values \
             sum to R(all channels) = 0"
        ),
        "{err}"
    );
    // No conversions at all: zero credit, no error.
    let mut none = JourneySet::new(set.channels().clone());
    none.push(Journey::from_channels(&[set.channels().get("PPC").unwrap()], 0, 3, 0.0).unwrap())
        .unwrap();
    let zero = ShapleyExactSet::new().attribute(&none).unwrap();
    assert!(zero.channels().iter().all(|c| c.conversions == 0.0));
}

#[test]
fn participation_overlaps_and_says_so() {
    let set = read(Shape::Paths, "paths.csv");
    let result = Participation::new().attribute(&set).unwrap();
    assert!(!result.is_partition());
    let credit = |n: &str| {
        let c = result.get(n).unwrap();
        (c.conversions, c.value)
    };
    assert_eq!(credit("PPC"), (2.0, 220.0));
    assert_eq!(credit("LandingPage"), (1.0, 120.0));
    assert_eq!(credit("Email"), (2.0, 180.0));
    assert_eq!(credit("LinkedIn"), (4.0, 360.0));
    assert_eq!(result.total_conversions(), 4.0);
    // Shares of the total: the fraction of conversions whose journey touched it.
    assert_eq!(credit("LinkedIn").0 / result.total_conversions(), 1.0);
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["overlapping"], serde_json::json!(true));
    let shapley = serde_json::to_value(Shapley::new().attribute(&set).unwrap()).unwrap();
    assert!(shapley.get("overlapping").is_none());
}

#[test]
fn per_journey_credit() {
    let set = read(Shape::Paths, "paths.csv");
    let registry = Registry::builtin();
    let j1 = &set.journeys()[0];
    let j4 = &set.journeys()[3];
    let shapley = registry.parse("shapley").unwrap();
    let credit = shapley
        .journey_credit(j4, set.channels(), None)
        .unwrap()
        .unwrap();
    let email = set.channels().get("Email").unwrap();
    let linkedin = set.channels().get("LinkedIn").unwrap();
    assert_eq!(credit.shares, vec![(email, 0.5), (linkedin, 0.5)]);
    let participation = registry.parse("participation").unwrap();
    let credit = participation
        .journey_credit(j1, set.channels(), None)
        .unwrap()
        .unwrap();
    assert_eq!(credit.shares.len(), 4);
    assert!(credit.shares.iter().all(|&(_, s)| s == 1.0));
    // Non-converting journeys: no credit.
    assert_eq!(
        shapley
            .journey_credit(&set.journeys()[1], set.channels(), None)
            .unwrap(),
        None
    );
    for name in ["shapley-rate", "shapley-exact-set"] {
        let model: Box<dyn attribution::model::DynModel> = registry.parse(name).unwrap();
        let err = model.journey_credit(j1, set.channels(), None).unwrap_err();
        assert!(matches!(err, ModelError::NoJourneyCredit { .. }), "{err}");
        assert!(
            err.to_string().starts_with(&format!(
                "model `{name}` has no per-journey credit: it is a game over"
            )),
            "{err}"
        );
    }
}

#[test]
fn spec_errors() {
    let registry = Registry::builtin();
    let text = |spec: &str| registry.parse(spec).err().map(|e| e.to_string());
    assert_eq!(
        text("shapley-rate:value=revenue").as_deref(),
        Some("invalid parameter `value` = revenue: expected rate, count or value")
    );
    assert_eq!(
        text("shapley-rate:max_channels=-1").as_deref(),
        Some(
            "invalid parameter `max_channels` = -1: expected a non-negative integer (0: keep every channel)"
        )
    );
    assert_eq!(
        text("shapley-rate:keep=first").as_deref(),
        Some("invalid parameter `keep` = first: expected recent or alphabetical")
    );
    assert_eq!(
        text("shapley:k=1").as_deref(),
        Some("model `shapley` has no parameter `k` (it has no parameters)")
    );
    assert_eq!(
        registry
            .parse("shapley-rate:max-channels=3")
            .unwrap()
            .spec()
            .to_string(),
        "shapley-rate:value=rate,max_channels=3,keep=recent"
    );
}
