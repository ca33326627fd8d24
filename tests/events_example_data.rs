//! The example event log (examples/data/events.csv) builds as its story says.

use attribution::assemble::{JourneyBuilder, parse_duration};
use attribution::io::events::EventReaderBuilder;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/events.csv");

#[test]
fn example_log_builds_with_default_options() {
    let reader = EventReaderBuilder::new().from_path(DATA).unwrap();
    let (set, report) = JourneyBuilder::new().build(reader).unwrap();
    assert_eq!((report.users, report.events_read), (44, 168));
    assert_eq!((report.journeys, report.converting_journeys), (43, 24));
    // Two buyers have no recorded touch: 2 × 75 unattributed.
    assert_eq!(
        (report.unattributed_conversions, report.unattributed_value),
        (2, 150.0)
    );
    assert_eq!(report.total_value, 2883.0);
    assert_eq!(set.total_value() + report.unattributed_value, 2883.0);
    // The customer who buys twice (lead038) has two journeys, the second ending
    // on a converting Direct visit five minutes after a Direct touch.
    let numbered: Vec<_> = set
        .iter()
        .filter_map(|j| Some((j.id()?, j.journey_index()?)))
        .collect();
    assert_eq!(numbered, [("lead038", 1), ("lead038", 2)]);
    let second = set
        .iter()
        .find(|j| (j.id(), j.journey_index()) == (Some("lead038"), Some(2)))
        .unwrap();
    let path: Vec<_> = second
        .channels()
        .map(|c| set.channels().name(c).unwrap())
        .collect();
    assert_eq!(path, ["Email", "Direct", "Direct"]);
    assert_eq!(second.value(), 60.0);
}

#[test]
fn example_log_with_lookback_and_direct_excluded() {
    let reader = EventReaderBuilder::new().from_path(DATA).unwrap();
    let (_, report) = JourneyBuilder::new()
        .lookback(parse_duration("30d").unwrap())
        .exclude_channels(["Direct"])
        .build(reader)
        .unwrap();
    assert_eq!((report.journeys, report.converting_journeys), (37, 21));
    assert_eq!(report.unattributed_conversions, 5);
    assert_eq!(report.dropped.excluded_channel, 11);
    assert_eq!(report.dropped.lookback, 20);
}
