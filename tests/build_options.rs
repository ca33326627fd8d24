//! Hand-checkable tests of every builder option and edge case.

use attribution::assemble::{
    BuildError, BuildReport, JourneyBuilder, UnsortedKind, parse_duration,
};
use attribution::io::events::EventReaderBuilder;

/// A built journey: (id, journey index), path, touch times (Unix s),
/// conversions, non-conversions, value, conversion time.
type Row = (
    (String, Option<u32>),
    String,
    Vec<i64>,
    u64,
    u64,
    f64,
    Option<i64>,
);

const HEADER: &str = "user_id,timestamp,channel,conversion,value\n";

fn build_with(
    csv: &str,
    configure: impl FnOnce(&mut JourneyBuilder),
) -> Result<(Vec<Row>, BuildReport), BuildError> {
    let input = format!("{HEADER}{csv}");
    let reader = EventReaderBuilder::new().from_reader(input.as_bytes())?;
    let mut builder = JourneyBuilder::new();
    configure(&mut builder);
    let (set, report) = builder.build(reader)?;
    let rows = set
        .iter()
        .map(|j| {
            (
                (j.id().unwrap().to_owned(), j.journey_index()),
                j.channels()
                    .map(|c| set.channels().name(c).unwrap())
                    .collect::<Vec<_>>()
                    .join(" > "),
                j.touches()
                    .iter()
                    .map(|t| t.time.unwrap().timestamp())
                    .collect(),
                j.conversions(),
                j.non_conversions(),
                j.value(),
                j.conversion_time().map(|t| t.timestamp()),
            )
        })
        .collect();
    Ok((rows, report))
}

fn build(csv: &str) -> (Vec<Row>, BuildReport) {
    build_with(csv, |_| {}).unwrap()
}

/// A user's only journey: no journey index.
fn row(id: &str, path: &str, times: &[i64], c: u64, n: u64, v: f64, at: Option<i64>) -> Row {
    (
        (id.to_owned(), None),
        path.to_owned(),
        times.to_vec(),
        c,
        n,
        v,
        at,
    )
}

/// Journey `k` (1-based) of a user with several.
fn nth(id: &str, k: u32, rest: (&str, &[i64], u64, u64, f64, Option<i64>)) -> Row {
    let (path, times, c, n, v, at) = rest;
    (
        (id.to_owned(), Some(k)),
        path.to_owned(),
        times.to_vec(),
        c,
        n,
        v,
        at,
    )
}

const DAY: i64 = 86_400;

#[test]
fn ties_keep_input_order_and_unsorted_input_is_sorted_by_time() {
    let (rows, report) = build(
        "u,300,C,0,0\n\
         u,100,B,0,0\n\
         v,50,X,0,0\n\
         u,100,A,0,0\n\
         u,400,,1,10\n",
    );
    assert_eq!(
        rows,
        [
            // B and A share t = 100: input order (B first) is kept.
            row("u", "B > A > C", &[100, 100, 300], 1, 0, 10.0, Some(400)),
            row("v", "X", &[50], 0, 1, 0.0, None),
        ]
    );
    assert_eq!(
        (report.users, report.journeys, report.converting_journeys),
        (2, 2, 1)
    );
}

#[test]
fn a_conversion_with_no_touch_is_unattributed() {
    let (rows, report) = build("lonely,100,,1,25.5\nother,100,PPC,0,0\n");
    assert_eq!(rows, [row("other", "PPC", &[100], 0, 1, 0.0, None)]);
    assert_eq!(report.unattributed_conversions, 1);
    assert_eq!(report.unattributed_value, 25.5);
    assert_eq!(report.total_value, 25.5);
    assert_eq!(report.conversions, 0);
    assert_eq!(report.users, 2);
}

#[test]
fn a_user_who_converts_twice_gets_two_numbered_journeys() {
    let csv =
        "u,10,PPC,0,0\nu,20,,1,100\nu,30,Email,0,0\nu,40,LinkedIn,0,0\nu,50,,1,50\nu,60,PPC,0,0\n";
    let (rows, report) = build(csv);
    assert_eq!(
        rows,
        [
            nth("u", 1, ("PPC", &[10], 1, 0, 100.0, Some(20))),
            nth(
                "u",
                2,
                ("Email > LinkedIn", &[30, 40], 1, 0, 50.0, Some(50))
            ),
            nth("u", 3, ("PPC", &[60], 0, 1, 0.0, None)),
        ]
    );
    assert_eq!(
        (
            report.journeys,
            report.converting_journeys,
            report.conversions
        ),
        (3, 2, 2)
    );

    // Without splitting: one journey with both conversions, the later conversion time.
    let (rows, _) = build_with(csv, |b| {
        b.split_on_conversion(false);
    })
    .unwrap();
    assert_eq!(
        rows,
        [row(
            "u",
            "PPC > Email > LinkedIn > PPC",
            &[10, 30, 40, 60],
            2,
            0,
            150.0,
            Some(50)
        )]
    );
}

#[test]
fn two_conversions_in_a_row_leave_the_second_unattributed() {
    let (rows, report) = build("u,10,PPC,0,0\nu,20,,1,100\nu,30,,1,7\n");
    assert_eq!(rows, [row("u", "PPC", &[10], 1, 0, 100.0, Some(20))]);
    assert_eq!(
        (report.unattributed_conversions, report.unattributed_value),
        (1, 7.0)
    );
}

#[test]
fn conversions_at_the_same_moment_join_one_journey() {
    let (rows, report) = build("u,10,PPC,0,0\nu,20,,1,100\nu,20,,1,5\nu,20,Email,1,1\n");
    assert_eq!(
        rows,
        [row("u", "PPC > Email", &[10, 20], 3, 0, 106.0, Some(20))]
    );
    assert_eq!(
        (report.conversions, report.unattributed_conversions),
        (3, 0)
    );
}

#[test]
fn a_converting_visit_is_the_last_touch() {
    let (rows, _) = build("u,10,PPC,0,0\nu,20,Email,true,30\n");
    assert_eq!(
        rows,
        [row("u", "PPC > Email", &[10, 20], 1, 0, 30.0, Some(20))]
    );
}

#[test]
fn lookback_drops_touches_older_than_the_window() {
    let csv = format!(
        "u,0,PPC,0,0\nu,{},Email,0,0\nu,{},LinkedIn,0,0\nu,{},,1,9\nv,0,PPC,0,0\nv,{},Email,0,0\n",
        20 * DAY,
        29 * DAY,
        30 * DAY + 1,
        365 * DAY
    );
    let (rows, report) = build_with(&csv, |b| {
        b.lookback(parse_duration("30d").unwrap());
    })
    .unwrap();
    assert_eq!(
        rows,
        [
            // PPC at 0 is 30 d + 1 s before the conversion: dropped.
            row(
                "u",
                "Email > LinkedIn",
                &[20 * DAY, 29 * DAY],
                1,
                0,
                9.0,
                Some(30 * DAY + 1)
            ),
            // Non-converting journeys have no anchor: untouched.
            row("v", "PPC > Email", &[0, 365 * DAY], 0, 1, 0.0, None),
        ]
    );
    assert_eq!(report.dropped.lookback, 1);
    // Exactly at the boundary stays.
    let (rows, _) = build_with("u,0,PPC,0,0\nu,60,,1,1\n", |b| {
        b.lookback(parse_duration("1m").unwrap());
    })
    .unwrap();
    assert_eq!(rows[0].1, "PPC");
    // A lookback that leaves nothing makes the conversion unattributed.
    let (rows, report) = build_with("u,0,PPC,0,0\nu,61,,1,4\n", |b| {
        b.lookback(parse_duration("1m").unwrap());
    })
    .unwrap();
    assert!(rows.is_empty());
    assert_eq!(
        (report.unattributed_conversions, report.unattributed_value),
        (1, 4.0)
    );
}

#[test]
fn inactivity_splits_and_open_journeys_end_unconverted() {
    let csv = "u,0,PPC,0,0\nu,1000,Email,0,0\nu,3000,Direct,0,0\nu,3100,,1,12\nu,9000,PPC,0,0\n";
    let (rows, report) = build_with(csv, |b| {
        b.session_timeout(parse_duration("30m").unwrap());
    })
    .unwrap();
    assert_eq!(
        rows,
        [
            nth("u", 1, ("PPC > Email", &[0, 1000], 0, 1, 0.0, None)),
            nth("u", 2, ("Direct", &[3000], 1, 0, 12.0, Some(3100))),
            nth("u", 3, ("PPC", &[9000], 0, 1, 0.0, None)),
        ]
    );
    assert_eq!(report.journeys, 3);
    // A gap of exactly the timeout does not split.
    let (rows, _) = build_with("u,0,PPC,0,0\nu,1800,Email,0,0\n", |b| {
        b.session_timeout(parse_duration("30m").unwrap());
    })
    .unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn timezone_offsets_are_normalised_to_utc() {
    let (rows, _) = build(
        "u,2024-03-01T10:00:00+01:00,PPC,0,0\n\
         u,2024-03-01T08:30:00Z,Email,0,0\n\
         u,2024-03-01T05:00:00-05:00,,1,3\n",
    );
    // 10:00+01:00 = 09:00Z, after 08:30Z; the conversion is at 10:00Z.
    let t = 1_709_283_600; // 2024-03-01T09:00:00Z
    assert_eq!(
        rows,
        [row(
            "u",
            "Email > PPC",
            &[t - 1800, t],
            1,
            0,
            3.0,
            Some(t + 3600)
        )]
    );
}

#[test]
fn unix_seconds_are_detected() {
    let (rows, _) = build("u,1709283600,PPC,0,0\nu,1709283660.5,,1,1\n");
    assert_eq!(rows[0].2, [1_709_283_600]);
}

#[test]
fn duplicate_events_are_dropped_on_request() {
    let csv = "u,10,PPC,0,0\nu,10,PPC,0,0\nu,10,Email,0,0\nu,10,PPC,0,0\nu,20,,1,5\nu,20,,1,5\n";
    let (rows, report) = build(csv);
    assert_eq!(
        rows,
        [row(
            "u",
            "PPC > PPC > Email > PPC",
            &[10, 10, 10, 10],
            2,
            0,
            10.0,
            Some(20)
        )]
    );
    assert_eq!(report.dropped.duplicate_rows, 0);
    let (rows, report) = build_with(csv, |b| {
        b.drop_duplicates(true);
    })
    .unwrap();
    assert_eq!(
        rows,
        [row("u", "PPC > Email", &[10, 10], 1, 0, 5.0, Some(20))]
    );
    let d = &report.dropped;
    assert_eq!(
        (
            d.duplicate_rows,
            d.duplicate_touches,
            d.duplicate_conversions
        ),
        (3, 2, 1)
    );
    assert_eq!((d.duplicate_value, report.total_value), (5.0, 5.0));
    // Conversions of different value at one instant are different purchases.
    let (rows, _) = build_with("u,10,PPC,0,0\nu,20,,1,5\nu,20,,1,6\n", |b| {
        b.drop_duplicates(true);
    })
    .unwrap();
    assert_eq!((rows[0].3, rows[0].5), (2, 11.0));
}

#[test]
fn excluded_channels_are_dropped_and_not_in_the_table() {
    let csv = "u,10,PPC,0,0\nu,20,Direct,0,0\nu,30,PPC,0,0\nu,40,Direct,1,8\nv,10, Unknown ,0,0\n";
    let input = format!("{HEADER}{csv}");
    let reader = EventReaderBuilder::new()
        .from_reader(input.as_bytes())
        .unwrap();
    let (set, report) = JourneyBuilder::new()
        .exclude_channels(["Direct", "Unknown"])
        .collapse_repeats(true)
        .build(reader)
        .unwrap();
    let names: Vec<_> = set.channels().iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["PPC"]);
    assert_eq!(set.len(), 1);
    let j = &set.journeys()[0];
    // PPC > Direct > PPC > Direct(converting): exclusion then collapse gives PPC.
    assert_eq!((j.len(), j.conversions(), j.value()), (1, 1, 8.0));
    assert_eq!(j.touches()[0].time.unwrap().timestamp(), 10);
    let d = &report.dropped;
    assert_eq!(
        (d.excluded_channel, d.collapsed_repeats, d.empty_journeys),
        (3, 1, 1)
    );
}

#[test]
fn excluded_channels_are_counted_per_name_including_absent_ones() {
    let (_, report) = build_with(
        "u,10,PPC,0,0\nu,20,Direct,0,0\nu,20,Direct,0,0\nu,40,Direct,1,8\n",
        |b| {
            b.exclude_channels([" Direct ", "Drect"])
                .drop_duplicates(true);
        },
    )
    .unwrap();
    let per: Vec<(&str, u64)> = report
        .dropped
        .excluded_per_channel
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    // Rows read (the duplicate included), so a misspelt name shows as 0.
    assert_eq!(per, [("Direct", 3), ("Drect", 0)]);
    assert_eq!(report.dropped.excluded_channel, 2);
}

#[test]
fn collapse_repeats_keeps_the_first_of_a_run() {
    let (rows, report) = build_with(
        "u,1,A,0,0\nu,2,A,0,0\nu,3,B,0,0\nu,4,A,0,0\nu,5,A,0,0\n",
        |b| {
            b.collapse_repeats(true);
        },
    )
    .unwrap();
    assert_eq!(rows, [row("u", "A > B > A", &[1, 3, 4], 0, 1, 0.0, None)]);
    assert_eq!(report.dropped.collapsed_repeats, 2);
}

#[test]
fn max_touches_keeps_the_last_n() {
    let (rows, report) = build_with("u,1,A,0,0\nu,2,B,0,0\nu,3,C,0,0\nu,4,D,1,1\n", |b| {
        b.max_touches(2);
    })
    .unwrap();
    assert_eq!(rows, [row("u", "C > D", &[3, 4], 1, 0, 1.0, Some(4))]);
    assert_eq!(report.dropped.max_touches, 2);
    let err = build_with("u,1,A,0,0\n", |b| {
        b.max_touches(0);
    })
    .unwrap_err();
    assert!(matches!(
        err,
        BuildError::InvalidOption {
            name: "max_touches",
            ..
        }
    ));
}

#[test]
fn sorted_mode_streams_and_rejects_unsorted_input() {
    let csv = "a,10,PPC,0,0\na,20,,1,3\nb,5,Email,0,0\nb,5,PPC,0,0\n";
    let sorted = build_with(csv, |b| {
        b.sorted(true);
    })
    .unwrap();
    assert_eq!(sorted, build(csv));
    let err = build_with("a,10,PPC,0,0\nb,5,Email,0,0\na,30,PPC,0,0\n", |b| {
        b.sorted(true);
    })
    .unwrap_err();
    assert_eq!(
        err,
        BuildError::Unsorted {
            line: 4,
            user: "a".into(),
            kind: UnsortedKind::UserNotContiguous
        }
    );
    assert_eq!(
        err.to_string(),
        "line 4: input is not sorted by (user, time) as `sorted` requires: user `a` reappears after other users"
    );
    let err = build_with("a,10,PPC,0,0\na,9,Email,0,0\n", |b| {
        b.sorted(true);
    })
    .unwrap_err();
    assert_eq!(
        err,
        BuildError::Unsorted {
            line: 3,
            user: "a".into(),
            kind: UnsortedKind::TimeDecreasing
        }
    );
}

#[test]
fn options_are_validated_at_build() {
    let err = build_with("u,1,A,0,0\n", |b| {
        b.exclude_channels([" "]);
    })
    .unwrap_err();
    assert!(matches!(
        err,
        BuildError::InvalidOption {
            name: "exclude_channels",
            ..
        }
    ));
    let err = build_with("u,1,A,0,0\n", |b| {
        b.lookback(std::time::Duration::from_secs(u64::MAX));
    })
    .unwrap_err();
    assert!(matches!(
        err,
        BuildError::InvalidOption {
            name: "lookback",
            ..
        }
    ));
}

#[test]
fn report_serialises_and_displays() {
    let (_, report) = build("u,10,PPC,0,0\nu,20,,1,100\nx,5,,1,7\n");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["unattributed_conversions"], 1);
    assert_eq!(json["total_value"], 107.0);
    assert_eq!(json["dropped"]["lookback"], 0);
    let text = report.to_string();
    assert!(
        text.contains("read 3 events (1 touches, 2 conversion rows) from 2 users"),
        "{text}"
    );
    assert!(text.contains("1 attributed, 1 unattributed"), "{text}");
}

#[test]
fn lenient_rejections_reach_the_report() {
    let input = format!("{HEADER}u,10,PPC,0,0\nu,later,PPC,0,0\nu,20,,maybe,1\nu,30,,1,5\n");
    let reader = EventReaderBuilder::new()
        .lenient(true)
        .from_reader(input.as_bytes())
        .unwrap();
    let (set, report) = JourneyBuilder::new().build(reader).unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(report.rows_rejected.get("invalid_timestamp"), Some(&1));
    assert_eq!(report.rows_rejected.get("invalid_flag"), Some(&1));
    assert_eq!(report.rows_rejected_total(), 2);
    assert_eq!(report.events_read, 2);
}
