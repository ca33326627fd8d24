//! Property tests: no input panics the readers; lenient counts add up;
//! `write_journeys` round-trips arbitrary sets.

use attribution::io::{ReaderBuilder, Shape, write_journeys};
use attribution::{Channels, Journey, JourneySet, Touchpoint};
use chrono::DateTime;
use proptest::prelude::*;

/// Reads `input` every way (both shapes, strict and lenient, iterating and
/// `read_all`) and checks the lenient bookkeeping.
fn exercise(input: &[u8], sep: &str) {
    for shape in [Shape::Paths, Shape::Journeys] {
        for lenient in [false, true] {
            let mut builder = ReaderBuilder::new(shape);
            builder
                .separator(sep)
                .lenient(lenient)
                .ignore_unknown_columns(lenient);
            if let Ok(reader) = builder.from_reader(input) {
                if let Ok((set, report)) = reader.read_all() {
                    assert_eq!(report.journeys(), set.len() as u64);
                    if lenient {
                        assert_eq!(report.rows(), report.journeys() + report.rejected());
                    }
                }
            }
            if let Ok(mut reader) = builder.from_reader(input) {
                let mut ok = 0u64;
                for item in &mut reader {
                    if item.is_ok() {
                        ok += 1;
                    }
                }
                assert_eq!(reader.report().journeys(), ok);
            }
        }
    }
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("A > B".to_owned()),
        Just("1".to_owned()),
        Just("0".to_owned()),
        Just("1.5".to_owned()),
        Just("-1".to_owned()),
        Just("nan".to_owned()),
        Just("true".to_owned()),
        Just("2024-03-01T09:00:00Z".to_owned()),
        Just("1 > 2".to_owned()),
        Just(String::new()),
        Just("\"".to_owned()),
        Just("\u{feff}".to_owned()),
        "[A-Za-z0-9 >|;,\"\t\r\n.eE+:TZ-]{0,12}",
        "\\PC{0,6}",
    ]
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("path".to_owned()),
        Just("total_conversions".to_owned()),
        Just("total_null".to_owned()),
        Just("total_conversion_value".to_owned()),
        Just("journey_id".to_owned()),
        Just("converted".to_owned()),
        Just("non_converted".to_owned()),
        Just("value".to_owned()),
        Just("touch_times".to_owned()),
        Just("conversion_time".to_owned()),
        "[a-z_ ]{0,6}",
    ]
}

fn almost_valid_csv() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(vec![",", ";", "\t"]),
        prop::collection::vec(header_name(), 1..7),
        prop::collection::vec(prop::collection::vec(field(), 0..8), 0..8),
        prop::sample::select(vec!["\n", "\r\n"]),
        prop::sample::select(vec![">", " > ", "->", "|"]),
    )
        .prop_map(|(delim, header, rows, eol, sep)| {
            let mut text = header.join(delim);
            for row in rows {
                text.push_str(eol);
                text.push_str(&row.join(delim));
            }
            (text, sep.to_owned())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        exercise(&bytes, ">");
    }

    #[test]
    fn almost_valid_csv_never_panics((text, sep) in almost_valid_csv()) {
        exercise(text.as_bytes(), &sep);
    }
}

fn journey_set() -> impl Strategy<Value = (JourneySet, &'static str)> {
    let name = "[A-Za-z0-9][A-Za-z0-9 ,\"_\u{4e00}-\u{4e10}]{0,7}";
    (
        prop::collection::vec(name, 1..6),
        prop::collection::vec(
            (
                prop::collection::vec(0usize..6, 1..6),
                0u64..4,
                0u64..4,
                0u32..100_000,
                prop::option::of(prop::collection::vec(-2_000_000_000i64..4_000_000_000, 6)),
                prop::option::of(0i64..4_000_000_000),
                prop::option::of("[a-z0-9]{1,4}"),
            ),
            0..12,
        ),
        prop::sample::select(vec![">", " > ", "->", " | "]),
    )
        .prop_map(|(names, rows, sep)| {
            let mut set = JourneySet::new(Channels::new());
            let ids: Vec<_> = names
                .iter()
                .map(|n| set.channels_mut().intern(n).unwrap())
                .collect();
            for (path, c, n, cents, times, conversion, id) in rows {
                let touches: Vec<Touchpoint> = path
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| {
                        let channel = ids[i % ids.len()];
                        match &times {
                            Some(ts) => {
                                Touchpoint::at(channel, DateTime::from_timestamp(ts[k], 0).unwrap())
                            }
                            None => Touchpoint::new(channel),
                        }
                    })
                    .collect();
                let mut journey = Journey::new(touches, c, n, f64::from(cents) / 100.0).unwrap();
                if let Some(s) = conversion {
                    journey = journey.with_conversion_time(DateTime::from_timestamp(s, 0).unwrap());
                }
                if let Some(id) = id {
                    journey = journey.with_id(id);
                }
                set.push(journey).unwrap();
            }
            (set, sep)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn write_then_read_round_trips((set, sep) in journey_set()) {
        let mut out = Vec::new();
        write_journeys(&set, &mut out, sep).unwrap();
        let back = ReaderBuilder::new(Shape::Journeys)
            .separator(sep)
            .from_reader(&out[..])
            .unwrap()
            .read_all()
            .unwrap()
            .0;
        // Channels no journey uses are not written; compare what is used.
        let names = |s: &JourneySet| -> Vec<Vec<String>> {
            s.iter()
                .map(|j| j.channels().map(|c| s.channels().name(c).unwrap().to_owned()).collect())
                .collect()
        };
        prop_assert_eq!(names(&back), names(&set));
        let strip = |s: &JourneySet| -> Vec<_> {
            s.iter()
                .map(|j| (
                    j.id().map(str::to_owned),
                    j.conversions(),
                    j.non_conversions(),
                    j.value(),
                    j.touches().iter().map(|t| t.time).collect::<Vec<_>>(),
                    j.conversion_time(),
                ))
                .collect()
        };
        prop_assert_eq!(strip(&back), strip(&set));
    }
}
