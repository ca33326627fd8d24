//! Properties of the journey build: order independence, nothing lost, totals
//! balance; and no input bytes panic the reader.

use std::collections::HashSet;
use std::time::Duration;

use attribution::JourneySet;
use attribution::assemble::{BuildReport, JourneyBuilder};
use attribution::io::events::{EventReaderBuilder, EventRecord};
use chrono::DateTime;
use proptest::prelude::*;

/// (user, time s, channel index or none, conversion, value)
type Ev = (u8, i64, Option<u8>, bool, u8);

const CHANNELS: [&str; 4] = ["A", "B", "C", "Direct"];

fn record(e: &Ev) -> EventRecord {
    let (user, time, channel, conversion, value) = *e;
    let user = format!("u{user}");
    let t = DateTime::from_timestamp(time, 0).unwrap();
    let channel = channel.map(|c| CHANNELS[usize::from(c)]);
    match (conversion, channel) {
        (true, c) => EventRecord::conversion(&user, t, c, f64::from(value)),
        (false, Some(c)) => EventRecord::touch(&user, t, c),
        (false, None) => unreachable!(),
    }
}

/// The events as an events file (Unix-second timestamps).
fn to_csv(evs: &[Ev]) -> String {
    let mut csv = String::from("user_id,timestamp,channel,conversion,value\n");
    for &(user, time, channel, conversion, value) in evs {
        let channel = channel.map_or("", |c| CHANNELS[usize::from(c)]);
        csv.push_str(&format!(
            "u{user},{time},{channel},{},{value}\n",
            u8::from(conversion)
        ));
    }
    csv
}

fn events() -> impl Strategy<Value = Vec<Ev>> {
    prop::collection::vec(
        (
            0u8..5,
            0i64..60,
            prop::option::weighted(0.8, 0u8..4),
            any::<bool>(),
            0u8..50,
        )
            .prop_map(|(u, t, c, conv, v)| {
                // A row without channel must be a conversion.
                (u, t, c, conv || c.is_none(), v)
            }),
        0..60,
    )
}

#[derive(Debug, Clone)]
struct Options {
    split: bool,
    lookback: Option<u64>,
    timeout: Option<u64>,
    collapse: bool,
    exclude_direct: bool,
    max_touches: Option<usize>,
    dedup: bool,
}

fn options() -> impl Strategy<Value = Options> {
    (
        any::<bool>(),
        prop::option::of(0u64..40),
        prop::option::of(0u64..20),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(1usize..4),
        any::<bool>(),
    )
        .prop_map(
            |(split, lookback, timeout, collapse, exclude_direct, max_touches, dedup)| Options {
                split,
                lookback,
                timeout,
                collapse,
                exclude_direct,
                max_touches,
                dedup,
            },
        )
}

fn builder(o: &Options) -> JourneyBuilder {
    let mut b = JourneyBuilder::new();
    b.split_on_conversion(o.split)
        .lookback(o.lookback.map(Duration::from_secs))
        .session_timeout(o.timeout.map(Duration::from_secs))
        .collapse_repeats(o.collapse)
        .max_touches(o.max_touches)
        .drop_duplicates(o.dedup);
    if o.exclude_direct {
        b.exclude_channels(["Direct"]);
    }
    b
}

type Canonical = (String, Vec<(String, i64)>, u64, u64, u64, Option<i64>);

/// The journeys as a sorted multiset, by names (channel ids depend on order).
fn canonical(set: &JourneySet) -> Vec<Canonical> {
    let mut rows: Vec<Canonical> = set
        .iter()
        .map(|j| {
            (
                j.id().unwrap().to_owned(),
                j.touches()
                    .iter()
                    .map(|t| {
                        (
                            set.channels().name(t.channel).unwrap().to_owned(),
                            t.time.unwrap().timestamp(),
                        )
                    })
                    .collect(),
                j.conversions(),
                j.non_conversions(),
                j.value().to_bits(),
                j.conversion_time().map(|t| t.timestamp()),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn check_balances(evs: &[Ev], set: &JourneySet, r: &BuildReport) {
    let touches = evs.iter().filter(|e| e.2.is_some()).count() as u64;
    let conversions = evs.iter().filter(|e| e.3).count() as u64;
    let value: f64 = evs.iter().filter(|e| e.3).map(|e| f64::from(e.4)).sum();
    let d = &r.dropped;
    assert_eq!(r.events_read, evs.len() as u64);
    assert_eq!(r.touch_events, touches);
    assert_eq!(r.conversion_events, conversions);
    // Every touch is in exactly one journey or dropped by exactly one option.
    let in_journeys: u64 = set.iter().map(|j| j.len() as u64).sum();
    assert_eq!(r.touches_in_journeys, in_journeys);
    assert_eq!(
        touches,
        in_journeys
            + d.duplicate_touches
            + d.excluded_channel
            + d.lookback
            + d.collapsed_repeats
            + d.max_touches
    );
    // Every conversion is attributed, unattributed or a dropped duplicate.
    assert_eq!(set.total_conversions(), r.conversions);
    assert_eq!(
        conversions,
        r.conversions + r.unattributed_conversions + d.duplicate_conversions
    );
    // Values are small integers: sums are exact.
    assert_eq!(r.total_value, set.total_value() + r.unattributed_value);
    assert_eq!(value, r.total_value + d.duplicate_value);
    assert_eq!(r.journeys, set.len() as u64);
    let users: HashSet<u8> = evs.iter().map(|e| e.0).collect();
    assert_eq!(r.users, users.len() as u64);
    for j in set {
        assert!(j.is_timed());
        assert_eq!(j.conversions() > 0, j.conversion_time().is_some());
        assert_eq!(j.non_conversions(), u64::from(j.conversions() == 0));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nothing_is_lost(evs in events(), o in options()) {
        let (set, report) = builder(&o).build_from_events(evs.iter().map(record)).unwrap();
        check_balances(&evs, &set, &report);
    }

    #[test]
    fn shuffling_rows_changes_no_journey(
        evs in events(),
        o in options(),
        seed in any::<u64>(),
    ) {
        // Without ties (same user, same instant), the build cannot depend on row order.
        let mut seen = HashSet::new();
        let evs: Vec<Ev> = evs.into_iter().filter(|e| seen.insert((e.0, e.1))).collect();
        let mut shuffled = evs.clone();
        // A seeded Fisher-Yates shuffle.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let j = usize::try_from(state % (i as u64 + 1)).unwrap();
            shuffled.swap(i, j);
        }
        let b = builder(&o);
        let (a, ra) = b.build_from_events(evs.iter().map(record)).unwrap();
        let (s, rs) = b.build_from_events(shuffled.iter().map(record)).unwrap();
        prop_assert_eq!(canonical(&a), canonical(&s));
        prop_assert_eq!(ra.dropped, rs.dropped);
        prop_assert_eq!(ra.unattributed_conversions, rs.unattributed_conversions);
    }

    #[test]
    fn sorted_mode_equals_the_default_on_sorted_input(evs in events(), o in options()) {
        let mut sorted = evs.clone();
        sorted.sort_by_key(|e| (e.0, e.1)); // stable: ties keep their order
        let (a, ra) = builder(&o).build_from_events(sorted.iter().map(record)).unwrap();
        let mut b = builder(&o);
        b.sorted(true);
        let (s, rs) = b.build_from_events(sorted.iter().map(record)).unwrap();
        prop_assert_eq!(a, s);
        prop_assert_eq!(ra, rs);
    }

    #[test]
    fn for_each_journey_hands_over_what_build_returns(evs in events(), o in options(), sort in any::<bool>()) {
        let mut evs = evs;
        if sort {
            evs.sort_by_key(|e| (e.0, e.1));
        }
        let csv = to_csv(&evs);
        let mut b = builder(&o);
        b.sorted(sort);
        let reader = || EventReaderBuilder::new().from_reader(csv.as_bytes()).unwrap();
        let (set, report) = b.build(reader()).unwrap();
        let mut streamed = Vec::new();
        let (channels, streamed_report) = b
            .for_each_journey(reader(), |j, _| {
                streamed.push(j.clone());
                Ok::<(), attribution::assemble::BuildError>(())
            })
            .unwrap();
        prop_assert_eq!(&channels, set.channels());
        prop_assert_eq!(streamed.as_slice(), set.journeys());
        prop_assert_eq!(streamed_report, report);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(reader) = EventReaderBuilder::new().lenient(false).from_reader(&bytes[..]) {
            let _ = JourneyBuilder::new().build(reader);
        }
        if let Ok(reader) = EventReaderBuilder::new().lenient(true).from_reader(&bytes[..]) {
            let _ = JourneyBuilder::new().sorted(true).build(reader);
        }
    }

    #[test]
    fn csv_shaped_noise_never_panics(
        rows in prop::collection::vec(
            prop::collection::vec("[a-z0-9 ,;:.TZ+\\-\"\n]{0,12}", 0..6), 0..20),
    ) {
        let mut text = String::from("user_id,timestamp,channel,conversion,value\n");
        for row in rows {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        for lenient in [false, true] {
            if let Ok(reader) = EventReaderBuilder::new().lenient(lenient).from_reader(text.as_bytes()) {
                let _ = JourneyBuilder::new().drop_duplicates(true).session_timeout(Duration::from_secs(5)).build(reader);
            }
        }
    }
}

/// A reader that counts the bytes handed out.
struct Counting<'a> {
    data: &'a [u8],
    read: &'a std::cell::Cell<usize>,
}

impl std::io::Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.data.read(buf)?;
        self.read.set(self.read.get() + n);
        Ok(n)
    }
}

#[test]
fn sorted_mode_hands_journeys_over_while_reading() {
    let mut csv = String::from("user_id,timestamp,channel,conversion,value\n");
    for user in 0..20_000 {
        csv.push_str(&format!("u{user},100,A,0,0\nu{user},200,B,1,5\n"));
    }
    let read = std::cell::Cell::new(0);
    let reader = EventReaderBuilder::new()
        .from_reader(Counting {
            data: csv.as_bytes(),
            read: &read,
        })
        .unwrap();
    let mut read_at_first_journey = None;
    let mut journeys = 0;
    let (_, report) = JourneyBuilder::new()
        .sorted(true)
        .for_each_journey(reader, |j, channels| {
            read_at_first_journey.get_or_insert(read.get());
            assert_eq!(
                j.channels()
                    .map(|c| channels.name(c).unwrap())
                    .collect::<Vec<_>>(),
                ["A", "B"]
            );
            journeys += 1;
            Ok::<(), attribution::assemble::BuildError>(())
        })
        .unwrap();
    assert_eq!((journeys, report.journeys), (20_000, 20_000));
    // The first user's journey comes long before the input's end.
    assert!(
        read_at_first_journey.unwrap() < csv.len() / 4,
        "{read_at_first_journey:?} of {}",
        csv.len()
    );
}
