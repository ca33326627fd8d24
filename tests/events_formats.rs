//! The events reader: timestamp layouts detected per value, time formats and
//! zones, decimal commas, conversion events, and the hints of its errors.

use attribution::assemble::JourneyBuilder;
use attribution::io::events::{EventReaderBuilder, EventRecord};
use attribution::io::{TimeFormat, TimeUnit, TimestampError, Timezone};
use attribution::{ReadError, ReadErrorKind, ReadHint};

fn read_with(builder: &EventReaderBuilder, input: &str) -> Result<Vec<EventRecord>, ReadError> {
    builder.from_reader(input.as_bytes())?.collect()
}

fn read(input: &str) -> Result<Vec<EventRecord>, ReadError> {
    read_with(&EventReaderBuilder::new(), input)
}

fn times(events: &[EventRecord]) -> Vec<String> {
    events.iter().map(|e| e.time().to_rfc3339()).collect()
}

const H: &str = "user_id,timestamp,channel,conversion\n";

#[test]
fn every_layout_in_one_file() {
    let rows = [
        "2024-03-01T09:00:00Z",
        "2024-03-01T10:00:00+01:00",
        "2024-03-01T10:00:00+0100",
        "2024-03-01 09:00:00",
        "2024-03-01T09:00:00",
        "2024-03-01 09:00",
        "2024-03-01T09:00:00.250",
        "2024-03-01",
        "1709283600",
        "1709283600.5",
        "1709283600123",
        "1709283600123456",
    ];
    let input: String = std::iter::once(H.to_owned())
        .chain(rows.iter().map(|t| format!("u,{t},A,0\n")))
        .collect();
    let events = read(&input).unwrap();
    assert_eq!(
        times(&events),
        [
            "2024-03-01T09:00:00+00:00",
            "2024-03-01T09:00:00+00:00",
            "2024-03-01T09:00:00+00:00",
            "2024-03-01T09:00:00+00:00",
            "2024-03-01T09:00:00+00:00",
            "2024-03-01T09:00:00+00:00",
            "2024-03-01T09:00:00.250+00:00",
            "2024-03-01T00:00:00+00:00",
            "2024-03-01T09:00:00+00:00",
            "2024-03-01T09:00:00.500+00:00",
            "2024-03-01T09:00:00.123+00:00",
            "2024-03-01T09:00:00.123456+00:00",
        ]
    );
    assert_eq!(events[11].time_nanos(), 1_709_283_600_123_456_000);
}

#[test]
fn zone_less_values_are_read_in_the_given_zone() {
    let input = format!("{H}u,2024-03-01 11:00,A,0\nu,2024-03-01,A,0\nu,2024-03-01T11:00Z,A,0\n");
    let events = read_with(
        EventReaderBuilder::new().timezone(Timezone::parse("+02:00").unwrap()),
        &input,
    )
    .unwrap();
    assert_eq!(
        times(&events),
        [
            "2024-03-01T09:00:00+00:00",
            "2024-02-29T22:00:00+00:00",
            "2024-03-01T11:00:00+00:00"
        ]
    );
}

#[cfg(feature = "tz")]
#[test]
fn iana_zones_follow_daylight_saving() {
    let input = format!("{H}u,2024-03-30 12:00,A,0\nu,2024-03-31 12:00,A,0\n");
    let mut builder = EventReaderBuilder::new();
    builder.timezone(Timezone::parse("Europe/Berlin").unwrap());
    assert_eq!(
        times(&read_with(&builder, &input).unwrap()),
        ["2024-03-30T11:00:00+00:00", "2024-03-31T10:00:00+00:00"]
    );
    let e = read_with(&builder, &format!("{H}u,2024-03-31 02:30,A,0\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column `timestamp`: invalid timestamp (local time that does not exist in time zone Europe/Berlin): \"2024-03-31 02:30\""
    );
}

#[test]
fn given_formats() {
    let input = format!("{H}u,1709283600000,A,0\nu,86400000,A,0\n");
    let mut builder = EventReaderBuilder::new();
    builder.time_format(TimeFormat::Unix(TimeUnit::Milliseconds));
    assert_eq!(
        times(&read_with(&builder, &input).unwrap()),
        ["2024-03-01T09:00:00+00:00", "1970-01-02T00:00:00+00:00"]
    );
    // In automatic mode the 8-digit number is seconds.
    assert_eq!(
        times(&read(&input).unwrap())[1],
        "1972-09-27T00:00:00+00:00"
    );
    builder.time_format("%d/%m/%Y %H:%M".parse().unwrap());
    let e = read_with(
        &builder,
        &format!("{H}u,01/03/2024 09:00,A,0\nu,2024-03-01 09:00,A,0\n"),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 3, column `timestamp`: invalid timestamp (does not match the time format `%d/%m/%Y %H:%M`): \"2024-03-01 09:00\""
    );
    assert_eq!(e.hint(), None);
    let e = EventReaderBuilder::new()
        .time_format(TimeFormat::Strftime("%Y-%Q".to_owned()))
        .from_reader(H.as_bytes())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid reader configuration: invalid time format `%Y-%Q` (expected auto, unix-s, unix-ms, unix-us or a strftime layout such as %d/%m/%Y %H:%M)"
    );
}

#[test]
fn timestamp_errors_say_why_and_what_to_set() {
    let cases = [
        (
            "170928360012",
            TimestampError::AmbiguousUnixTime { digits: 12 },
            Some(ReadHint::TimeUnit),
            "line 2, column `timestamp`: invalid timestamp (a 12-digit number is not a Unix time: seconds have up to 11 digits, milliseconds 13, microseconds 16): \"170928360012\" (give the unit with `time_format`)",
        ),
        (
            "17092836001234567",
            TimestampError::AmbiguousUnixTime { digits: 17 },
            Some(ReadHint::TimeUnit),
            "line 2, column `timestamp`: invalid timestamp (a 17-digit number is not a Unix time: seconds have up to 11 digits, milliseconds 13, microseconds 16): \"17092836001234567\" (give the unit with `time_format`)",
        ),
        (
            "01/03/2024 09:00",
            TimestampError::Unrecognized,
            Some(ReadHint::TimeLayout),
            "line 2, column `timestamp`: invalid timestamp (not an ISO 8601 date or date-time nor a Unix time): \"01/03/2024 09:00\" (give the layout with `time_format`)",
        ),
        (
            "2024-02-30 09:00",
            TimestampError::Impossible,
            None,
            "line 2, column `timestamp`: invalid timestamp (no such date or time): \"2024-02-30 09:00\"",
        ),
        (
            "3000-01-01T00:00:00Z",
            TimestampError::OutOfRange,
            None,
            "line 2, column `timestamp`: invalid timestamp (out of range): \"3000-01-01T00:00:00Z\"",
        ),
    ];
    for (text, detail, hint, display) in cases {
        let e = read(&format!("{H}u,{text},A,0\n")).unwrap_err();
        assert_eq!(e.kind(), &ReadErrorKind::InvalidTimestamp(detail), "{text}");
        assert_eq!(e.hint(), hint.as_ref(), "{text}");
        assert_eq!(e.to_string(), display);
        assert_eq!(e.kind().reason(), "invalid_timestamp");
    }
}

#[test]
fn decimal_commas() {
    // Detected in a `;`-delimited file.
    let events =
        read("user_id;timestamp;channel;conversion;value\nu;1;A;1;120,50\nu;2;A;1;7.25\n").unwrap();
    assert_eq!(
        events.iter().map(EventRecord::value).collect::<Vec<_>>(),
        [120.5, 7.25]
    );
    // Elsewhere only on request; the error says so.
    let tsv = "user_id\ttimestamp\tchannel\tconversion\tvalue\nu\t1\tA\t1\t120,50\n";
    let e = read(tsv).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column `value`: invalid value (must be a finite, non-negative number): \"120,50\" (decimal comma? enable `decimal_comma`)"
    );
    assert_eq!(e.hint(), Some(&ReadHint::DecimalComma));
    let events = read_with(EventReaderBuilder::new().decimal_comma(true), tsv).unwrap();
    assert_eq!(events[0].value(), 120.5);
    let csv = "user_id,timestamp,channel,conversion,value\nu,1,A,1,\"120,50\"\n";
    let events = read_with(EventReaderBuilder::new().decimal_comma(true), csv).unwrap();
    assert_eq!(events[0].value(), 120.5);
    // Thousands separators are not decimal commas: no hint.
    let e = read("user_id;timestamp;channel;conversion;value\nu;1;A;1;1.234,50\n").unwrap_err();
    assert_eq!((e.kind(), e.hint()), (&ReadErrorKind::InvalidValue, None));
}

const GA4: &str = "user_id,timestamp,channel,event_name,value\n\
                   u,1709283600000000,Email,session_start,\n\
                   u,1709283660000000,,page_view,\n\
                   u,1709283720000000,,purchase,49.9\n\
                   v,1709283780000000,PPC,purchase,10\n";

#[test]
fn conversion_events_mark_conversions_by_name() {
    let mut builder = EventReaderBuilder::new();
    builder.conversion_events(["purchase"]);
    let mut reader = builder.from_reader(GA4.as_bytes()).unwrap();
    let events: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let summary: Vec<_> = events
        .iter()
        .map(|e| (e.line(), e.channel(), e.is_conversion(), e.value()))
        .collect();
    assert_eq!(
        summary,
        [
            (2, Some("Email"), false, 0.0),
            (4, None, true, 49.9),
            (5, Some("PPC"), true, 10.0)
        ]
    );
    assert_eq!(reader.skipped_without_channel(), 1);
    // The journey build counts the skipped row.
    let reader = builder.from_reader(GA4.as_bytes()).unwrap();
    let (set, report) = JourneyBuilder::new().build(reader).unwrap();
    assert_eq!((set.len(), report.events_without_channel), (2, 1));
    assert_eq!((report.events_read, report.conversions), (3, 2));
}

#[test]
fn conversion_events_with_a_flag_column_and_renamed_columns() {
    // Either the flag or the event marks a conversion.
    let input = "user_id,timestamp,channel,conversion,action\n\
                 u,1,A,0,view\n\
                 u,2,A,1,view\n\
                 u,3,A,0,order\n\
                 u,4,,0,view\n";
    let events = read_with(
        EventReaderBuilder::new()
            .event_column("action")
            .conversion_events(["order"]),
        input,
    )
    .unwrap();
    assert_eq!(
        events
            .iter()
            .map(EventRecord::is_conversion)
            .collect::<Vec<_>>(),
        [false, true, true]
    );
    // Without conversion events a row without channel stays an error.
    let e = read("user_id,timestamp,channel,conversion\nu,1,,0\n").unwrap_err();
    assert_eq!(
        (e.kind(), e.column()),
        (&ReadErrorKind::EmptyField, Some("channel"))
    );
}

#[test]
fn conversion_event_configuration_errors() {
    let e = EventReaderBuilder::new()
        .conversion_events(["purchase"])
        .from_reader(&b"user_id,timestamp,channel,conversion\n"[..])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 1, column `event_name`: missing column `event_name` (map a differently named column to its role)"
    );
    let e = EventReaderBuilder::new()
        .conversion_events(["purchase", " "])
        .from_reader(GA4.as_bytes())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid reader configuration: empty conversion event name"
    );
    let e = EventReaderBuilder::new()
        .conversion_events(["purchase"])
        .event_column("channel")
        .from_reader(GA4.as_bytes())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid reader configuration: column name `channel` is given for two roles"
    );
    // Without conversion events the event column plays no role, so it may
    // share its name with another.
    let events = read_with(
        EventReaderBuilder::new().conversion_column("event_name"),
        "user_id,timestamp,channel,event_name\nu,1,A,1\n",
    )
    .unwrap();
    assert!(events[0].is_conversion());
}

#[test]
fn header_errors_hint_at_the_fix() {
    // An event column but no conversion column: conversion events.
    let e = read("user_id,timestamp,channel,event_name\n").unwrap_err();
    assert_eq!(
        e.hint(),
        Some(&ReadHint::ConversionEvents {
            column: "event_name".to_owned()
        })
    );
    assert_eq!(
        e.to_string(),
        "line 1, column `conversion`: missing column `conversion` (to mark conversions by the `event_name` column, set `conversion_events`)"
    );
    // A paths file given to the events reader.
    let e = read("path,total_conversions,total_null\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 1, column `user_id`: missing column `user_id` (the header looks like the paths shape; or map a differently named column to its role)"
    );
    // An unknown column in an events header.
    let e = read("user_id,timestamp,channel,conversion,campaign\n").unwrap_err();
    assert_eq!(
        e.hint(),
        Some(&ReadHint::UnknownColumn { looks_like: None })
    );
    assert_eq!(
        e.to_string(),
        "line 1, column `campaign`: unknown column `campaign` (ignore unknown columns, or map the column to a role)"
    );
}
