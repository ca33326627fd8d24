//! Unterminated quotes and line ends (issue 9, items 6 and 10): a quoted
//! field must close on its line; strict mode stops at the record, lenient
//! mode skips it, counts it with its line and resumes at the next line, in
//! the streaming and the parallel reader alike; `\n`, `\r\n` and a bare `\r`
//! all end a line.

use attribution::io::{ReaderBuilder, Shape};
use attribution::{ReadErrorKind, ReadReport};

const HEADER: &str = "path,total_conversions,total_null";

/// A paths file: the header, `before` good rows, `bad`, then `after` good rows.
fn file(nl: &str, before: usize, bad: &str, after: usize) -> String {
    let mut s = format!("{HEADER}{nl}");
    for i in 0..before {
        s.push_str(&format!("A > ch{},1,0{nl}", i % 5));
    }
    s.push_str(bad);
    s.push_str(nl);
    for i in 0..after {
        s.push_str(&format!("B > ch{},0,1{nl}", i % 5));
    }
    s
}

fn strict_error(csv: &str) -> String {
    ReaderBuilder::new(Shape::Paths)
        .from_reader(csv.as_bytes())
        .unwrap()
        .read_all()
        .unwrap_err()
        .to_string()
}

/// Journeys and report of the lenient streaming reader, checked against
/// the lenient parallel reader on small blocks.
fn lenient(csv: &str) -> (u64, ReadReport) {
    let (set, report) = ReaderBuilder::new(Shape::Paths)
        .lenient(true)
        .from_reader(csv.as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    for block in [16, 1000] {
        let folded = ReaderBuilder::new(Shape::Paths)
            .lenient(true)
            .threads(3)
            .block_size(block)
            .parallel_from_reader(csv.as_bytes())
            .unwrap()
            .fold(
                || 0u64,
                |n, _, _| {
                    *n += 1;
                    Ok::<(), String>(())
                },
                |a, b| *a += b,
            )
            .unwrap();
        assert_eq!(folded.report, report);
        assert_eq!(folded.state, set.len() as u64);
    }
    (set.len() as u64, report)
}

#[test]
fn an_unclosed_quote_no_longer_swallows_the_rest_of_the_file() {
    // The issue's case: one stray quote in row 100 of 10 000.
    let csv = file("\n", 99, "\"A > B,1,0", 9_900);
    assert_eq!(
        strict_error(&csv),
        "line 101, column `path`: unterminated quoted field (a quote must close on the \
         line where it opens): \"\\\"A > B,1,0\""
    );
    let (journeys, report) = lenient(&csv);
    assert_eq!(journeys, 9_999);
    assert_eq!(
        (report.rows(), report.journeys(), report.rejected()),
        (10_000, 9_999, 1)
    );
    assert_eq!(report.rejected_for("unterminated_quote"), 1);
    assert_eq!(report.rejected_lines(), [101]);
    assert_eq!(
        report.to_string(),
        "10000 rows read, 9999 journeys, 1 rejected (unterminated_quote: 1) on line 101"
    );
}

#[test]
fn the_error_names_the_line_and_column_where_the_quote_opened() {
    for nl in ["\n", "\r\n", "\r"] {
        let csv = file(nl, 2, "A > B,\"1,0", 3);
        assert_eq!(
            strict_error(&csv),
            "line 4, column `total_conversions`: unterminated quoted field (a quote must \
             close on the line where it opens): \"\\\"1,0\"",
            "{nl:?}"
        );
        let (journeys, report) = lenient(&csv);
        assert_eq!(journeys, 5, "{nl:?}");
        assert_eq!(report.rejected_lines(), [4], "{nl:?}");
        let example = &report.examples()[0];
        assert_eq!(example.kind(), &ReadErrorKind::UnterminatedQuote);
        assert_eq!(
            (example.line(), example.column(), example.text()),
            (Some(4), Some("total_conversions"), Some("\"1,0"))
        );
    }
}

#[test]
fn an_unterminated_quote_in_the_last_field_is_an_error() {
    for ending in ["", "\n"] {
        let csv = format!("{HEADER}\nA,1,0\nB,1,\"0{ending}");
        assert_eq!(
            strict_error(&csv),
            "line 3, column `total_null`: unterminated quoted field (a quote must close on \
             the line where it opens): \"\\\"0\"",
            "{ending:?}"
        );
        let (journeys, report) = lenient(&csv);
        assert_eq!((journeys, report.rejected_lines()), (1, &[3][..]));
    }
    // Closed quotes, escaped quotes and a missing final line end are fine.
    let csv = format!("{HEADER}\n\"A, \"\"x\"\"\",\"1\",0\nB,1,\"0\"");
    let (journeys, report) = lenient(&csv);
    assert_eq!((journeys, report.rejected()), (2, 0));
}

#[test]
fn an_unterminated_quote_in_the_header_is_an_error() {
    let err = ReaderBuilder::new(Shape::Paths)
        .lenient(true)
        .from_reader("path,\"total_conversions,total_null\nA,1,0\n".as_bytes())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1, column `#2`: unterminated quoted field (a quote must close on the line where \
         it opens): \"\\\"total_conversions,total_null\""
    );
}

#[test]
fn several_bad_quotes_are_each_counted_with_their_line() {
    let mut csv = format!("{HEADER}\r");
    for i in 0..30 {
        if i % 3 == 0 {
            csv.push_str("\"A,1,0\r");
        } else {
            csv.push_str("A,1,0\r");
        }
    }
    let (journeys, report) = lenient(&csv);
    assert_eq!((journeys, report.rejected()), (20, 10));
    assert_eq!(
        report.rejected_lines(),
        [2, 5, 8, 11, 14, 17, 20, 23, 26, 29]
    );
}

#[test]
fn bare_cr_files_report_the_right_line() {
    let csv = format!("{HEADER}\rA,1,0\r\rB,1.5,0\r");
    assert_eq!(
        strict_error(&csv),
        "line 4, column `total_conversions`: fractional count: \"1.5\""
    );
    // Mixed line ends count as one line each; `\r\n` is one line end.
    let csv = format!("{HEADER}\r\nA,1,0\rB,1,0\nC,1,0\r\nD,x,0\n");
    assert_eq!(
        strict_error(&csv),
        "line 5, column `total_conversions`: invalid count: \"x\""
    );
    let folded = ReaderBuilder::new(Shape::Paths)
        .threads(2)
        .block_size(5)
        .parallel_from_reader(csv.as_bytes())
        .unwrap()
        .fold(|| (), |(), _, _| Ok::<(), String>(()), |(), ()| ())
        .unwrap_err();
    assert_eq!(
        folded.to_string(),
        "line 5, column `total_conversions`: invalid count: \"x\""
    );
}
