//! Unclosed quotes and line ends on the command line (issue 9, items 6 and
//! 10): strict mode exits 2 naming the line and column where the quote
//! opened; `--lenient` skips that record only and lists its line; bare-CR
//! files report the right line; sequential and parallel reads agree.

mod common;

use common::run;

fn paths_with_a_stray_quote(nl: &str) -> String {
    let mut s = format!("path,total_conversions,total_null{nl}");
    for i in 0..50 {
        if i == 9 {
            s.push_str(&format!("\"A > B,1,0{nl}"));
        } else {
            s.push_str(&format!("A > B,1,0{nl}"));
        }
    }
    s
}

#[test]
fn an_unclosed_quote_is_an_error_at_its_line() {
    for nl in ["\n", "\r\n", "\r"] {
        for threads in ["1", "2"] {
            let out = run(
                &["attribute", "-", "--model", "linear", "--threads", threads],
                paths_with_a_stray_quote(nl).as_bytes(),
            );
            assert_eq!(out.status.code(), Some(2));
            assert_eq!(
                String::from_utf8(out.stderr).unwrap(),
                "error: -: line 11, column `path`: unterminated quoted field (a quote must close \
                 on the line where it opens): \"\\\"A > B,1,0\"\n",
                "{nl:?} --threads {threads}"
            );
        }
    }
}

#[test]
fn lenient_mode_skips_only_the_record_with_the_unclosed_quote() {
    for nl in ["\n", "\r\n", "\r"] {
        for threads in ["1", "2"] {
            let out = run(
                &[
                    "attribute",
                    "-",
                    "--lenient",
                    "--model",
                    "first-touch",
                    "--format",
                    "csv",
                    "--threads",
                    threads,
                ],
                paths_with_a_stray_quote(nl).as_bytes(),
            );
            assert_eq!(out.status.code(), Some(0));
            assert_eq!(
                String::from_utf8(out.stderr).unwrap(),
                "50 rows read, 49 journeys, 1 rejected (unterminated_quote: 1) on line 11\n",
                "{nl:?} --threads {threads}"
            );
            let credits = common::parse_output(&String::from_utf8(out.stdout).unwrap());
            let total: f64 = credits.values().map(|c| c.0).sum();
            assert_eq!(total, 49.0, "{nl:?} --threads {threads}");
        }
    }
}

#[test]
fn bare_cr_files_report_the_right_line() {
    let out = run(
        &["attribute", "-"],
        b"path,total_conversions,total_null\rA,1,0\rB,1,0\rC,-1,0\r",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: -: line 4, column `total_conversions`: negative count: \"-1\"\n"
    );
    let out = run(
        &["journeys", "-", "--shape", "events"],
        b"user_id,timestamp,channel,conversion\ru,1,A,0\ru,2,\"B,1\r",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: -: line 3, column `channel`: unterminated quoted field (a quote must close on \
         the line where it opens): \"\\\"B,1\"\n"
    );
}
