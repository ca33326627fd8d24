//! Ambiguous channel names on the command line (issue 9, item 11): reserved
//! names exit 2 naming line, column and text; look-alike spellings are
//! warned about once per group, with the line of the second spelling.

mod common;

use common::run;

fn stderr_of(args: &[&str], stdin: &str) -> (Option<i32>, String) {
    let out = run(args, stdin.as_bytes());
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_reserved_channel_name_is_an_error() {
    let (code, stderr) = stderr_of(
        &["attribute", "-"],
        "path,total_conversions,total_null\nA > (null),1,0\n",
    );
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "error: -: line 2, column `path`: channel name `(null)` is reserved (the transition \
         output uses `(start)`, `(conversion)` and `(null)`, and the `dda` output `(baseline)`): \
         \"(null)\"\n"
    );
}

#[test]
fn look_alike_names_are_warned_about_once_per_group() {
    let paths = "path,total_conversions,total_null\n\
                 Email > Caf\u{e9},1,0\n\
                 Email,0,1\n\
                 E\u{200b}mail > Cafe\u{301},1,0\n\
                 \u{feff}Email,1,0\n\
                 E\u{200b}mail,1,0\n";
    let expected = "warning: channels \"Email\", \"E\\u{200b}mail\" and \"\\u{feff}Email\" differ \
                    only by Unicode normalisation or invisible characters and are counted as \
                    different channels; \"E\\u{200b}mail\" first appears on line 4\n\
                    warning: channels \"Caf\u{e9}\" and \"Cafe\\u{301}\" differ only by Unicode \
                    normalisation or invisible characters and are counted as different \
                    channels; \"Cafe\\u{301}\" first appears on line 4\n";
    for threads in ["1", "2"] {
        let (code, stderr) = stderr_of(
            &["attribute", "-", "--model", "linear", "--threads", threads],
            paths,
        );
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(stderr, expected, "--threads {threads}");
    }
    // The same for an event log (the `journeys` command).
    let events = "user_id,timestamp,channel,conversion\n\
                  u,1,Caf\u{e9},1\n\
                  v,2,Cafe\u{301},1\n";
    let (code, stderr) = stderr_of(&["journeys", "-", "--shape", "events"], events);
    assert_eq!(code, Some(0), "{stderr}");
    // After the build report.
    assert!(
        stderr.ends_with(
            "\nwarning: channels \"Caf\u{e9}\" and \"Cafe\\u{301}\" differ only by Unicode \
             normalisation or invisible characters and are counted as different channels; \
             \"Cafe\\u{301}\" first appears on line 3\n"
        ),
        "{stderr}"
    );
    // Distinct names: no warning.
    let (code, stderr) = stderr_of(
        &["attribute", "-", "--model", "linear"],
        "path,total_conversions,total_null\nEmail > Caf\u{e9},1,0\n",
    );
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
}
