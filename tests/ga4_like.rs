//! A GA4-like export (tests/data/ga4_like/events.csv): microsecond
//! timestamps, conversions marked by event name, many events without traffic
//! source. The journeys and the credits are worked out by hand in
//! tests/data/README.md.

use attribution::assemble::{BuildReport, JourneyBuilder};
use attribution::io::events::EventReaderBuilder;
use attribution::model::heuristic::Heuristic;
use attribution::{JourneySet, Markov, Model};

const EVENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/ga4_like/events.csv"
);

fn build() -> (JourneySet, BuildReport) {
    let reader = EventReaderBuilder::new()
        .user_column("user_pseudo_id")
        .timestamp_column("event_timestamp")
        .channel_column("source_medium")
        .value_column("purchase_revenue")
        .conversion_events(["purchase", "generate_lead"])
        .ignore_unknown_columns(true)
        .from_path(EVENTS)
        .unwrap();
    JourneyBuilder::new().build(reader).unwrap()
}

/// 2024-03-01T00:00:00Z.
const MARCH_1: i64 = 1_709_251_200;

#[test]
fn journeys_and_report() {
    let (set, report) = build();
    let journeys: Vec<_> = set
        .iter()
        .map(|j| {
            (
                (j.id().unwrap().to_owned(), j.journey_index()),
                j.channels()
                    .map(|c| set.channels().name(c).unwrap())
                    .collect::<Vec<_>>()
                    .join(" > "),
                j.touches()
                    .iter()
                    .map(|t| t.time.unwrap().timestamp() - MARCH_1)
                    .collect::<Vec<_>>(),
                j.conversions(),
                j.value(),
                j.conversion_time().map(|t| t.timestamp() - MARCH_1),
            )
        })
        .collect();
    let h = 3600;
    let day = 24 * h;
    assert_eq!(
        journeys,
        [
            (
                ("u1".to_owned(), None),
                "google / cpc > google / cpc > newsletter / email > newsletter / email".to_owned(),
                vec![9 * h, 9 * h + 60, 2 * day + 10 * h, 2 * day + 10 * h + 600],
                1,
                120.0,
                Some(2 * day + 10 * h + 600)
            ),
            (
                ("u2".to_owned(), Some(1)),
                "facebook / social".to_owned(),
                vec![day + 12 * h],
                1,
                80.5,
                Some(day + 12 * h + 1800)
            ),
            (
                ("u2".to_owned(), Some(2)),
                "google / cpc".to_owned(),
                vec![4 * day + 8 * h],
                0,
                0.0,
                None
            ),
            (
                ("u3".to_owned(), None),
                "bing / organic > bing / organic".to_owned(),
                vec![3 * day + 18 * h, 3 * day + 18 * h + 300],
                1,
                0.0,
                Some(3 * day + 18 * h + 1200)
            ),
        ]
    );
    let names: Vec<_> = set.channels().iter().map(|(_, n)| n).collect();
    assert_eq!(
        names,
        [
            "google / cpc",
            "facebook / social",
            "newsletter / email",
            "bing / organic"
        ]
    );
    assert_eq!(report.events_without_channel, 3);
    assert_eq!(
        (
            report.users,
            report.events_read,
            report.touch_events,
            report.conversion_events
        ),
        (3, 10, 8, 3)
    );
    assert_eq!(
        (
            report.journeys,
            report.converting_journeys,
            report.conversions,
            report.unattributed_conversions
        ),
        (4, 3, 3, 0)
    );
    assert_eq!(report.total_value, 200.5);
    assert!(
        report
            .to_string()
            .contains("skipped 3 events without channel that are not conversions\n"),
        "{report}"
    );
}

fn credits(model: &impl Model, set: &JourneySet) -> Vec<(String, f64, f64)> {
    model
        .attribute(set)
        .unwrap()
        .channels()
        .iter()
        .map(|c| (c.name.clone(), c.conversions, c.value))
        .collect()
}

fn owned(rows: &[(&str, f64, f64)]) -> Vec<(String, f64, f64)> {
    rows.iter().map(|&(n, c, v)| (n.to_owned(), c, v)).collect()
}

#[test]
fn heuristic_credits_by_hand() {
    let (set, _) = build();
    let model = |name| Heuristic::from_name(name).unwrap();
    assert_eq!(
        credits(&model("first-touch"), &set),
        owned(&[
            ("google / cpc", 1.0, 120.0),
            ("facebook / social", 1.0, 80.5),
            ("newsletter / email", 0.0, 0.0),
            ("bing / organic", 1.0, 0.0),
        ])
    );
    assert_eq!(
        credits(&model("last-touch"), &set),
        owned(&[
            ("google / cpc", 0.0, 0.0),
            ("facebook / social", 1.0, 80.5),
            ("newsletter / email", 1.0, 120.0),
            ("bing / organic", 1.0, 0.0),
        ])
    );
    // u1's four touches: 2/4 each to cpc and email.
    assert_eq!(
        credits(&model("linear"), &set),
        owned(&[
            ("google / cpc", 0.5, 60.0),
            ("facebook / social", 1.0, 80.5),
            ("newsletter / email", 0.5, 60.0),
            ("bing / organic", 1.0, 0.0),
        ])
    );
}

#[test]
fn markov_order_1_by_hand() {
    // start -> cpc 2, facebook 1, bing 1; cpc -> email 1, null 1; email,
    // facebook, bing -> conversion 1. P(conv) = 1/2 · 1/2 + 1/4 + 1/4 = 3/4;
    // removing any one channel leaves 1/2: RE = 1/3 each, 3/4 conversions each.
    // Value per last state: email 120, facebook 80.5, bing 0; the value chain
    // gives 1/4 · (120 + 80.5) = 50.125, minus 30 without cpc or email, minus
    // 20.125 without facebook: value_c = 200.5 · ΔV_c / 80.125.
    let (set, _) = build();
    let got = credits(&Markov::new(1).unwrap(), &set);
    let expected = [
        ("google / cpc", 0.75, 200.5 * 30.0 / 80.125),
        ("facebook / social", 0.75, 200.5 * 20.125 / 80.125),
        ("newsletter / email", 0.75, 200.5 * 30.0 / 80.125),
        ("bing / organic", 0.75, 0.0),
    ];
    for ((name, c, v), (e_name, e_c, e_v)) in got.iter().zip(expected) {
        assert_eq!(name, e_name);
        assert!((c - e_c).abs() <= 1e-12, "{name}: {c} vs {e_c}");
        assert!(
            (v - e_v).abs() <= 1e-9 * e_v.max(1.0),
            "{name}: {v} vs {e_v}"
        );
    }
    let effects = Markov::new(1).unwrap().attribute(&set).unwrap();
    for c in effects.channels() {
        let re = c.removal_effect.unwrap();
        assert!((re - 1.0 / 3.0).abs() <= 1e-12, "{}: {re}", c.name);
    }
}
