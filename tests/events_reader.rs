//! The events reader: every error kind with its line, column and text;
//! delimiters, BOM, renamed columns, lenient mode.

use attribution::ReadErrorKind;
use attribution::io::events::{EventReaderBuilder, EventRecord};
use attribution::io::{TimeFormat, TimeUnit, TimestampError};

fn read(input: &[u8]) -> Result<Vec<EventRecord>, attribution::ReadError> {
    EventReaderBuilder::new().from_reader(input)?.collect()
}

/// (kind reason, line, column, text) of an error.
type Located = (&'static str, Option<u64>, Option<String>, Option<String>);

/// The located error of reading `input`.
fn error_of(input: &str) -> Located {
    let e = read(input.as_bytes()).unwrap_err();
    (
        e.kind().reason(),
        e.line(),
        e.column().map(str::to_owned),
        e.text().map(str::to_owned),
    )
}

const H: &str = "user_id,timestamp,channel,conversion,value\n";

#[test]
fn every_row_error_names_line_column_and_text() {
    let some = |s: &str| Some(s.to_owned());
    let cases: &[(&str, Located)] = &[
        (
            "u,1,A,0,0\n,2,A,0,0\n",
            ("empty_field", Some(3), some("user_id"), some("")),
        ),
        (
            "u,1,A,0,0\nu,,A,0,0\n",
            ("empty_field", Some(3), some("timestamp"), some("")),
        ),
        (
            "u,1,A,0,0\nu,2,,0,0\n",
            ("empty_field", Some(3), some("channel"), some("")),
        ),
        (
            "u,1,A,,0\n",
            ("empty_field", Some(2), some("conversion"), some("")),
        ),
        (
            "u,1,A,yes,0\n",
            ("invalid_flag", Some(2), some("conversion"), some("yes")),
        ),
        (
            "u,1,A,1,-5\n",
            ("invalid_value", Some(2), some("value"), some("-5")),
        ),
        (
            "u,1,A,1,NaN\n",
            ("invalid_value", Some(2), some("value"), some("NaN")),
        ),
        (
            "u,1,A,1,inf\n",
            ("invalid_value", Some(2), some("value"), some("inf")),
        ),
        (
            "u,1,A,1,12x\n",
            ("invalid_value", Some(2), some("value"), some("12x")),
        ),
        (
            "u,2024-13-01T00:00:00Z,A,0,0\n",
            (
                "invalid_timestamp",
                Some(2),
                some("timestamp"),
                some("2024-13-01T00:00:00Z"),
            ),
        ),
        // Each value is detected on its own: a layout it does not know fails
        // on its own line.
        (
            "u,1,A,0,0\nu,2024-03-01,A,0,0\nu,01/03/2024,A,0,0\n",
            (
                "invalid_timestamp",
                Some(4),
                some("timestamp"),
                some("01/03/2024"),
            ),
        ),
        ("u,1,A,0\n", ("field_count", Some(2), None, None)),
        ("u,1,A,0,0,extra\n", ("field_count", Some(2), None, None)),
    ];
    for (body, expected) in cases {
        assert_eq!(&error_of(&format!("{H}{body}")), expected, "{body:?}");
    }
    let e = read(format!("{H}u,1,A,yes,0\n").as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column `conversion`: invalid conversion flag (expected 0, 1, true or false): \"yes\""
    );
    match read(format!("{H}u,1,A,0\n").as_bytes()).unwrap_err().kind() {
        ReadErrorKind::FieldCount { expected, found } => assert_eq!((*expected, *found), (5, 4)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_utf8_names_the_column() {
    let mut input = H.as_bytes().to_vec();
    input.extend_from_slice(b"u,1,\xFF\xFE,0,0\n");
    let e = read(&input).unwrap_err();
    assert_eq!(e.kind(), &ReadErrorKind::InvalidUtf8);
    assert_eq!((e.line(), e.column()), (Some(2), Some("channel")));
}

#[test]
fn header_errors() {
    let e = read(b"").unwrap_err();
    assert_eq!((e.kind(), e.line()), (&ReadErrorKind::EmptyFile, Some(1)));
    let e = read(b"\n").unwrap_err();
    assert_eq!(e.kind(), &ReadErrorKind::EmptyFile);
    let e = read(b"user_id,timestamp,channel\n").unwrap_err();
    assert_eq!(e.kind(), &ReadErrorKind::MissingColumn("conversion".into()));
    let e = read(b"user_id,timestamp,channel,conversion,campaign\n").unwrap_err();
    assert_eq!(e.kind(), &ReadErrorKind::UnknownColumn("campaign".into()));
    assert_eq!((e.line(), e.column()), (Some(1), Some("campaign")));
    let e = read(b"user_id,timestamp,channel,conversion,channel\n").unwrap_err();
    assert_eq!(e.kind(), &ReadErrorKind::DuplicateColumn("channel".into()));
    let e = read(b"user_id,\xFF,channel,conversion\n").unwrap_err();
    assert_eq!(e.kind(), &ReadErrorKind::InvalidUtf8);
    let e = EventReaderBuilder::new()
        .channel_column("user_id")
        .from_reader(&b"user_id,timestamp,conversion\n"[..])
        .unwrap_err();
    assert!(matches!(e.kind(), ReadErrorKind::Config(_)));
    // Unknown columns can be ignored on request.
    let events: Vec<_> = EventReaderBuilder::new()
        .ignore_unknown_columns(true)
        .from_reader(&b"campaign,user_id,timestamp,channel,conversion\nspring,u,1,A,0\n"[..])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(events[0].channel(), Some("A"));
}

/// The events reader shares the journey readers' option checks: the same
/// delimiter rule and message, and configuration errors before any input
/// is read.
#[test]
fn options_are_checked_as_by_the_journey_readers() {
    use attribution::io::{ReaderBuilder, Shape};
    for d in [b'"', b'\n', b'\r', 0xA7] {
        let events = EventReaderBuilder::new()
            .delimiter(d)
            .from_reader(&b"user_id,timestamp,channel,conversion\n"[..])
            .unwrap_err();
        let paths = ReaderBuilder::new(Shape::Paths)
            .delimiter(d)
            .from_reader(&b"path,total_conversions,total_null\n"[..])
            .unwrap_err();
        assert_eq!(events, paths, "{d}");
        assert_eq!(
            events.to_string(),
            format!(
                "invalid reader configuration: the delimiter must be an ASCII byte other than a quote or a line break, got {:?}",
                char::from(d)
            )
        );
    }
    // Two roles with one name: a configuration error even on an empty input.
    let e = EventReaderBuilder::new()
        .channel_column("user_id")
        .from_reader(&b""[..])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid reader configuration: column name `user_id` is given for two roles"
    );
}

#[test]
fn delimiters_bom_crlf_quotes_and_column_order() {
    let expected = (
        "u 1".to_owned(),
        Some("Paid Search".to_owned()),
        1_709_283_600,
        true,
        2.5,
    );
    let summary = |e: &EventRecord| {
        (
            e.user().to_owned(),
            e.channel().map(str::to_owned),
            e.time().timestamp(),
            e.is_conversion(),
            e.value(),
        )
    };
    for input in [
        "user_id,timestamp,channel,conversion,value\nu 1,2024-03-01T09:00:00Z,Paid Search,1,2.5\n",
        "\u{feff}user_id;timestamp;channel;conversion;value\r\nu 1;2024-03-01T09:00:00Z;Paid Search;TRUE;2.5\r\n",
        "value\tconversion\tchannel\ttimestamp\tuser_id\n2.5\ttrue\tPaid Search\t1709283600\tu 1\n",
        "user_id,timestamp,channel,conversion,value\n\n\" u 1 \",\"2024-03-01T10:00:00+01:00\",\"Paid Search\",1,\"2.5\"\n",
    ] {
        let events = read(input.as_bytes()).unwrap();
        assert_eq!(events.len(), 1, "{input:?}");
        assert_eq!(summary(&events[0]), expected, "{input:?}");
    }
    // Value column optional; empty value is 0; line numbers count blank lines.
    let events = read(b"user_id,timestamp,channel,conversion\n\nu,1,A,0\nu,2,,1\n").unwrap();
    assert_eq!(
        (events[1].value(), events[1].line(), events[1].channel()),
        (0.0, 4, None)
    );
}

#[test]
fn renamed_columns_and_given_formats() {
    let mut builder = EventReaderBuilder::new();
    builder
        .user_column("visitor")
        .timestamp_column("ts")
        .channel_column("source")
        .conversion_column("purchase")
        .value_column("revenue")
        .delimiter(b'|')
        .time_format(TimeFormat::Unix(TimeUnit::Seconds));
    let input = "visitor|ts|source|purchase|revenue\nv|1709283600|PPC|false|\nv|2024-03-01T09:00:00Z|PPC|0|\n";
    let mut reader = builder.from_reader(input.as_bytes()).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().user(), "v");
    let e = reader.next().unwrap().unwrap_err();
    assert_eq!(
        (e.kind(), e.line()),
        (
            &ReadErrorKind::InvalidTimestamp(TimestampError::FormatMismatch("unix-s".to_owned())),
            Some(3)
        )
    );
    assert_eq!(e.hint(), None);
}

#[test]
fn lenient_mode_counts_per_reason_and_keeps_going() {
    let input =
        format!("{H}u,1,A,0,0\nu,x,A,0,0\nu,2,A,2,0\nu,3,A,0\nu,4,,0,0\nu,5,,1,-1\nu,6,B,0,0\n");
    let mut reader = EventReaderBuilder::new()
        .lenient(true)
        .from_reader(input.as_bytes())
        .unwrap();
    let events: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        events.iter().map(EventRecord::line).collect::<Vec<_>>(),
        [2, 8]
    );
    let rejected: Vec<_> = reader.rejected().iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        rejected,
        [
            ("empty_field", 1),
            ("field_count", 1),
            ("invalid_flag", 1),
            ("invalid_timestamp", 1),
            ("invalid_value", 1)
        ]
    );
    // A bad first row fixes no format: every layout stays readable.
    let input = format!("{H}u,bad,A,0,0\nu,2024-03-01T09:00:00Z,A,0,0\nu,1709283600,A,0,0\n");
    let mut reader = EventReaderBuilder::new()
        .lenient(true)
        .from_reader(input.as_bytes())
        .unwrap();
    assert_eq!(reader.by_ref().count(), 2);
    assert_eq!(reader.rejected().get("invalid_timestamp"), Some(&1));
}

#[test]
fn an_unclosed_quote_is_one_bad_row_at_its_line() {
    // Strict: the error names the line and column where the quote opened.
    for nl in ["\n", "\r\n", "\r"] {
        let input = format!(
            "user_id,timestamp,channel,conversion,value{nl}u,1,A,0,0{nl}u,2,\"B,0,0{nl}u,3,C,1,5{nl}"
        );
        let e = read(input.as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3, column `channel`: unterminated quoted field (a quote must close on the line \
             where it opens): \"\\\"B,0,0\"",
            "{nl:?}"
        );
        // Lenient: that row is skipped, the next one is read.
        let mut reader = EventReaderBuilder::new()
            .lenient(true)
            .from_reader(input.as_bytes())
            .unwrap();
        let events: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(
            events.iter().map(EventRecord::line).collect::<Vec<_>>(),
            [2, 4],
            "{nl:?}"
        );
        assert_eq!(reader.rejected().get("unterminated_quote"), Some(&1));
        assert_eq!(reader.rejected_lines(), [3]);
    }
    // In the last field of the last row.
    let e = read(format!("{H}u,1,A,0,\"0").as_bytes()).unwrap_err();
    assert_eq!(
        (e.kind(), e.line(), e.column(), e.text()),
        (
            &ReadErrorKind::UnterminatedQuote,
            Some(2),
            Some("value"),
            Some("\"0")
        )
    );
}

#[test]
fn bare_cr_line_ends_give_the_right_lines() {
    let input = "user_id,timestamp,channel,conversion\ru,1,A,0\r\ru,x,B,0\r";
    let e = read(input.as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 4, column `timestamp`: invalid timestamp (not an ISO 8601 date or date-time nor \
         a Unix time): \"x\" (give the layout with `time_format`)"
    );
}

#[test]
fn the_build_report_lists_the_lines_of_rejected_rows() {
    let input = format!("{H}u,1,A,0,0\nu,2,\"B,0,0\nu,3,C,1,5\nu,x,D,0,0\n");
    let mut builder = EventReaderBuilder::new();
    builder.lenient(true);
    let reader = builder.from_reader(input.as_bytes()).unwrap();
    let (set, report) = attribution::assemble::JourneyBuilder::new()
        .build(reader)
        .unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(report.rejected_lines, [3, 5]);
    assert!(
        report.to_string().contains(
            "rejected 2 rows (invalid_timestamp: 1, unterminated_quote: 1) on lines 3, 5\n"
        ),
        "{report}"
    );
}
