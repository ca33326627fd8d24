//! Property tests of timestamp reading: any text under any format never
//! panics, and instants written in every detected layout read back exactly.

use attribution::io::events::EventReaderBuilder;
use attribution::io::{TimeFormat, TimeUnit, Timezone};
use chrono::{DateTime, SecondsFormat, Utc};
use proptest::prelude::*;

fn formats() -> Vec<TimeFormat> {
    vec![
        TimeFormat::Auto,
        TimeFormat::Unix(TimeUnit::Seconds),
        TimeFormat::Unix(TimeUnit::Milliseconds),
        TimeFormat::Unix(TimeUnit::Microseconds),
        TimeFormat::Strftime("%d/%m/%Y %H:%M".to_owned()),
        TimeFormat::Strftime("%s".to_owned()),
        TimeFormat::Strftime("%Y-%m-%dT%H:%M:%S%.f%z".to_owned()),
    ]
}

/// The time of the single event `u,<stamp>,A,0` under `format` and `zone`.
fn read_one(stamp: &str, format: &TimeFormat, zone: &str) -> Option<i64> {
    let input = format!(
        "user_id,timestamp,channel,conversion\nu,\"{}\",A,0\n",
        stamp.replace('"', "\"\"")
    );
    let mut reader = EventReaderBuilder::new()
        .time_format(format.clone())
        .timezone(Timezone::parse(zone).ok()?)
        .from_reader(input.as_bytes())
        .ok()?;
    reader.next()?.ok().map(|e| e.time_nanos())
}

fn stamp() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,30}",
        "-?[0-9]{0,40}(\\.[0-9]{0,12})?",
        "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}([Tt ][0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3}(\\.[0-9]{0,12})?)?)? ?(Z|z|UTC|[+-][0-9]{1,4}|[+-][0-9]{2}:[0-9]{2})?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_under_any_format_never_panics(text in stamp(), zone in prop::sample::select(vec!["UTC", "+14:00", "-12:00"])) {
        for format in formats() {
            let _ = read_one(&text, &format, zone);
        }
    }

    #[test]
    fn every_detected_layout_reads_back(secs in -2_000_000_000i64..4_000_000_000, micros in 0u32..1_000_000) {
        let t = DateTime::<Utc>::from_timestamp(secs, micros * 1000).unwrap();
        let nanos = t.timestamp_nanos_opt().unwrap();
        let auto = TimeFormat::Auto;
        // RFC 3339 with Z, with an offset, and zone-less in UTC.
        prop_assert_eq!(read_one(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true), &auto, "UTC"), Some(nanos));
        let east = t.with_timezone(&chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap());
        prop_assert_eq!(read_one(&east.to_rfc3339(), &auto, "UTC"), Some(nanos));
        let naive = t.naive_utc().format("%Y-%m-%d %H:%M:%S%.f").to_string();
        prop_assert_eq!(read_one(&naive, &auto, "UTC"), Some(nanos));
        // Zone-less local time in a fixed zone.
        let local = east.naive_local().format("%Y-%m-%dT%H:%M:%S%.f").to_string();
        prop_assert_eq!(read_one(&local, &auto, "+05:30"), Some(nanos));
        // Unix microseconds have 16 digits from 2001-09-09 to 2286.
        let us = t.timestamp_micros();
        if (1_000_000_000_000_000..10_000_000_000_000_000).contains(&us) {
            prop_assert_eq!(read_one(&us.to_string(), &auto, "UTC"), Some(nanos));
        }
        prop_assert_eq!(read_one(&us.to_string(), &TimeFormat::Unix(TimeUnit::Microseconds), "UTC"), Some(nanos));
        // Unix seconds with a fraction.
        let s = format!("{}.{:06}", t.timestamp(), micros);
        if t.timestamp() >= 0 {
            prop_assert_eq!(read_one(&s, &auto, "UTC"), Some(nanos));
        }
    }
}
