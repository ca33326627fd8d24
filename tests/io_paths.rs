//! The paths-shape reader against the fixtures and every error kind.

use attribution::io::{Column, ReaderBuilder, Shape};
use attribution::{ChannelError, JourneySet, ReadError, ReadErrorKind, ReadReport};

const TINY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/tiny/paths.csv"
);
const SYNTHETIC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/synthetic/paths_100000_12.csv"
);

fn read(csv: &str) -> Result<(JourneySet, ReadReport), ReadError> {
    ReaderBuilder::new(Shape::Paths)
        .from_reader(csv.as_bytes())?
        .read_all()
}

fn read_err(csv: &str) -> ReadError {
    read(csv).unwrap_err()
}

/// The channel names of each journey, then (conversions, nulls, value).
fn summary(set: &JourneySet) -> Vec<(Vec<&str>, u64, u64, f64)> {
    set.iter()
        .map(|j| {
            (
                j.channels()
                    .map(|c| set.channels().name(c).unwrap())
                    .collect(),
                j.conversions(),
                j.non_conversions(),
                j.value(),
            )
        })
        .collect()
}

fn names(set: &JourneySet) -> Vec<&str> {
    set.channels().iter().map(|(_, n)| n).collect()
}

#[test]
fn tiny_paths_give_the_eight_journeys_of_the_readme() {
    let (set, report) = ReaderBuilder::new(Shape::Paths)
        .from_path(TINY)
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(names(&set), ["PPC", "LandingPage", "Email", "LinkedIn"]);
    assert_eq!(
        summary(&set),
        vec![
            (vec!["PPC", "LandingPage", "Email", "LinkedIn"], 1, 0, 120.0),
            (vec!["PPC", "LandingPage"], 0, 1, 0.0),
            (vec!["LinkedIn"], 1, 0, 80.0),
            (vec!["Email", "Email", "LinkedIn"], 1, 0, 60.0),
            (vec!["PPC", "LandingPage", "Email"], 0, 1, 0.0),
            (vec!["LinkedIn", "PPC"], 1, 0, 100.0),
            (vec!["PPC"], 0, 1, 0.0),
            (vec!["Email", "LinkedIn"], 0, 1, 0.0),
        ]
    );
    assert!(set.iter().all(|j| j.id().is_none() && !j.is_timed()));
    assert_eq!(
        (report.rows(), report.journeys(), report.rejected()),
        (8, 8, 0)
    );
}

#[test]
fn synthetic_paths_semicolon_is_detected_and_totals_match() {
    let reader = ReaderBuilder::new(Shape::Paths)
        .from_path(SYNTHETIC)
        .unwrap();
    assert_eq!(reader.delimiter(), b';');
    let (set, report) = reader.read_all().unwrap();
    assert_eq!(set.len(), 100_000);
    assert_eq!(report.rows(), 100_000);
    assert_eq!(set.channels().len(), 12);
    let expected: Vec<String> = (0..12).map(|i| format!("ch{i:02}")).collect();
    let mut sorted: Vec<&str> = names(&set);
    sorted.sort_unstable();
    assert_eq!(sorted, expected);
    assert_eq!(set.total_conversions(), 49_458);
    assert_eq!(set.total_non_conversions(), 237_446);
    let value = set.total_value();
    assert!(
        (value - 1_191_534.686).abs() <= 1e-9 * 1_191_534.686,
        "{value}"
    );
    let touches: usize = set.iter().map(|j| j.len()).sum();
    // Mean path length 7.31 (fixture README).
    assert!((touches as f64 / 100_000.0 - 7.31).abs() < 0.005);
}

/// Asserts kind, line, column, text and the Display string of an error.
fn check(
    err: &ReadError,
    kind: ReadErrorKind,
    line: u64,
    column: Option<&str>,
    text: Option<&str>,
    display: &str,
) {
    assert_eq!(err.kind(), &kind, "{err}");
    assert_eq!(err.line(), Some(line), "{err}");
    assert_eq!(err.column(), column, "{err}");
    assert_eq!(err.text(), text, "{err}");
    assert_eq!(err.to_string(), display);
}

const HEADER: &str = "path,total_conversions,total_null,total_conversion_value\n";

#[test]
fn fractional_count() {
    let err = read_err(&format!("{HEADER}A,1,0,1\nA > B,1.5,0,3\n"));
    check(
        &err,
        ReadErrorKind::FractionalCount,
        3,
        Some("total_conversions"),
        Some("1.5"),
        "line 3, column `total_conversions`: fractional count: \"1.5\"",
    );
    let _ = (Column::Path, ChannelError::EmptyName);
}
