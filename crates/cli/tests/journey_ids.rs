//! `attribution journeys` on users whose generated ids used to collide
//! (issue 9, item 12): the user `u` with two journeys and the user `u#1`
//! give distinguishable rows (user id unchanged, index in its own column),
//! and the written journeys read back to the same credits.

mod common;

use common::{parse_output, run};

const LOG: &str = "user_id,timestamp,channel,conversion,value\n\
                   u,2024-03-01T09:00:00Z,PPC,0,0\n\
                   u,2024-03-01T10:00:00Z,,1,100\n\
                   u,2024-03-02T09:00:00Z,Email,0,0\n\
                   u,2024-03-02T10:00:00Z,,1,50\n\
                   u#1,2024-03-01T09:30:00Z,LinkedIn,0,0\n\
                   u#1,2024-03-01T11:00:00Z,,1,70\n";

fn stdout_of(args: &[&str], stdin: &[u8]) -> String {
    let out = run(args, stdin);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn split_journeys_get_a_journey_index_column_and_read_back() {
    let journeys = stdout_of(&["journeys", "-", "--shape", "events"], LOG.as_bytes());
    assert_eq!(
        journeys,
        "journey_id,journey_index,path,converted,value,touch_times,conversion_time\n\
         u,1,PPC,1,100,2024-03-01T09:00:00Z,2024-03-01T10:00:00Z\n\
         u,2,Email,1,50,2024-03-02T09:00:00Z,2024-03-02T10:00:00Z\n\
         u#1,,LinkedIn,1,70,2024-03-01T09:30:00Z,2024-03-01T11:00:00Z\n"
    );
    let csv = ["--format", "csv"];
    let from_events = parse_output(&stdout_of(
        &["attribute", "-", "--shape", "events", csv[0], csv[1]],
        LOG.as_bytes(),
    ));
    let from_journeys = parse_output(&stdout_of(
        &["attribute", "-", "--shape", "journeys", csv[0], csv[1]],
        journeys.as_bytes(),
    ));
    assert_eq!(from_events, from_journeys);
    let linear = |channel: &str| from_events[&("linear".to_owned(), channel.to_owned())];
    assert_eq!(
        (linear("PPC").0, linear("Email").0, linear("LinkedIn").0),
        (1.0, 1.0, 1.0)
    );
}

#[test]
fn per_journey_credit_names_the_journey_index() {
    let dir = std::env::temp_dir().join(format!("attribution-ids-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("per_journey.csv");
    stdout_of(
        &[
            "attribute",
            "-",
            "--shape",
            "events",
            "--model",
            "last-touch",
            "--format",
            "csv",
            "--per-journey",
            file.to_str().unwrap(),
        ],
        LOG.as_bytes(),
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "journey_id,journey_index,model,channel,conversions,value\n\
         u,1,last-touch,PPC,1,100\n\
         u,2,last-touch,Email,1,50\n\
         u#1,,last-touch,LinkedIn,1,70\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
