//! The tiny fixture's event log builds the tiny journeys, and every heuristic
//! gives the same credits from either shape.

use attribution::assemble::JourneyBuilder;
use attribution::io::events::EventReaderBuilder;
use attribution::io::{ReaderBuilder, Shape};
use attribution::model::heuristic::Heuristic;
use attribution::{JourneySet, Model};

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny/events.csv");
const JOURNEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny/journeys.csv");

type Canonical = (Vec<String>, Vec<i64>, u64, u64, f64, Option<i64>);

/// Journeys by channel name and Unix seconds, in set order.
fn canonical(set: &JourneySet) -> Vec<Canonical> {
    set.iter()
        .map(|j| {
            (
                j.channels()
                    .map(|c| set.channels().name(c).unwrap().to_owned())
                    .collect(),
                j.touches()
                    .iter()
                    .map(|t| t.time.unwrap().timestamp())
                    .collect(),
                j.conversions(),
                j.non_conversions(),
                j.value(),
                j.conversion_time().map(|t| t.timestamp()),
            )
        })
        .collect()
}

fn from_events() -> JourneySet {
    let reader = EventReaderBuilder::new().from_path(EVENTS).unwrap();
    JourneyBuilder::new().build(reader).unwrap().0
}

fn from_journeys() -> JourneySet {
    ReaderBuilder::new(Shape::Journeys)
        .from_path(JOURNEYS)
        .unwrap()
        .read_all()
        .unwrap()
        .0
}

#[test]
fn events_build_the_tiny_journeys() {
    let (built, report) = JourneyBuilder::new()
        .build(EventReaderBuilder::new().from_path(EVENTS).unwrap())
        .unwrap();
    let expected = from_journeys();
    assert_eq!(canonical(&built), canonical(&expected));
    // Same channel table, in the same first-appearance order.
    let names = |s: &JourneySet| {
        s.channels()
            .iter()
            .map(|(_, n)| n.to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&built), ["PPC", "LandingPage", "Email", "LinkedIn"]);
    assert_eq!(names(&built), names(&expected));
    // User Uk is journey Jk.
    let ids: Vec<_> = built.iter().map(|j| j.id().unwrap().to_owned()).collect();
    assert_eq!(ids, ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"]);

    assert_eq!(report.users, 8);
    assert_eq!(report.events_read, 22);
    assert_eq!(report.touch_events, 18);
    assert_eq!(report.conversion_events, 4);
    assert_eq!(report.journeys, 8);
    assert_eq!(report.converting_journeys, 4);
    assert_eq!(report.touches_in_journeys, 18);
    assert_eq!(report.conversions, 4);
    assert_eq!(report.unattributed_conversions, 0);
    assert_eq!(report.total_value, 360.0);
    assert_eq!(report.unattributed_value, 0.0);
    assert!(report.rows_rejected.is_empty());
    assert_eq!(
        report.dropped,
        attribution::assemble::DroppedEvents::default()
    );
}

#[test]
fn hand_built_j1_matches() {
    // The fixture README's first row, independently of the journeys reader.
    let set = from_events();
    let c = &canonical(&set)[0];
    assert_eq!(c.0, ["PPC", "LandingPage", "Email", "LinkedIn"]);
    let t0 = 1_709_283_600; // 2024-03-01T09:00:00Z
    assert_eq!(c.1, [t0, t0 + 120, t0 + 86_400, t0 + 8 * 86_400]);
    assert_eq!((c.2, c.3, c.4), (1, 0, 120.0));
    assert_eq!(c.5, Some(t0 + 8 * 86_400 + 1_800));
}

#[test]
fn every_heuristic_credits_the_same_from_events_and_journeys() {
    let events = from_events();
    let journeys = from_journeys();
    for model in Heuristic::all() {
        let a = model.attribute(&events).unwrap();
        let b = model.attribute(&journeys).unwrap();
        assert_eq!(a.channels().len(), 4, "{}", model.name());
        for (x, y) in a.channels().iter().zip(b.channels()) {
            assert_eq!(x.name, y.name);
            let close = |p: f64, q: f64| (p - q).abs() <= 1e-12 * q.abs().max(1.0);
            assert!(
                close(x.conversions, y.conversions),
                "{} {}",
                model.name(),
                x.name
            );
            assert!(close(x.value, y.value), "{} {}", model.name(), x.name);
        }
        assert!((a.total_conversions() - 4.0).abs() < 1e-12);
        assert!((a.total_value() - 360.0).abs() < 1e-9);
    }
}

#[test]
fn first_touch_from_events_matches_the_fixture() {
    // tiny/expected.csv, first_touch: J1 -> PPC 120, J3 -> LinkedIn 80,
    // J4 -> Email 60, J6 -> LinkedIn 100.
    let a = Heuristic::from_name("first-touch")
        .unwrap()
        .attribute(&from_events())
        .unwrap();
    let got: Vec<_> = a
        .channels()
        .iter()
        .map(|c| (c.name.as_str(), c.conversions, c.value))
        .collect();
    assert_eq!(
        got,
        [
            ("PPC", 1.0, 120.0),
            ("LandingPage", 0.0, 0.0),
            ("Email", 1.0, 60.0),
            ("LinkedIn", 2.0, 180.0)
        ]
    );
}
