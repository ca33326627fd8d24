//! Shared by the fixture tests: the tiny fixture read in every input shape.

use attribution::JourneySet;
use attribution::assemble::JourneyBuilder;
use attribution::io::events::EventReaderBuilder;
use attribution::io::{ReaderBuilder, Shape};

/// The tiny fixture's folder.
pub const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny");

/// `tests/data/tiny/FILE` read in `shape`, with no rejected row.
pub fn read(shape: Shape, file: &str) -> JourneySet {
    let (set, report) = ReaderBuilder::new(shape)
        .from_path(format!("{TINY}/{file}"))
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(report.rejected(), 0);
    set
}

/// The same eight journeys from `paths.csv`, `journeys.csv` and `events.csv`.
pub fn shapes() -> Vec<(&'static str, JourneySet)> {
    let events = EventReaderBuilder::new()
        .from_path(format!("{TINY}/events.csv"))
        .unwrap();
    vec![
        ("paths", read(Shape::Paths, "paths.csv")),
        ("journeys", read(Shape::Journeys, "journeys.csv")),
        ("events", JourneyBuilder::new().build(events).unwrap().0),
    ]
}
