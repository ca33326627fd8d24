//! The exit-code contract of `attribution --help`: 0 ok, 2 bad input or
//! usage (an input that cannot be opened or read included), 3 internal or
//! numerical failure or unwritable output.

mod common;

use common::{FIXTURES, fixture, run};

fn code_and_stderr(args: &[&str]) -> (Option<i32>, String) {
    let out = run(args, b"");
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_missing_file_or_a_directory_is_bad_input_naming_the_path() {
    let missing = format!("{FIXTURES}/no-such-file.csv");
    for command in [
        "attribute",
        "compare",
        "transitions",
        "choose-order",
        "journeys",
    ] {
        for threads in [None, Some("1"), Some("2")] {
            if threads.is_some() && !matches!(command, "attribute" | "compare" | "transitions") {
                continue;
            }
            let mut args = vec![command];
            if let Some(t) = threads {
                args.extend(["--threads", t]);
            }
            let on = |input: &str, expected: String| {
                let mut args = args.clone();
                args.push(input);
                assert_eq!(code_and_stderr(&args), (Some(2), expected), "{args:?}");
            };
            on(
                &missing,
                format!("error: {missing}: cannot open: No such file or directory (os error 2)\n"),
            );
            on(
                FIXTURES,
                format!("error: {FIXTURES}: is a directory; expected a CSV file\n"),
            );
        }
    }
    let events = ["attribute", FIXTURES, "--shape", "events", "--sorted"];
    assert_eq!(
        code_and_stderr(&events),
        (
            Some(2),
            format!("error: {FIXTURES}: is a directory; expected a CSV file\n")
        )
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let out = run(&["--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for line in [
        "Exit codes:",
        "  0  success; also when the reader of the output goes away (`attribution … | head`)",
        "  2  bad input data, an input that cannot be opened or read (missing file, directory),",
        "  3  internal or numerical failure (e.g. a solver that did not converge), or output that",
    ] {
        assert!(
            help.lines().any(|l| l == line),
            "missing {line:?} in {help}"
        );
    }
    // Usage errors are clap's: exit 2 as well.
    let (code, _) = code_and_stderr(&["attribute", &fixture("tiny/paths.csv"), "--frobnicate"]);
    assert_eq!(code, Some(2));
}
