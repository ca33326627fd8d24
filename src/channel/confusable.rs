//! Channel names that look the same but are different strings: the same
//! text in NFC and NFD form, or with invisible characters (a byte order
//! mark in the middle of a file, zero-width spaces and joiners, variation
//! selectors, bidi controls).
//!
//! Names are compared byte for byte, so such spellings are distinct
//! channels; this module finds them so that a person can be warned. The
//! check runs once over the channel table, never per token.

use std::borrow::Cow;
use std::fmt::Write as _;

use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{ChannelId, Channels};

/// Whether `c` is invisible: Unicode's Default_Ignorable_Code_Point set
/// (soft hyphen, zero-width space / joiners, word joiner, bidi controls,
/// variation selectors, the byte order mark U+FEFF, tags, …).
#[must_use]
pub fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// `name` with its invisible characters and combining marks written as
/// `\u{…}` escapes, so that two confusable spellings print differently.
///
/// ```
/// use attribution::channel::escape_invisible;
///
/// assert_eq!(escape_invisible("E\u{200b}mail"), "E\\u{200b}mail");
/// assert_eq!(escape_invisible("Cafe\u{301}"), "Cafe\\u{301}");
/// assert_eq!(escape_invisible("Café 広告"), "Café 広告");
/// ```
#[must_use]
pub fn escape_invisible(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if is_invisible(c) || is_combining_mark(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The comparison key: NFC with invisible characters removed, trimmed.
/// ASCII names are their own key.
fn key(name: &str) -> Cow<'_, str> {
    if name.is_ascii() {
        return Cow::Borrowed(name);
    }
    let key: String = name.chars().filter(|&c| !is_invisible(c)).nfc().collect();
    Cow::Owned(key.trim().to_owned())
}

impl Channels {
    /// Groups of channels whose names differ only by Unicode normalisation
    /// (NFC vs NFD) or invisible characters (see [`is_invisible`]): each
    /// group lists two or more ids in id (first-appearance) order, and the
    /// groups are ordered by their first id. Empty when every name is
    /// distinct after normalisation, as it should be.
    ///
    /// # Complexity
    ///
    /// O(total length of the names); ASCII names cost one hash each.
    ///
    /// # Example
    ///
    /// ```
    /// use attribution::Channels;
    ///
    /// let mut channels = Channels::new();
    /// let cafe = channels.intern("Caf\u{e9}")?; // NFC
    /// channels.intern("Email")?;
    /// let cafe_nfd = channels.intern("Cafe\u{301}")?; // NFD
    /// let email_zw = channels.intern("E\u{200b}mail")?;
    /// assert_eq!(channels.len(), 4);
    /// let email = channels.get("Email").unwrap();
    /// assert_eq!(
    ///     channels.confusable_groups(),
    ///     [vec![cafe, cafe_nfd], vec![email, email_zw]]
    /// );
    /// # Ok::<(), attribution::ChannelError>(())
    /// ```
    #[must_use]
    pub fn confusable_groups(&self) -> Vec<Vec<ChannelId>> {
        let mut groups: FxHashMap<Cow<'_, str>, Vec<ChannelId>> = FxHashMap::default();
        for (id, name) in self.iter() {
            groups.entry(key(name)).or_default().push(id);
        }
        let mut found: Vec<Vec<ChannelId>> = groups.into_values().filter(|g| g.len() > 1).collect();
        found.sort_unstable();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_zero_width_and_normalisation_variants_are_grouped() {
        let mut channels = Channels::new();
        let names = [
            "PPC",
            "\u{feff}PPC",
            "P\u{200b}PC",
            "Email",
            "E\u{200d}mail",
            "ایمیل",
            "広告 🚀",
            "広告 🚀\u{fe0f}",
            "\u{e9}t\u{e9}",
            "e\u{301}te\u{301}",
            "Other",
        ];
        let ids: Vec<ChannelId> = names.iter().map(|n| channels.intern(n).unwrap()).collect();
        assert_eq!(channels.len(), names.len());
        assert_eq!(
            channels.confusable_groups(),
            [
                vec![ids[0], ids[1], ids[2]],
                vec![ids[3], ids[4]],
                vec![ids[6], ids[7]],
                vec![ids[8], ids[9]],
            ]
        );
        assert!(Channels::new().confusable_groups().is_empty());
    }

    #[test]
    fn escapes_show_what_differs() {
        assert_eq!(escape_invisible("\u{feff}PPC"), "\\u{feff}PPC");
        assert_eq!(escape_invisible("e\u{301}t\u{e9}"), "e\\u{301}t\u{e9}");
        assert_eq!(escape_invisible("ایمیل"), "ایمیل");
    }
}
