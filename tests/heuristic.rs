//! The heuristic models against the reference fixtures (tests/data):
//! every heuristic row of tiny/expected.csv and synthetic/expected_heuristics.csv,
//! conversions and value, to 1e-9 relative, compared by channel name.

use std::collections::HashMap;

use attribution::io::{ReaderBuilder, Shape};
use attribution::model::heuristic::{
    FirstTouch, Heuristic, LastNonDirect, LastTouch, Linear, PositionBased, TimeDecay, TouchWeights,
};
use attribution::{Attribution, JourneySet, Model, ModelError};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn read(shape: Shape, delimiter: u8, file: &str) -> JourneySet {
    let (set, report) = ReaderBuilder::new(shape)
        .delimiter(Some(delimiter))
        .from_path(format!("{FIXTURES}/{file}"))
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(report.rejected(), 0);
    set
}

/// Expected (conversions, value) per (model, variant) and channel.
type Expected = HashMap<(String, String), Vec<(String, f64, f64)>>;

fn expected(file: &str, has_variant: bool) -> Expected {
    let mut rdr = csv::Reader::from_path(format!("{FIXTURES}/{file}")).unwrap();
    let mut out: Expected = HashMap::new();
    for record in rdr.records() {
        let r = record.unwrap();
        let (model, variant, rest) = if has_variant {
            (&r[0], &r[1], 2)
        } else {
            (&r[0], "", 1)
        };
        out.entry((model.to_owned(), variant.to_owned()))
            .or_default()
            .push((
                r[rest].to_owned(),
                r[rest + 1].parse().unwrap(),
                r[rest + 2].parse().unwrap(),
            ));
    }
    out
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

fn check(result: &Attribution, rows: &[(String, f64, f64)], what: &str) {
    assert_eq!(result.channels().len(), rows.len(), "{what}: channel count");
    for (channel, conversions, value) in rows {
        let got = result
            .get(channel)
            .unwrap_or_else(|| panic!("{what}: no channel {channel}"));
        assert!(
            close(got.conversions, *conversions),
            "{what} {channel} conversions: {} vs {conversions}",
            got.conversions
        );
        assert!(
            close(got.value, *value),
            "{what} {channel} value: {} vs {value}",
            got.value
        );
    }
}

/// The model of a fixture (model, variant), if it is a heuristic.
fn model_for(model: &str, variant: &str) -> Option<Heuristic> {
    Some(match (model, variant) {
        ("first_touch", "") => FirstTouch.into(),
        ("last_touch", "") => LastTouch.into(),
        ("linear", "per_touch" | "") => Linear::per_touch().into(),
        ("linear", "per_unique_channel") => Linear::per_channel().into(),
        ("position_based", "40_20_40") => PositionBased::new(0.4, 0.4).unwrap().into(),
        ("time_decay", "half_life_7d") => TimeDecay::default().into(),
        ("markov", _) => return None,
        other => panic!("unknown fixture model {other:?}"),
    })
}

#[test]
fn tiny_journeys_every_heuristic_row() {
    let set = read(Shape::Journeys, b',', "tiny/journeys.csv");
    assert_eq!(set.len(), 8);
    let expected = expected("tiny/expected.csv", true);
    let mut checked = Vec::new();
    for ((model, variant), rows) in &expected {
        let Some(heuristic) = model_for(model, variant) else {
            continue;
        };
        let result = heuristic.attribute(&set).unwrap();
        check(&result, rows, &format!("tiny {model}/{variant}"));
        assert_eq!(result.total_conversions(), 4.0);
        assert!(close(result.total_value(), 360.0));
        checked.push(format!("{model}/{variant}"));
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "first_touch/",
            "last_touch/",
            "linear/per_touch",
            "linear/per_unique_channel",
            "position_based/40_20_40",
            "time_decay/half_life_7d"
        ]
    );
}

#[test]
fn tiny_paths_every_untimed_heuristic_row() {
    let set = read(Shape::Paths, b',', "tiny/paths.csv");
    let expected = expected("tiny/expected.csv", true);
    for ((model, variant), rows) in &expected {
        let Some(heuristic) = model_for(model, variant) else {
            continue;
        };
        if heuristic.needs_timestamps() {
            // Paths carry no times: a clear error naming the first converting row.
            assert_eq!(
                heuristic.attribute(&set).unwrap_err(),
                ModelError::MissingTimestamps {
                    index: Some(0),
                    id: None
                }
            );
            continue;
        }
        check(
            &heuristic.attribute(&set).unwrap(),
            rows,
            &format!("tiny paths {model}/{variant}"),
        );
    }
}

#[test]
fn tiny_last_non_direct_equals_last_touch_without_direct_visits() {
    let set = read(Shape::Journeys, b',', "tiny/journeys.csv");
    let expected = expected("tiny/expected.csv", true);
    let rows = &expected[&("last_touch".to_owned(), String::new())];
    let result = LastNonDirect::default().attribute(&set).unwrap();
    check(&result, rows, "last-non-direct");
    assert_eq!(result.model(), "last-non-direct");
}

#[test]
fn tiny_journey_credits_by_hand() {
    let set = read(Shape::Journeys, b',', "tiny/journeys.csv");
    let name = |credit: &attribution::JourneyCredit| -> Vec<(String, f64)> {
        credit
            .shares
            .iter()
            .map(|&(c, s)| (set.channels().name(c).unwrap().to_owned(), s))
            .collect()
    };
    let credits: Vec<_> = PositionBased::default()
        .journey_credits(&set)
        .collect::<Result<_, _>>()
        .unwrap();
    // J1, J3, J4, J6 convert.
    assert_eq!(
        credits.iter().map(|c| c.journey).collect::<Vec<_>>(),
        [0, 2, 3, 5]
    );
    assert_eq!(
        set.journeys()[credits[2].journey].id(),
        Some("J4"),
        "journey index joins back to the id"
    );
    assert_eq!(
        name(&credits[2]),
        [("Email".to_owned(), 0.6), ("LinkedIn".to_owned(), 0.4)]
    );
    assert_eq!(
        name(&credits[3]),
        [("LinkedIn".to_owned(), 0.5), ("PPC".to_owned(), 0.5)]
    );
    let first: Vec<_> = FirstTouch
        .journey_credits(&set)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        name(&first[0]),
        [
            ("PPC".to_owned(), 1.0),
            ("LandingPage".to_owned(), 0.0),
            ("Email".to_owned(), 0.0),
            ("LinkedIn".to_owned(), 0.0)
        ]
    );
}

#[test]
fn synthetic_first_last_linear() {
    let set = read(Shape::Paths, b';', "synthetic/paths_100000_12.csv");
    assert_eq!(set.len(), 100_000);
    assert_eq!(set.total_conversions(), 49_458);
    let expected = expected("synthetic/expected_heuristics.csv", false);
    assert_eq!(expected.len(), 3);
    for ((model, variant), rows) in &expected {
        let heuristic = model_for(model, variant).unwrap();
        let result = heuristic.attribute(&set).unwrap();
        assert_eq!(rows.len(), 12);
        check(&result, rows, &format!("synthetic {model}"));
        assert_eq!(result.total_conversions(), 49_458.0);
        assert!(close(result.total_value(), 1_191_534.686));
    }
}
