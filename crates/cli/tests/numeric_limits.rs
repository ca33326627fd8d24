//! Numeric limits: counts above 2^53 and values above `f64::MAX` fail with
//! the row named (never NaN, 0 or a saturated count).

mod common;

use common::run;

/// Runs on `stdin` and returns (exit code, stdout, stderr).
fn run_on(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = run(args, stdin.as_bytes());
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const HEADER: &str = "path,total_conversions,total_conversion_value,total_null\n";

#[test]
fn value_sums_beyond_f64_max_fail_naming_the_row() {
    let input = format!("{HEADER}A > B,1,1e308,0\nB,1,1e308,1\n");
    for model in ["markov", "linear", "first-touch"] {
        for threads in ["1", "2"] {
            let (code, stdout, stderr) = run_on(
                &["attribute", "--model", model, "--threads", threads, "-"],
                &input,
            );
            assert_eq!(code, 2, "{model}: {stderr}");
            assert_eq!(stdout, "");
            assert_eq!(
                stderr,
                "error: -: line 3: numeric overflow at journey #1: the total conversion value \
                 exceeds the largest finite number (1.7976931348623157e308)\n",
                "{model} --threads {threads}"
            );
        }
    }
}

#[test]
fn count_sums_beyond_2_pow_53_fail_naming_the_row() {
    let input = format!("{HEADER}A > B,4503599627370496,1,0\nB,4503599627370497,1,0\n");
    let cases = [
        (
            "markov",
            "the Markov transition counts sum to more than 2^53 = 9007199254740992",
        ),
        (
            "last-touch",
            "the total of conversions exceeds 2^53 = 9007199254740992",
        ),
    ];
    for (model, what) in cases {
        let (code, stdout, stderr) = run_on(
            &["attribute", "--model", model, "--threads", "1", "-"],
            &input,
        );
        assert_eq!(code, 2, "{model}: {stderr}");
        assert_eq!(stdout, "");
        assert_eq!(
            stderr,
            format!(
                "error: -: line 3: numeric overflow at journey #1: {what}, above which counts \
                 are not exactly representable\n"
            )
        );
    }
}

#[test]
fn counts_above_2_pow_53_are_rejected_when_read() {
    let input = format!("{HEADER}A > B,18446744073709551615,1,0\nB,18446744073709551615,1,0\n");
    for command in [
        &["attribute", "--model", "markov", "-"][..],
        &["attribute", "--model", "linear", "-"][..],
        &["transitions", "-"][..],
    ] {
        let (code, stdout, stderr) = run_on(command, &input);
        assert_eq!(code, 2, "{command:?}: {stderr}");
        assert_eq!(stdout, "");
        assert_eq!(
            stderr,
            "error: -: line 2, column `total_conversions`: count above 2^53 = 9007199254740992 \
             (not exactly representable): \"18446744073709551615\"\n"
        );
    }
}

#[test]
fn a_step_cap_of_u64_max_gives_the_uncapped_credits() {
    let paths = common::fixture("tiny/paths.csv");
    let args = ["attribute", "--model", "markov", "--format", "csv", &paths];
    let uncapped = common::parse_output(&common::run_ok(&args));
    let capped_args = [&args[..], &["--max-steps", "18446744073709551615"]].concat();
    let out = run(&capped_args, b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
    let capped = common::parse_output(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(capped.len(), 4);
    for ((model, channel), expected) in &uncapped {
        common::assert_credit(&capped, model, channel, *expected, "u64::MAX steps");
    }
}

#[test]
fn a_step_cap_removing_most_conversions_is_warned_about() {
    // P(conversion) = 0.8; within one step only journeys starting at B
    // convert (0.16): the cap removes 80% of it.
    let input = format!("{HEADER}A > B,3,3,1\nB,1,1,0\n");
    let args = ["attribute", "--model", "markov", "--format", "csv", "-"];
    let (code, stdout, stderr) = run_on(&[&args[..], &["--max-steps", "1"]].concat(), &input);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "model,channel,conversions,value,removal_effect,removal_effect_error\n\
         markov:max_steps=1,A,0,0,0,0\nmarkov:max_steps=1,B,4,4,1,0\n"
    );
    assert_eq!(
        stderr,
        "warning: --max-steps 1 removes 80.0% of the Markov conversion probability; \
         the credits describe only conversions within 1 step\n"
    );
    // Two steps reach every conversion: no warning.
    let (code, _, stderr) = run_on(&[&args[..], &["--max-steps", "2"]].concat(), &input);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn a_journey_of_100_000_touches_solves() {
    // a > b > c > d repeated: every removal effect is 1, credit is equal.
    let path: Vec<&str> = ["a", "b", "c", "d"]
        .iter()
        .copied()
        .cycle()
        .take(100_000)
        .collect();
    let input = format!("{HEADER}{},1,5,0\n", path.join(" > "));
    for order in ["1", "2", "3"] {
        let (code, stdout, stderr) = run_on(
            &[
                "attribute",
                "--model",
                "markov",
                "--order",
                order,
                "--format",
                "csv",
                "-",
            ],
            &input,
        );
        assert_eq!(code, 0, "order {order}: {stderr}");
        assert_eq!(stderr, "");
        let credits = common::parse_output(&stdout);
        assert_eq!(credits.len(), 4);
        for channel in ["a", "b", "c", "d"] {
            common::assert_credit(&credits, "markov", channel, (0.25, 1.25, Some(1.0)), order);
        }
    }
}
