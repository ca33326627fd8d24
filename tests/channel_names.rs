//! Ambiguous channel names (issue 9, item 11): the names of the transition
//! output are rejected with line, column and text; a leading BOM is
//! stripped by every reader and any other BOM is data; names that differ
//! only by Unicode normalisation or invisible characters are found, with
//! the line where each spelling first appeared.

use attribution::assemble::JourneyBuilder;
use attribution::io::events::EventReaderBuilder;
use attribution::io::{ReaderBuilder, Shape};
use attribution::{ChannelError, ChannelId, Channels, ReadErrorKind, ReadReport};

fn read_paths(csv: &str, lenient: bool) -> Result<(Channels, ReadReport), String> {
    let (set, report) = ReaderBuilder::new(Shape::Paths)
        .lenient(lenient)
        .from_reader(csv.as_bytes())
        .and_then(attribution::JourneyReader::read_all)
        .map_err(|e| e.to_string())?;
    Ok((set.into_parts().0, report))
}

const RESERVED: &str = "channel name `(start)` is reserved (the transition output uses \
                        `(start)`, `(conversion)` and `(null)`, and the `dda` output `(baseline)`)";

#[test]
fn reserved_names_are_rejected_in_every_shape() {
    let paths = "path,total_conversions,total_null\nA,1,0\nA > (start) ,1,0\n";
    assert_eq!(
        read_paths(paths, false).unwrap_err(),
        format!("line 3, column `path`: {RESERVED}: \"(start)\"")
    );
    let (channels, report) = read_paths(paths, true).unwrap();
    assert_eq!(report.rejected_for("invalid_channel"), 1);
    assert_eq!(report.rejected_lines(), [3]);
    assert_eq!(channels.iter().map(|(_, n)| n).collect::<Vec<_>>(), ["A"]);

    let journeys = "journey_id,path,converted\nJ1,(null) > A,1\n";
    let err = ReaderBuilder::new(Shape::Journeys)
        .from_reader(journeys.as_bytes())
        .unwrap()
        .read_all()
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ReadErrorKind::Channel(ChannelError::Reserved("(null)".into()))
    );
    assert_eq!(
        (err.line(), err.column(), err.text()),
        (Some(2), Some("path"), Some("(null)"))
    );

    let events = "user_id,timestamp,channel,conversion\nu,1,A,0\nu,2,(conversion),1\n";
    let reader = EventReaderBuilder::new()
        .from_reader(events.as_bytes())
        .unwrap();
    let err = JourneyBuilder::new().build(reader).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 3, column `channel`: channel name `(conversion)` is reserved (the transition \
         output uses `(start)`, `(conversion)` and `(null)`, and the `dda` output \
         `(baseline)`): \"(conversion)\""
    );
    // `(baseline)`, the row of dda's unexplained conversions, is reserved too.
    let baseline = "path,total_conversions,total_null\n(baseline) > A,1,0\n";
    assert!(
        read_paths(baseline, false)
            .unwrap_err()
            .contains("channel name `(baseline)` is reserved"),
    );
}

#[test]
fn a_leading_bom_is_stripped_and_a_later_one_is_data() {
    let csv = "\u{feff}path,total_conversions,total_null\nEmail,1,0\n\u{feff}Email,1,0\n";
    let (channels, report) = read_paths(csv, false).unwrap();
    assert_eq!(
        channels.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        ["Email", "\u{feff}Email"]
    );
    let groups = channels.confusable_groups();
    assert_eq!(
        groups,
        [vec![
            ChannelId::from_index(0).unwrap(),
            ChannelId::from_index(1).unwrap()
        ]]
    );
    assert_eq!(report.first_line(groups[0][0]), Some(2));
    assert_eq!(report.first_line(groups[0][1]), Some(3));

    let events = "\u{feff}user_id,timestamp,channel,conversion\nu,1,Email,1\n";
    let reader = EventReaderBuilder::new()
        .from_reader(events.as_bytes())
        .unwrap();
    let (set, _) = JourneyBuilder::new().build(reader).unwrap();
    assert_eq!(set.channels().get("Email").map(ChannelId::get), Some(0));
}

#[test]
fn first_lines_agree_between_the_sequential_and_parallel_readers() {
    let mut csv = String::from("path,total_conversions,total_null\n");
    for i in 0..200 {
        let name = match i {
            57 => "Cafe\u{301}".to_owned(),
            120 => "P\u{200b}PC".to_owned(),
            _ => format!("ch{}", i % 9),
        };
        csv.push_str(&format!("Caf\u{e9} > PPC > {name},1,0\n"));
    }
    let (channels, report) = read_paths(&csv, false).unwrap();
    let groups = channels.confusable_groups();
    let lines: Vec<Vec<Option<u64>>> = groups
        .iter()
        .map(|g| g.iter().map(|&id| report.first_line(id)).collect())
        .collect();
    assert_eq!(lines, [vec![Some(2), Some(59)], vec![Some(2), Some(122)]]);
    for (threads, block) in [(2, 64), (3, 500)] {
        let folded = ReaderBuilder::new(Shape::Paths)
            .threads(threads)
            .block_size(block)
            .parallel_from_reader(csv.as_bytes())
            .unwrap()
            .fold(|| (), |(), _, _| Ok::<(), String>(()), |(), ()| ())
            .unwrap();
        assert_eq!(folded.channels, channels);
        assert_eq!(folded.report, report);
    }
}

#[test]
fn the_build_report_knows_where_each_channel_first_appeared() {
    let events = "user_id,timestamp,channel,conversion\n\
                  u,1,Caf\u{e9},0\n\
                  u,2,Email,0\n\
                  v,3,Cafe\u{301},1\n";
    let reader = EventReaderBuilder::new()
        .from_reader(events.as_bytes())
        .unwrap();
    let (set, report) = JourneyBuilder::new().build(reader).unwrap();
    let groups = set.channels().confusable_groups();
    assert_eq!(groups.len(), 1);
    let lines: Vec<_> = groups[0].iter().map(|&id| report.first_line(id)).collect();
    assert_eq!(lines, [Some(2), Some(4)]);
}
