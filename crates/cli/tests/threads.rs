//! `--threads`: a parallel read gives the results of a sequential one.

mod common;

use common::{fixture, parse_output, run, run_ok};

fn assert_same_credits(a: &str, b: &str) {
    let (a, b) = (parse_output(a), parse_output(b));
    assert_eq!(a.len(), b.len());
    assert!(!a.is_empty());
    for (k, x) in &a {
        let y = &b[k];
        let near = |p: f64, q: f64| (p - q).abs() <= 1e-12 * p.abs().max(1.0);
        assert!(near(x.0, y.0) && near(x.1, y.1), "{k:?}: {x:?} vs {y:?}");
        match (x.2, y.2) {
            (Some(p), Some(q)) => assert!(near(p, q), "{k:?}"),
            (p, q) => assert_eq!(p, q),
        }
    }
}

#[test]
fn one_and_two_threads_agree_on_the_synthetic_fixture() {
    let f = fixture("synthetic/paths_100000_12.csv");
    for models in ["first-touch,last-touch,linear,position-based", "markov"] {
        let one = run_ok(&[
            "attribute",
            &f,
            "--model",
            models,
            "--format",
            "csv",
            "--threads",
            "1",
        ]);
        let two = run_ok(&[
            "attribute",
            &f,
            "--model",
            models,
            "--format",
            "csv",
            "--threads",
            "2",
        ]);
        // Same channel rows in the same order (channel table order).
        let names = |s: &str| {
            s.lines()
                .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&one), names(&two));
        assert_same_credits(&one, &two);
    }
    let one = run_ok(&["transitions", &f, "--format", "csv", "--threads", "1"]);
    let two = run_ok(&["transitions", &f, "--format", "csv", "--threads", "2"]);
    assert_eq!(one, two);
}

#[test]
fn stdin_and_first_error_line_with_threads() {
    let mut csv = String::from("path,total_conversions,total_null\r\n");
    for i in 0..2000 {
        csv.push_str(&format!("A > ch{},1,0\r\n", i % 9));
    }
    csv.push_str("B,x,0\r\nC,-1,0\r\n");
    for threads in ["1", "2"] {
        let out = run(
            &[
                "attribute",
                "-",
                "--model",
                "linear",
                "--format",
                "csv",
                "--threads",
                threads,
            ],
            csv.as_bytes(),
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("line 2002, column `total_conversions`"),
            "{err}"
        );
    }
    let good = &csv[..csv.find("B,x").unwrap()];
    let one = run(
        &[
            "attribute",
            "-",
            "--model",
            "markov",
            "--format",
            "csv",
            "--threads",
            "1",
        ],
        good.as_bytes(),
    );
    let two = run(
        &[
            "attribute",
            "-",
            "--model",
            "markov",
            "--format",
            "csv",
            "--threads",
            "2",
        ],
        good.as_bytes(),
    );
    assert!(one.status.success() && two.status.success());
    assert_same_credits(
        &String::from_utf8(one.stdout).unwrap(),
        &String::from_utf8(two.stdout).unwrap(),
    );
}

#[test]
fn absurd_thread_counts_are_capped_at_the_cores() {
    let f = fixture("synthetic/paths_100000_12.csv");
    let with = |threads: &str| {
        run_ok(&[
            "attribute",
            &f,
            "--model",
            "linear,markov",
            "--format",
            "csv",
            "--threads",
            threads,
        ])
    };
    let one = with("1");
    // 400 threads used to panic (spawn failed), 10 000 to abort (8 MiB of
    // buffer each); both now run on at most every core.
    for threads in ["400", "10000", "0"] {
        assert_same_credits(&one, &with(threads));
    }
    let out = run(&["transitions", &f, "--threads", "10000"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        run_ok(&["transitions", &f, "--threads", "1"])
    );
    let help = run_ok(&["attribute", "--help"]);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains(
            "0 (the default) uses every core, more than the cores are capped to the cores"
        ),
        "{help}"
    );
}
