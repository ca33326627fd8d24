//! The input shapes and the roles of their columns.

/// The layout of an input file (aggregated paths, one row per journey,
/// or a raw event log).
///
/// | shape | columns (`[..]` = optional) |
/// |---|---|
/// | [`Shape::Paths`] | `path,total_conversions,total_null[,total_conversion_value]` |
/// | [`Shape::Journeys`] | `journey_id[,journey_index],path,converted[,non_converted][,value][,touch_times][,conversion_time]` |
///
/// Columns are matched by name (trimmed, case-sensitive) in any order; the
/// names can be changed with [`ReaderBuilder::column`](crate::io::ReaderBuilder::column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Shape {
    /// Aggregated paths, one row per distinct path with its conversion and
    /// non-conversion counts (the convention of ChannelAttribution).
    Paths,
    /// One row per journey, optionally with touch and conversion times.
    Journeys,
}

impl Shape {
    /// The shape's name as used on the command line (`paths`, `journeys`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Paths => "paths",
            Self::Journeys => "journeys",
        }
    }

    /// The columns of the shape: role, default name and whether it is required.
    pub(crate) fn columns(self) -> &'static [ColumnSpec] {
        const PATHS: &[ColumnSpec] = &[
            ColumnSpec::required(Column::Path, "path"),
            ColumnSpec::required(Column::Conversions, "total_conversions"),
            ColumnSpec::required(Column::Nulls, "total_null"),
            ColumnSpec::optional(Column::Value, "total_conversion_value"),
        ];
        const JOURNEYS: &[ColumnSpec] = &[
            ColumnSpec::required(Column::JourneyId, "journey_id"),
            ColumnSpec::optional(Column::JourneyIndex, "journey_index"),
            ColumnSpec::required(Column::Path, "path"),
            ColumnSpec::required(Column::Conversions, "converted"),
            ColumnSpec::optional(Column::Nulls, "non_converted"),
            ColumnSpec::optional(Column::Value, "value"),
            ColumnSpec::optional(Column::TouchTimes, "touch_times"),
            ColumnSpec::optional(Column::ConversionTime, "conversion_time"),
        ];
        match self {
            Self::Paths => PATHS,
            Self::Journeys => JOURNEYS,
        }
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The role of a column. Which roles a shape has, and their default names:
///
/// | role | [`Shape::Paths`] | [`Shape::Journeys`] |
/// |---|---|---|
/// | [`Column::Path`] | `path` | `path` |
/// | [`Column::Conversions`] | `total_conversions` | `converted` |
/// | [`Column::Nulls`] | `total_null` | `non_converted` (optional) |
/// | [`Column::Value`] | `total_conversion_value` (optional) | `value` (optional) |
/// | [`Column::JourneyId`] | — | `journey_id` |
/// | [`Column::TouchTimes`] | — | `touch_times` (optional) |
/// | [`Column::ConversionTime`] | — | `conversion_time` (optional) |
/// | [`Column::JourneyIndex`] | — | `journey_index` (optional) |
///
/// # Example
///
/// ```
/// use attribution::io::{Column, Shape};
///
/// assert_eq!(Column::Nulls.default_name(Shape::Paths), Some("total_null"));
/// assert_eq!(Column::Conversions.default_name(Shape::Journeys), Some("converted"));
/// assert_eq!(Column::TouchTimes.default_name(Shape::Paths), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Column {
    /// The touches, joined by the path separator.
    Path,
    /// Conversions: a count (paths) or a count / `0`/`1`/`true`/`false` flag (journeys).
    Conversions,
    /// Non-conversions: a count.
    Nulls,
    /// The conversion value (revenue).
    Value,
    /// The journey's identifier.
    JourneyId,
    /// The touch timestamps, joined by the path separator.
    TouchTimes,
    /// The conversion timestamp.
    ConversionTime,
    /// The journey's 1-based position among its user's journeys (see
    /// [`Journey::journey_index`](crate::Journey::journey_index)); empty for none.
    JourneyIndex,
}

impl Column {
    /// Number of roles (the length of per-role tables).
    pub(crate) const COUNT: usize = 8;

    /// A dense index for per-role tables.
    pub(crate) fn index(self) -> usize {
        match self {
            Self::Path => 0,
            Self::Conversions => 1,
            Self::Nulls => 2,
            Self::Value => 3,
            Self::JourneyId => 4,
            Self::TouchTimes => 5,
            Self::ConversionTime => 6,
            Self::JourneyIndex => 7,
        }
    }

    /// The column's default name in `shape`, or `None` if the shape has no
    /// such column.
    #[must_use]
    pub fn default_name(self, shape: Shape) -> Option<&'static str> {
        shape
            .columns()
            .iter()
            .find(|spec| spec.role == self)
            .map(|spec| spec.name)
    }
}

/// One column of a shape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnSpec {
    pub(crate) role: Column,
    pub(crate) name: &'static str,
    pub(crate) required: bool,
}

impl ColumnSpec {
    const fn required(role: Column, name: &'static str) -> Self {
        Self {
            role,
            name,
            required: true,
        }
    }

    const fn optional(role: Column, name: &'static str) -> Self {
        Self {
            role,
            name,
            required: false,
        }
    }
}

/// The default column names of the events reader (its `event_name` column
/// is read with conversion events only).
const EVENT_COLUMNS: &[&str] = &[
    "user_id",
    "timestamp",
    "channel",
    "conversion",
    "value",
    "event_name",
];

/// The shape (`paths`, `journeys` or `events`) whose default column names
/// the header uses most: at least two of them, and more than any other
/// shape's. `None` when no shape stands out.
pub(crate) fn guess_shape<S: AsRef<str>>(header: &[S]) -> Option<&'static str> {
    let score = |names: &mut dyn Iterator<Item = &str>| -> usize {
        let names: Vec<&str> = names.collect();
        header
            .iter()
            .filter(|h| names.contains(&h.as_ref().trim()))
            .count()
    };
    let scores = [
        (
            "paths",
            score(&mut Shape::Paths.columns().iter().map(|c| c.name)),
        ),
        (
            "journeys",
            score(&mut Shape::Journeys.columns().iter().map(|c| c.name)),
        ),
        ("events", score(&mut EVENT_COLUMNS.iter().copied())),
    ];
    let best = scores.iter().map(|&(_, n)| n).max().unwrap_or(0);
    let mut leaders = scores.iter().filter(|&&(_, n)| n == best);
    match (leaders.next(), leaders.next()) {
        (Some(&(shape, _)), None) if best >= 2 => Some(shape),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_the_shape_of_a_header() {
        for (header, expected) in [
            (&["user_id", "timestamp", "channel"][..], Some("events")),
            (
                &["user_id", "timestamp", "channel", "conversion", "value"],
                Some("events"),
            ),
            (
                &["user_id", "timestamp", "event_name", "source"],
                Some("events"),
            ),
            (&["journey_id", "path", "converted"], Some("journeys")),
            (&["path", "total_conversions", "total_null"], Some("paths")),
            (&["path", "value"], Some("journeys")),
            (&["path"], None),
            (&["a", "b"], None),
            // One name each: a tie.
            (&["total_null", "converted"], None),
        ] {
            assert_eq!(guess_shape(header), expected, "{header:?}");
        }
    }
}
