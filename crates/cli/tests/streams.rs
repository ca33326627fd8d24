//! The standard streams: a full or closed stderr changes nothing, a reader
//! that goes away ends the run quietly, a closed or full stdout is an error
//! (exit 3), and progress is drawn on a terminal only.
#![cfg(target_os = "linux")]
// Descriptors and pseudo-terminals through libc.
#![allow(unsafe_code)]

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};

use common::{fixture, run_ok};

fn attribution() -> Command {
    Command::new(env!("CARGO_BIN_EXE_attribution"))
}

fn dev_full() -> File {
    File::options().write(true).open("/dev/full").unwrap()
}

/// Closes descriptor `fd` in the child before it starts.
fn closing(cmd: &mut Command, fd: i32) -> &mut Command {
    // SAFETY: close is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            libc::close(fd);
            Ok(())
        })
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn a_full_or_closed_stderr_changes_nothing() {
    let events = fixture("tiny/events.csv");
    // The build report goes to stderr on every events run.
    let args = ["attribute", &events, "--shape", "events", "--format", "csv"];
    let expected = run_ok(&args);
    let full = attribution()
        .args(args)
        .stdin(Stdio::null())
        .stderr(dev_full())
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(0));
    assert_eq!(text(full.stdout), expected);
    let closed = closing(attribution().args(args).stdin(Stdio::null()), 2)
        .output()
        .unwrap();
    assert_eq!(closed.status.code(), Some(0));
    assert_eq!(text(closed.stdout), expected);

    // The lenient report, and an error's message, into a full stderr.
    let mut child = attribution()
        .args(["attribute", "-", "--lenient", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(dev_full())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        b"path,total_conversions,total_null\nA,1,0\nB,x,0\n",
    )
    .unwrap();
    let lenient = child.wait_with_output().unwrap();
    assert_eq!(lenient.status.code(), Some(0));
    assert!(text(lenient.stdout).starts_with("model,channel,"));
    let missing = attribution()
        .args(["attribute", "/no/such/file.csv"])
        .stderr(dev_full())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// Spawns with stdout on a pipe whose reader is already gone.
fn with_widowed_stdout(args: &[&str]) -> Output {
    let mut fds = [0; 2];
    // SAFETY: pipe fills two descriptors we then own.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors are open and owned by nobody else.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read_end);
    attribution()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    let tiny = fixture("tiny/paths.csv");
    let events = fixture("tiny/events.csv");
    let cases: [&[&str]; 7] = [
        &["attribute", &tiny, "--format", "table"],
        &["attribute", &tiny, "--format", "csv"],
        &["attribute", &tiny, "--format", "json"],
        &["transitions", &tiny, "--format", "dot"],
        &["transitions", &tiny, "--format", "json"],
        &["journeys", &tiny],
        &["choose-order", &tiny, "--max-order", "2", "--format", "csv"],
    ];
    for args in cases {
        let out = with_widowed_stdout(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        // No error text; only the notes written before the output (e.g. that
        // `--model all` left out time-decay on input without timestamps).
        let stderr = text(out.stderr);
        assert!(
            stderr.lines().all(|l| l.starts_with("note: ")),
            "{args:?}: {stderr}"
        );
    }
    // Diagnostics written before the output are kept.
    let out = with_widowed_stdout(&["journeys", &events, "--shape", "events"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(out.stderr).starts_with("read 22 events"));

    // `attribution journeys big.csv | head -1`: the reader leaves mid-output.
    let big = fixture("synthetic/paths_100000_12.csv");
    let mut child = attribution()
        .args(["journeys", &big])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(first, "journey_id,path,converted,non_converted,value\n");
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(out.stderr), "");
}

#[test]
fn a_closed_or_full_stdout_is_an_error() {
    let tiny = fixture("tiny/paths.csv");
    let out = closing(attribution().args(["attribute", &tiny]), 1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(out.stderr),
        "error: standard output is closed: nothing can be written (use --output FILE)\n"
    );
    // With --output, a closed stdout does not matter.
    let dir = std::env::temp_dir().join(format!("attribution-streams-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credit.csv");
    let file_arg = file.to_str().unwrap();
    let out = closing(
        attribution().args(["attribute", &tiny, "--format", "csv", "--output", file_arg]),
        1,
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(out.stderr));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        run_ok(&["attribute", &tiny, "--format", "csv"])
    );
    std::fs::remove_dir_all(&dir).unwrap();

    for args in [
        vec!["attribute", &tiny],
        vec!["journeys", &tiny],
        vec!["transitions", &tiny],
        vec!["choose-order", &tiny],
    ] {
        let out = attribution()
            .args(&args)
            .stdout(dev_full())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert_eq!(
            text(out.stderr),
            "error: cannot write output: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

/// Runs with stderr on a pseudo-terminal; returns what the terminal got.
fn with_terminal_stderr(args: &[&str]) -> (Output, String) {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills two descriptors we then own.
    let opened = unsafe {
        libc::openpty(
            &raw mut master,
            &raw mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0);
    // SAFETY: both descriptors are open and owned by nobody else.
    let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = attribution();
    cmd.args(args)
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave));
    let child = cmd.spawn().unwrap();
    drop(cmd); // our copy of the terminal's slave side
    let mut terminal = Vec::new();
    // Reading fails (EIO) once the child, the last holder of the slave, exits.
    let _ = BufReader::new(master).read_to_end(&mut terminal);
    let out = child.wait_with_output().unwrap();
    (out, String::from_utf8_lossy(&terminal).into_owned())
}

#[test]
fn progress_on_a_terminal_only() {
    let tiny = fixture("tiny/paths.csv");
    let args = ["choose-order", &tiny, "--max-order", "2", "--format", "csv"];
    let (out, terminal) = with_terminal_stderr(&args);
    assert_eq!(out.status.code(), Some(0));
    assert!(terminal.contains("choose-order: order 1/2"), "{terminal:?}");
    // Cleared at the end: the last thing on the terminal erases the line.
    assert!(terminal.ends_with("\r\u{1b}[2K"), "{terminal:?}");
    let expected = run_ok(&args);
    assert_eq!(text(out.stdout), expected);

    let (out, terminal) = with_terminal_stderr(&["attribute", &tiny, "--model", "markov"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(terminal.contains("computing credits"), "{terminal:?}");

    // Not a terminal: stderr holds nothing but the reports.
    let plain = attribution().args(args).output().unwrap();
    assert_eq!(plain.status.code(), Some(0));
    assert_eq!(text(plain.stderr), "");
}
