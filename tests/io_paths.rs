//! The paths-shape reader against the fixtures and every error kind.

use attribution::io::{Column, ReaderBuilder, Shape};
use attribution::{Channels, JourneySet, ReadError, ReadErrorKind, ReadReport};

const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny/paths.csv");
const SYNTHETIC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/synthetic/paths_100000_12.csv"
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
    let touches: usize = set.iter().map(attribution::Journey::len).sum();
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

fn row_err(rows: &str) -> ReadError {
    read_err(&format!("{HEADER}A,1,0,1\n{rows}"))
}

#[test]
fn fractional_count() {
    check(
        &row_err("A > B,1.5,0,3\n"),
        ReadErrorKind::FractionalCount,
        3,
        Some("total_conversions"),
        Some("1.5"),
        "line 3, column `total_conversions`: fractional count: \"1.5\"",
    );
}

#[test]
fn negative_count() {
    check(
        &row_err("A > B,1, -2 ,3\n"),
        ReadErrorKind::NegativeCount,
        3,
        Some("total_null"),
        Some("-2"),
        "line 3, column `total_null`: negative count: \"-2\"",
    );
}

#[test]
fn invalid_counts() {
    for bad in ["abc", "nan", "inf", "1e30", "18446744073709551616", "0x1"] {
        check(
            &row_err(&format!("A,{bad},0,0\n")),
            ReadErrorKind::InvalidCount,
            3,
            Some("total_conversions"),
            Some(bad),
            &format!("line 3, column `total_conversions`: invalid count: \"{bad}\""),
        );
    }
}

#[test]
fn integral_float_counts_are_accepted() {
    let (set, _) = read(&format!("{HEADER}A,3.0,2e1,1\nB,9007199254740992,0,\n")).unwrap();
    assert_eq!(
        summary(&set),
        vec![(vec!["A"], 3, 20, 1.0), (vec!["B"], 1 << 53, 0, 0.0)]
    );
}

#[test]
fn counts_above_2_pow_53_are_rejected() {
    for (bad, column) in [
        ("9007199254740993,0", "total_conversions"),
        ("1,18446744073709551615", "total_null"),
    ] {
        let text = bad.split(',').find(|t| t.len() > 1).unwrap();
        check(
            &row_err(&format!("A,{bad},0\n")),
            ReadErrorKind::CountTooLarge,
            3,
            Some(column),
            Some(text),
            &format!(
                "line 3, column `{column}`: count above 2^53 = 9007199254740992 (not exactly representable): \"{text}\""
            ),
        );
    }
}

#[test]
fn empty_count() {
    check(
        &row_err("A,1,,3\n"),
        ReadErrorKind::EmptyField,
        3,
        Some("total_null"),
        Some(""),
        "line 3, column `total_null`: empty field: \"\"",
    );
}

#[test]
fn invalid_values() {
    for bad in ["NaN", "inf", "-infinity", "-1", "-0.5", "12,5", "x"] {
        let err = read_err(&format!("{HEADER}A,1,0,\"{bad}\"\n"));
        check(
            &err,
            ReadErrorKind::InvalidValue,
            2,
            Some("total_conversion_value"),
            Some(bad),
            &format!(
                "line 2, column `total_conversion_value`: invalid value (must be a finite, non-negative number): \"{bad}\"{}",
                // A comma-delimited file reads no decimal comma, but says so.
                if bad == "12,5" {
                    " (decimal comma? enable `decimal_comma`)"
                } else {
                    ""
                }
            ),
        );
    }
}

#[test]
fn empty_or_missing_value_is_zero() {
    let (set, _) = read(&format!("{HEADER}A,1,0,\nB,1,0,  \n")).unwrap();
    assert_eq!(set.total_value(), 0.0);
    let (set, _) = read("path,total_conversions,total_null\nA,1,0\n").unwrap();
    assert_eq!(summary(&set), vec![(vec!["A"], 1, 0, 0.0)]);
}

#[test]
fn empty_path() {
    for path in ["", "  ", " > ", ">>", " >  > "] {
        check(
            &row_err(&format!("\"{path}\",1,0,3\n")),
            ReadErrorKind::EmptyPath,
            3,
            Some("path"),
            Some(path.trim()),
            &format!("line 3, column `path`: empty path: {:?}", path.trim()),
        );
    }
}

#[test]
fn zero_zero_rows_are_kept() {
    let (set, report) = read(&format!("{HEADER}A > B,0,0,0\n")).unwrap();
    assert_eq!(summary(&set), vec![(vec!["A", "B"], 0, 0, 0.0)]);
    assert_eq!(report.journeys(), 1);
}

#[test]
fn missing_column() {
    let err = ReaderBuilder::new(Shape::Paths)
        .from_reader("path,total_conversions\nA,1\n".as_bytes())
        .unwrap_err();
    check(
        &err,
        ReadErrorKind::MissingColumn("total_null".into()),
        1,
        Some("total_null"),
        None,
        "line 1, column `total_null`: missing column `total_null` (map a differently named column to its role)",
    );
}

#[test]
fn unknown_column() {
    let err = read_err("path,total_conversions,total_null, campaign \nA,1,0,x\n");
    check(
        &err,
        ReadErrorKind::UnknownColumn("campaign".into()),
        1,
        Some("campaign"),
        Some("campaign"),
        "line 1, column `campaign`: unknown column `campaign`: \"campaign\" (ignore unknown columns, or map the column to a role)",
    );
    let (set, _) = ReaderBuilder::new(Shape::Paths)
        .ignore_unknown_columns(true)
        .from_reader("campaign,path,x,total_conversions,total_null\nc1,A,,1,0\n".as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(summary(&set), vec![(vec!["A"], 1, 0, 0.0)]);
}

#[test]
fn duplicate_column() {
    let err = read_err("path,total_conversions,total_null,path\nA,1,0,B\n");
    check(
        &err,
        ReadErrorKind::DuplicateColumn("path".into()),
        1,
        Some("path"),
        Some("path"),
        "line 1, column `path`: duplicate column `path`: \"path\"",
    );
}

#[test]
fn field_count_mismatch() {
    let err = row_err("A,1,0\n");
    check(
        &err,
        ReadErrorKind::FieldCount {
            expected: 4,
            found: 3,
        },
        3,
        None,
        None,
        "line 3: expected 4 fields, found 3",
    );
    let err = row_err("A,1,0,0,9\n");
    assert_eq!(err.to_string(), "line 3: expected 4 fields, found 5");
}

#[test]
fn empty_file() {
    for input in ["", "\n\n", "\r\n", "\u{feff}", "\u{feff}\n"] {
        let err = ReaderBuilder::new(Shape::Paths)
            .from_reader(input.as_bytes())
            .unwrap_err();
        assert_eq!(err.kind(), &ReadErrorKind::EmptyFile, "{input:?}");
        assert_eq!(err.to_string(), "empty input: no header row");
    }
    // A header alone is not an error: no journeys.
    let (set, report) = read(HEADER).unwrap();
    assert!(set.is_empty());
    assert_eq!(report.rows(), 0);
}

#[test]
fn invalid_utf8_in_a_field_and_in_the_header() {
    let mut input = format!("{HEADER}A,1,0,1\n").into_bytes();
    input.extend_from_slice(b"Em\xffail > B,1,0,1\n");
    let err = ReaderBuilder::new(Shape::Paths)
        .from_reader(&input[..])
        .unwrap()
        .read_all()
        .unwrap_err();
    check(
        &err,
        ReadErrorKind::InvalidUtf8,
        3,
        Some("path"),
        Some("Em\u{fffd}ail > B"),
        "line 3, column `path`: invalid UTF-8: \"Em\u{fffd}ail > B\"",
    );
    let err = ReaderBuilder::new(Shape::Paths)
        .from_reader(&b"path,total_\xc3conversions,total_null\n"[..])
        .unwrap_err();
    check(
        &err,
        ReadErrorKind::InvalidUtf8,
        1,
        Some("#2"),
        Some("total_\u{fffd}conversions"),
        "line 1, column `#2`: invalid UTF-8: \"total_\u{fffd}conversions\"",
    );
}

#[test]
fn line_numbers_count_blank_lines_and_every_line_end() {
    for nl in ["\n", "\r\n", "\r"] {
        let input =
            format!("path,total_conversions,total_null{nl}{nl}\"A > B\",1,0{nl}{nl}C,x,0{nl}");
        let err = read_err(&input);
        check(
            &err,
            ReadErrorKind::InvalidCount,
            5,
            Some("total_conversions"),
            Some("x"),
            "line 5, column `total_conversions`: invalid count: \"x\"",
        );
        let mut reader = ReaderBuilder::new(Shape::Paths)
            .from_reader(input.as_bytes())
            .unwrap();
        assert_eq!(reader.line(), 1);
        let first = reader.next().unwrap().unwrap();
        assert_eq!(reader.line(), 3);
        assert_eq!(first.len(), 2);
        assert!(reader.next().unwrap().is_err());
        assert!(reader.next().is_none());
    }
}

#[test]
fn configuration_errors() {
    let cases: Vec<(ReaderBuilder, &str)> = vec![
        (
            ReaderBuilder::new(Shape::Paths).separator("").clone(),
            "invalid reader configuration: the path separator is empty",
        ),
        (
            ReaderBuilder::new(Shape::Paths)
                .delimiter(Some(b'"'))
                .clone(),
            "invalid reader configuration: the delimiter must be an ASCII byte other than a quote or a line break, got '\"'",
        ),
        (
            ReaderBuilder::new(Shape::Paths)
                .column(Column::TouchTimes, "t")
                .clone(),
            "invalid reader configuration: the paths shape has no TouchTimes column (renamed to `t`)",
        ),
        (
            ReaderBuilder::new(Shape::Paths)
                .column(Column::Nulls, "path")
                .clone(),
            "invalid reader configuration: columns Path and Nulls are both named `path`",
        ),
        (
            ReaderBuilder::new(Shape::Paths)
                .column(Column::Nulls, " ")
                .clone(),
            "invalid reader configuration: empty column name for Nulls",
        ),
    ];
    for (builder, display) in cases {
        let err = builder.from_reader(HEADER.as_bytes()).unwrap_err();
        assert!(matches!(err.kind(), ReadErrorKind::Config(_)));
        assert_eq!(err.line(), None);
        assert_eq!(err.to_string(), display);
    }
}

#[test]
fn io_errors_name_the_path() {
    let err = ReaderBuilder::new(Shape::Paths)
        .from_path("/nonexistent/paths.csv")
        .unwrap_err();
    assert!(matches!(err.kind(), ReadErrorKind::Io(_)));
    assert!(
        err.to_string()
            .starts_with("I/O error: /nonexistent/paths.csv: "),
        "{err}"
    );
}

#[test]
fn lenient_mode_skips_and_counts_bad_rows() {
    let input = format!(
        "{HEADER}A,1,0,1\nB,1.5,0,0\nC,-1,0,0\n,1,0,0\nD,1,0,nan\nE,1,0\nF,x,0,0\nG,2,3,4.5\nH,,0,0\n"
    );
    let (set, report) = ReaderBuilder::new(Shape::Paths)
        .lenient(true)
        .from_reader(input.as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(
        summary(&set),
        vec![(vec!["A"], 1, 0, 1.0), (vec!["G"], 2, 3, 4.5)]
    );
    // Rejected rows add no channel.
    assert_eq!(names(&set), ["A", "G"]);
    assert_eq!(
        (report.rows(), report.journeys(), report.rejected()),
        (9, 2, 7)
    );
    let reasons: Vec<(&str, u64)> = report.rejections().collect();
    assert_eq!(
        reasons,
        [
            ("empty_field", 1),
            ("empty_path", 1),
            ("field_count", 1),
            ("fractional_count", 1),
            ("invalid_count", 1),
            ("invalid_value", 1),
            ("negative_count", 1),
        ]
    );
    let lines: Vec<Option<u64>> = report.examples().iter().map(ReadError::line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8, 10].map(Some));
    assert_eq!(report.rejected_lines(), [3, 4, 5, 6, 7, 8, 10]);
    assert_eq!(
        report.to_string(),
        "9 rows read, 2 journeys, 7 rejected (empty_field: 1, empty_path: 1, field_count: 1, \
         fractional_count: 1, invalid_count: 1, invalid_value: 1, negative_count: 1) \
         on lines 3, 4, 5, 6, 7, 8, 10"
    );
    // Header errors stay fatal.
    let err = ReaderBuilder::new(Shape::Paths)
        .lenient(true)
        .from_reader("path,total_conversions\nA,1\n".as_bytes())
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ReadErrorKind::MissingColumn("total_null".into())
    );
}

#[test]
fn lenient_mode_keeps_at_most_ten_examples() {
    let mut input = HEADER.to_owned();
    for _ in 0..25 {
        input.push_str("A,-1,0,0\n");
    }
    let (set, report) = ReaderBuilder::new(Shape::Paths)
        .lenient(true)
        .from_reader(input.as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    assert!(set.is_empty());
    assert_eq!(report.rejected_for("negative_count"), 25);
    assert_eq!(report.examples().len(), ReadReport::MAX_EXAMPLES);
    assert_eq!(report.examples()[9].line(), Some(11));
    // The first 20 lines are listed, the rest counted.
    let lines: Vec<u64> = (2..22).collect();
    assert_eq!(report.rejected_lines(), lines);
    assert_eq!(
        report.to_string(),
        "25 rows read, 0 journeys, 25 rejected (negative_count: 25) on lines 2, 3, 4, 5, 6, \
         7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 and 5 more"
    );
}

fn expect_ab(set: &JourneySet) {
    assert_eq!(
        summary(set),
        vec![(vec!["A", "B"], 1, 2, 3.5), (vec!["B"], 0, 1, 0.0)]
    );
}

#[test]
fn tab_and_semicolon_delimiters() {
    for d in ["\t", ";", ","] {
        let input = format!(
            "path{d}total_conversions{d}total_null{d}total_conversion_value\nA > B{d}1{d}2{d}3.5\nB{d}0{d}1{d}0\n"
        );
        let reader = ReaderBuilder::new(Shape::Paths)
            .from_reader(input.as_bytes())
            .unwrap();
        assert_eq!(reader.delimiter(), d.as_bytes()[0]);
        expect_ab(&reader.read_all().unwrap().0);
        let given = ReaderBuilder::new(Shape::Paths)
            .delimiter(Some(d.as_bytes()[0]))
            .from_reader(input.as_bytes())
            .unwrap();
        expect_ab(&given.read_all().unwrap().0);
    }
    // A comma inside a quoted header field does not fool detection.
    let input = "\"path\";total_conversions;\"total_null\"\n\"A, > B\";1;0\n";
    let (set, _) = read(input).unwrap();
    assert_eq!(names(&set), ["A,", "B"]);
}

#[test]
fn custom_separators() {
    for sep in ["->", " | ", "||", "→", ","] {
        let input = format!(
            "path;total_conversions;total_null;total_conversion_value\nA{sep}B;1;2;3.5\n{sep}B{sep};0;1;0\n"
        );
        let (set, _) = ReaderBuilder::new(Shape::Paths)
            .separator(sep)
            .from_reader(input.as_bytes())
            .unwrap()
            .read_all()
            .unwrap();
        expect_ab(&set);
    }
    // With "->" a lone ">" is part of a name.
    let (set, _) = ReaderBuilder::new(Shape::Paths)
        .separator("->")
        .from_reader("path,total_conversions,total_null\nA>B -> C,1,0\n".as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(names(&set), ["A>B", "C"]);
}

#[test]
fn renamed_columns_in_another_order() {
    let input = "Value,Nulls,Route,Conv\n3.5,2,A > B,1\n0,1,B,0\n";
    let (set, _) = ReaderBuilder::new(Shape::Paths)
        .column(Column::Path, "Route")
        .column(Column::Conversions, " Conv ")
        .column(Column::Nulls, "Nulls")
        .column(Column::Value, "Value")
        .from_reader(input.as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    expect_ab(&set);
    let (set, _) =
        read("total_null,total_conversion_value,path,total_conversions\n2,3.5,A > B,1\n1,0,B,0\n")
            .unwrap();
    expect_ab(&set);
    // The default name no longer matches once renamed.
    let err = ReaderBuilder::new(Shape::Paths)
        .column(Column::Path, "route")
        .from_reader(HEADER.as_bytes())
        .unwrap_err();
    assert_eq!(err.kind(), &ReadErrorKind::UnknownColumn("path".into()));
}

#[test]
fn quoted_fields_crlf_bom_and_whitespace() {
    let input = "\u{feff} path , total_conversions ,total_null,total_conversion_value\r\n\
                 \"A > B\",\" 1 \", 2 ,\"3.5\"\r\n\
                 \"  B  \",0,1,0\r\n";
    let (set, report) = read(input).unwrap();
    expect_ab(&set);
    assert_eq!(report.rows(), 2);
    // Quotes inside quoted fields, and a delimiter inside a path.
    let (set, _) =
        read("path,total_conversions,total_null\n\"Ad \"\"Spring\"\", 2024 > B\",1,0\n").unwrap();
    assert_eq!(names(&set), ["Ad \"Spring\", 2024", "B"]);
}

#[test]
fn unicode_channel_names() {
    let input = "path,total_conversions,total_null\n\
                 ایمیل > 広告 🚀 > \u{3000}LinkedIn\u{a0},1,0\n\
                 広告 🚀 > ایمیل > 👍,0,1\n";
    let (set, _) = read(input).unwrap();
    assert_eq!(names(&set), ["ایمیل", "広告 🚀", "LinkedIn", "👍"]);
    assert_eq!(
        summary(&set),
        vec![
            (vec!["ایمیل", "広告 🚀", "LinkedIn"], 1, 0, 0.0),
            (vec!["広告 🚀", "ایمیل", "👍"], 0, 1, 0.0),
        ]
    );
}

#[test]
fn starting_channel_table_keeps_its_ids() {
    let mut table = Channels::new();
    let email = table.intern("Email").unwrap();
    let input = format!("{HEADER}PPC > Email,1,0,1\n");
    let mut reader = ReaderBuilder::new(Shape::Paths)
        .channels(table)
        .from_reader(input.as_bytes())
        .unwrap();
    let journey = reader.next().unwrap().unwrap();
    assert_eq!(
        journey
            .channels()
            .map(attribution::ChannelId::get)
            .collect::<Vec<_>>(),
        [1, email.get()]
    );
    assert_eq!(reader.report().journeys(), 1);
    let channels = reader.into_channels();
    assert_eq!(
        channels.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        ["Email", "PPC"]
    );
}

#[test]
fn streaming_yields_rows_in_order_and_tracks_progress() {
    let input = format!("{HEADER}A,1,0,1\nB > A,0,1,0\n");
    let mut reader = ReaderBuilder::new(Shape::Paths)
        .from_reader(input.as_bytes())
        .unwrap();
    assert_eq!(
        reader.headers(),
        [
            "path",
            "total_conversions",
            "total_null",
            "total_conversion_value"
        ]
    );
    assert_eq!(reader.channels().len(), 0);
    reader.next().unwrap().unwrap();
    assert_eq!((reader.line(), reader.channels().len()), (2, 1));
    reader.next().unwrap().unwrap();
    assert_eq!((reader.line(), reader.channels().len()), (3, 2));
    assert!(reader.next().is_none());
    assert_eq!(reader.bytes_read(), input.len() as u64);
}
