//! The channel table a state carries: following a growing table while
//! observing, and mapping another state's channels by name when merging.

use crate::channel::{ChannelId, Channels};
use crate::error::ModelError;

/// Appends the names of `table` beyond `state`'s length to `state`, after
/// checking that both name the state's last channel alike. Nothing to do
/// (one comparison) when `table` is not longer.
#[inline]
pub(crate) fn follow(state: &mut Channels, table: &Channels) -> Result<(), ModelError> {
    if table.len() > state.len() {
        grow(state, table)?;
    }
    Ok(())
}

#[cold]
fn grow(state: &mut Channels, table: &Channels) -> Result<(), ModelError> {
    if let Some(last) = state.len().checked_sub(1) {
        let id = ChannelId::from_index(last);
        let mine = id.and_then(|id| state.name(id)).unwrap_or_default();
        let theirs = id.and_then(|id| table.name(id)).unwrap_or_default();
        if mine != theirs {
            return Err(ModelError::ChannelMismatch {
                index: last,
                state: mine.to_owned(),
                table: theirs.to_owned(),
            });
        }
    }
    for (_, name) in table.iter().skip(state.len()) {
        state.intern(name).map_err(|e| channel_error(&e))?;
    }
    Ok(())
}

/// How another state's channel indices map to this state's.
pub(crate) enum Remap {
    /// The same index (the other table is a prefix of the merged one).
    Identity,
    /// `map[i]` is the merged index of the other state's channel `i`.
    Map(Vec<ChannelId>),
}

impl Remap {
    /// The merged id of the other state's channel `id`.
    #[inline]
    pub(crate) fn id(&self, id: ChannelId) -> ChannelId {
        match self {
            Self::Identity => id,
            Self::Map(map) => map.get(id.index()).copied().unwrap_or(id),
        }
    }

    /// The merged index of the other state's channel index `i`.
    #[inline]
    pub(crate) fn index(&self, i: usize) -> usize {
        match self {
            Self::Identity => i,
            Self::Map(map) => map.get(i).map_or(i, |id| id.index()),
        }
    }

    /// Whether indices map to themselves.
    pub(crate) fn is_identity(&self) -> bool {
        matches!(self, Self::Identity)
    }
}

/// The merged table (`mine` then `other`'s names `mine` lacks, in `other`'s
/// order) and the map of `other`'s indices into it. `mine` is not changed:
/// the caller commits the table once nothing else can fail.
pub(crate) fn merge_tables(
    mine: &Channels,
    other: &Channels,
) -> Result<(Option<Channels>, Remap), ModelError> {
    let shared = mine.len().min(other.len());
    let prefix = mine
        .iter()
        .zip(other.iter())
        .take(shared)
        .all(|((_, a), (_, b))| a == b);
    if prefix {
        if other.len() <= mine.len() {
            return Ok((None, Remap::Identity));
        }
        let mut merged = mine.clone();
        for (_, name) in other.iter().skip(mine.len()) {
            merged.intern(name).map_err(|e| channel_error(&e))?;
        }
        return Ok((Some(merged), Remap::Identity));
    }
    let mut merged = mine.clone();
    let map = other
        .iter()
        .map(|(_, name)| merged.intern(name).map_err(|e| channel_error(&e)))
        .collect::<Result<Vec<_>, _>>()?;
    let grown = (merged.len() > mine.len()).then_some(merged);
    Ok((grown, Remap::Map(map)))
}

fn channel_error(e: &crate::error::ChannelError) -> ModelError {
    ModelError::InvalidParameter {
        name: "channels",
        value: e.to_string(),
        reason: "the merged channel table cannot hold this channel",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(names: &[&str]) -> Channels {
        let mut t = Channels::new();
        for n in names {
            t.intern(n).unwrap();
        }
        t
    }

    #[test]
    fn follow_appends_and_checks_the_last_name() {
        let mut state = table(&["A"]);
        follow(&mut state, &table(&["A", "B", "C"])).unwrap();
        assert_eq!(state, table(&["A", "B", "C"]));
        follow(&mut state, &table(&["A"])).unwrap();
        let err = follow(&mut state, &table(&["A", "B", "X", "D"])).unwrap_err();
        assert_eq!(
            err,
            ModelError::ChannelMismatch {
                index: 2,
                state: "C".to_owned(),
                table: "X".to_owned()
            }
        );
    }

    #[test]
    fn merge_tables_fast_and_slow_paths() {
        let ab = table(&["A", "B"]);
        let (grown, remap) = merge_tables(&ab, &table(&["A"])).unwrap();
        assert!(grown.is_none() && remap.is_identity());
        let (grown, remap) = merge_tables(&ab, &table(&["A", "B", "C"])).unwrap();
        assert_eq!(grown, Some(table(&["A", "B", "C"])));
        assert!(remap.is_identity());
        let (grown, remap) = merge_tables(&ab, &table(&["C", "B", "A", "D"])).unwrap();
        assert_eq!(grown, Some(table(&["A", "B", "C", "D"])));
        assert_eq!(
            (0..4).map(|i| remap.index(i)).collect::<Vec<_>>(),
            [2, 1, 0, 3]
        );
        let (grown, remap) = merge_tables(&ab, &table(&["B", "A"])).unwrap();
        assert!(grown.is_none());
        assert_eq!(remap.index(0), 1);
    }
}
