//! Shared by the contract tests: the tiny fixture's journeys.

use attribution::JourneySet;
use attribution::io::{ReaderBuilder, Shape};

/// `tests/data/tiny/journeys.csv`, read in the `journeys` shape.
pub fn tiny() -> JourneySet {
    ReaderBuilder::new(Shape::Journeys)
        .from_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/tiny/journeys.csv"
        ))
        .unwrap()
        .read_all()
        .unwrap()
        .0
}
