//! Channel interning: names ↔ [`ChannelId`], and the check for names that
//! look alike ([`Channels::confusable_groups`]).

mod confusable;

pub use confusable::{escape_invisible, is_invisible};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::ChannelError;

/// A small integer naming a channel of one [`Channels`] table.
///
/// Ids are handed out in order of first appearance, starting at 0, so sorting
/// by id lists channels in the order the input first mentioned them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChannelId(u32);

impl ChannelId {
    /// The id as an index into per-channel vectors.
    #[must_use]
    pub fn index(self) -> usize {
        // u32 always fits in usize on the 32- and 64-bit targets we support.
        self.0 as usize
    }

    /// The raw id.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }

    /// The id with the given index, if it fits in a `ChannelId`.
    #[must_use]
    pub fn from_index(index: usize) -> Option<Self> {
        u32::try_from(index).ok().map(Self)
    }
}

impl std::fmt::Display for ChannelId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The channel table: interns channel names and hands out [`ChannelId`]s.
///
/// Names are UTF-8 and compared byte for byte after trimming surrounding
/// whitespace (any Unicode whitespace). They may contain inner spaces and any
/// script. Empty names are rejected, and so are the names the Markov
/// transition output uses for its own states, [`Channels::RESERVED`]
/// (`(start)`, `(conversion)`, `(null)`), which a channel must not shadow.
/// Spellings that differ only by Unicode normalisation or invisible
/// characters are distinct channels; [`Channels::confusable_groups`] finds
/// them.
///
/// # Example
///
/// ```
/// use attribution::Channels;
///
/// let mut channels = Channels::new();
/// let ppc = channels.intern(" PPC ")?;
/// let email = channels.intern("E-mail")?;
/// assert_eq!(channels.intern("PPC")?, ppc);
/// assert_eq!(channels.name(email), Some("E-mail"));
/// assert_eq!(channels.len(), 2);
/// assert!(channels.intern("  ").is_err());
/// assert_eq!(
///     channels.intern(" (null) ").unwrap_err().to_string(),
///     "channel name `(null)` is reserved (the transition output uses `(start)`, `(conversion)` and `(null)`, and the `dda` output `(baseline)`)"
/// );
/// # Ok::<(), attribution::ChannelError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct Channels {
    names: Vec<Box<str>>,
    ids: FxHashMap<Box<str>, ChannelId>,
}

impl Channels {
    /// The largest number of channels a table can hold.
    pub const MAX: usize = u32::MAX as usize;

    /// Names no channel may have (after trimming): the start and absorbing
    /// states of the Markov transition output, and the `(baseline)` row of
    /// models with a baseline (`dda`).
    pub const RESERVED: [&'static str; 4] = ["(start)", "(conversion)", "(null)", "(baseline)"];

    /// An empty table.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the id of `name` (trimmed), adding it if it is new.
    ///
    /// # Errors
    ///
    /// [`ChannelError::EmptyName`] if the trimmed name is empty;
    /// [`ChannelError::Reserved`] for a name of [`Channels::RESERVED`];
    /// [`ChannelError::TooMany`] if the table is full.
    pub fn intern(&mut self, name: &str) -> Result<ChannelId, ChannelError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ChannelError::EmptyName);
        }
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        if Self::RESERVED.contains(&name) {
            return Err(ChannelError::Reserved(name.to_owned()));
        }
        let id = ChannelId::from_index(self.names.len())
            .filter(|id| id.index() < Self::MAX)
            .ok_or(ChannelError::TooMany { limit: Self::MAX })?;
        let boxed: Box<str> = name.into();
        self.names.push(boxed.clone());
        self.ids.insert(boxed, id);
        Ok(id)
    }

    /// The id of `name` (trimmed), if it is in the table.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<ChannelId> {
        self.ids.get(name.trim()).copied()
    }

    /// The name of `id`, if it belongs to this table.
    #[must_use]
    pub fn name(&self, id: ChannelId) -> Option<&str> {
        self.names.get(id.index()).map(AsRef::as_ref)
    }

    /// Whether `id` belongs to this table.
    #[must_use]
    pub fn contains(&self, id: ChannelId) -> bool {
        id.index() < self.names.len()
    }

    /// The number of channels.
    #[must_use]
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// All channels in id (first-appearance) order.
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (ChannelId, &str)> + '_ {
        self.names.iter().enumerate().map(|(i, name)| {
            // `intern` never hands out an index beyond u32::MAX.
            (
                ChannelId(u32::try_from(i).unwrap_or(u32::MAX)),
                name.as_ref(),
            )
        })
    }
}

impl TryFrom<Vec<String>> for Channels {
    type Error = ChannelError;

    /// Builds a table from names in id order (as a deserialised table is
    /// read), validating every name.
    ///
    /// # Errors
    ///
    /// As [`Channels::intern`], and [`ChannelError::Duplicate`] when two
    /// names are equal after trimming (their ids would be ambiguous).
    fn try_from(names: Vec<String>) -> Result<Self, Self::Error> {
        let mut channels = Self::new();
        for name in &names {
            let before = channels.len();
            channels.intern(name).map_err(crate::invalid::remember)?;
            if channels.len() == before {
                return Err(crate::invalid::remember(ChannelError::Duplicate(
                    name.trim().into(),
                )));
            }
        }
        Ok(channels)
    }
}

impl From<Channels> for Vec<String> {
    fn from(channels: Channels) -> Self {
        channels.names.into_iter().map(String::from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_trims_unicode_whitespace_and_keeps_first_appearance_order() {
        let mut channels = Channels::new();
        let a = channels.intern("\u{3000}ایمیل\t").unwrap();
        let b = channels.intern("広告 🚀").unwrap();
        assert_eq!(channels.intern("ایمیل").unwrap(), a);
        assert_eq!((a.get(), b.get()), (0, 1));
        assert_eq!(
            channels.iter().map(|(_, n)| n).collect::<Vec<_>>(),
            ["ایمیل", "広告 🚀"]
        );
        assert_eq!(channels.intern("\u{a0}"), Err(ChannelError::EmptyName));
        assert_eq!(channels.get(" 広告 🚀 "), Some(b));
        assert_eq!(channels.get("email"), None);
    }

    #[test]
    fn reserved_names_are_those_of_the_transition_output() {
        let mut channels = Channels::new();
        for name in ["(start)", "(conversion)", "(null)"] {
            assert_eq!(
                channels.intern(&format!("\t{name} ")),
                Err(ChannelError::Reserved(name.to_owned()))
            );
        }
        // Only the exact names: look-alikes are ordinary channels.
        for name in ["(Start)", "(start", "start", "(null) x"] {
            assert!(channels.intern(name).is_ok(), "{name}");
        }
        assert!(serde_json::from_str::<Channels>(r#"["PPC","(null)"]"#).is_err());
    }

    #[test]
    fn serde_round_trip_rebuilds_the_index() {
        let mut channels = Channels::new();
        channels.intern("PPC").unwrap();
        channels.intern("Email").unwrap();
        let json = serde_json::to_string(&channels).unwrap();
        assert_eq!(json, r#"["PPC","Email"]"#);
        let back: Channels = serde_json::from_str(&json).unwrap();
        assert_eq!(back, channels);
        assert_eq!(back.get("Email").map(ChannelId::get), Some(1));
        assert!(serde_json::from_str::<Channels>(r#"["PPC",""]"#).is_err());
        let dup = serde_json::from_str::<Channels>(r#"["PPC","Email"," PPC"]"#).unwrap_err();
        assert!(
            dup.to_string().contains("channel `PPC` is listed twice"),
            "{dup}"
        );
    }
}
