//! Journey ids of split journeys (issue 9, item 12): the user id stays the
//! id, unchanged, and a separate journey index numbers a user's journeys, so
//! the user `u` with two journeys and a user named `u#1` never collide; the
//! journeys shape writes and reads the index as its own column.

use attribution::assemble::JourneyBuilder;
use attribution::io::events::EventReaderBuilder;
use attribution::io::{ReaderBuilder, Shape, write_journeys};
use attribution::{JourneySet, ReadErrorKind};

const LOG: &str = "user_id,timestamp,channel,conversion,value\n\
                   u,10,PPC,0,0\n\
                   u,20,,1,100\n\
                   u,30,Email,0,0\n\
                   u,40,,1,50\n\
                   u#1,15,LinkedIn,0,0\n\
                   u#1,25,,1,70\n";

fn built() -> JourneySet {
    let reader = EventReaderBuilder::new()
        .from_reader(LOG.as_bytes())
        .unwrap();
    JourneyBuilder::new().build(reader).unwrap().0
}

fn ids(set: &JourneySet) -> Vec<(Option<&str>, Option<u32>, f64)> {
    set.iter()
        .map(|j| (j.id(), j.journey_index(), j.value()))
        .collect()
}

#[test]
fn split_journeys_keep_the_user_id_and_get_an_index() {
    let set = built();
    assert_eq!(
        ids(&set),
        [
            (Some("u"), Some(1), 100.0),
            (Some("u"), Some(2), 50.0),
            (Some("u#1"), None, 70.0),
        ]
    );
}

#[test]
fn the_journeys_shape_writes_the_index_in_its_own_column_and_reads_it_back() {
    let set = built();
    let mut out = Vec::new();
    write_journeys(&set, &mut out, " > ").unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        "journey_id,journey_index,path,converted,value,touch_times,conversion_time\n\
         u,1,PPC,1,100,1970-01-01T00:00:10Z,1970-01-01T00:00:20Z\n\
         u,2,Email,1,50,1970-01-01T00:00:30Z,1970-01-01T00:00:40Z\n\
         u#1,,LinkedIn,1,70,1970-01-01T00:00:15Z,1970-01-01T00:00:25Z\n"
    );
    let (back, _) = ReaderBuilder::new(Shape::Journeys)
        .from_reader(text.as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(back, set);
}

#[test]
fn files_without_the_index_column_still_read() {
    let csv = "journey_id,path,converted\nu#1,A > B,1\nu,B,0\n";
    let (set, _) = ReaderBuilder::new(Shape::Journeys)
        .from_reader(csv.as_bytes())
        .unwrap()
        .read_all()
        .unwrap();
    assert_eq!(
        set.iter()
            .map(|j| (j.id(), j.journey_index()))
            .collect::<Vec<_>>(),
        [(Some("u#1"), None), (Some("u"), None)]
    );
    // No index anywhere: no index column is written.
    let mut out = Vec::new();
    write_journeys(&set, &mut out, ">").unwrap();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .starts_with("journey_id,path,converted,")
    );
}

#[test]
fn a_bad_index_names_line_column_and_text() {
    for (bad, kind) in [
        ("x", ReadErrorKind::InvalidCount),
        ("-1", ReadErrorKind::NegativeCount),
        ("4294967296", ReadErrorKind::InvalidCount),
    ] {
        let csv = format!("journey_id,journey_index,path,converted\nu,1,A,1\nu,{bad},B,0\n");
        let err = ReaderBuilder::new(Shape::Journeys)
            .from_reader(csv.as_bytes())
            .unwrap()
            .read_all()
            .unwrap_err();
        assert_eq!(err.kind(), &kind);
        assert_eq!(
            (err.line(), err.column(), err.text()),
            (Some(3), Some("journey_index"), Some(bad))
        );
    }
}
