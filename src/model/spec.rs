//! [`ModelSpec`]: a model's name and parameters, as text and as data.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ModelError;

/// A model's name and its parameters as `(key, value)` text pairs.
///
/// Parse one with [`str::parse`]; build one with [`ModelSpec::new`] and
/// [`ModelSpec::with`]. A model's canonical spec comes from
/// [`Model::spec`](crate::Model::spec); a [`Registry`](crate::model::Registry)
/// builds a model from any spec of it (missing keys take their default).
/// Serialised as its text.
///
/// # Example
///
/// ```
/// use attribution::model::ModelSpec;
///
/// let spec: ModelSpec = " Markov : order = 3, Max-Steps=10 ".parse()?;
/// assert_eq!(spec.name, "markov");
/// assert_eq!(spec.get("max_steps"), Some("10"));
/// assert_eq!(spec.to_string(), "markov:order=3,max_steps=10");
/// let direct: ModelSpec = r"last-non-direct:direct=Direct|Brand\, search".parse()?;
/// assert_eq!(direct.get("direct"), Some("Direct|Brand, search"));
/// assert_eq!(direct.to_string(), r"last-non-direct:direct=Direct|Brand\, search");
/// assert_eq!(
///     "markov:order".parse::<ModelSpec>().unwrap_err().to_string(),
///     "invalid model spec `markov:order`: parameter `order` has no `=value`"
/// );
/// # Ok::<(), attribution::ModelError>(())
/// ```
///
/// # Syntax
///
/// ```text
/// name[:key=value[,key=value…]]
/// ```
///
/// e.g. `markov:order=3`, `position-based:first=0.3,last=0.3`,
/// `time-decay:half_life=3d`, `last-non-direct:direct=Direct|Email`,
/// `linear:split=channel`, `position-decay:rate=0.5`,
/// `markov:order=2,max_steps=10,self_loops=true`.
///
/// * The model name and the keys are ASCII case-insensitive, and keys may
///   be written with `-` or `_` (`max-steps` is `max_steps`); surrounding
///   whitespace is ignored. Parsed specs hold them in lower case, keys with
///   `_`.
/// * Values are trimmed. A backslash escapes the next character, so a value
///   can hold a comma (`\,`) or a backslash (`\\`); everything else,
///   including `=` and `:`, is taken literally. [`ModelSpec`]'s `Display`
///   escapes `\` and `,` so that printing and parsing round-trip.
/// * List values (the direct channels of `last-non-direct`) separate items
///   with `|`; within an item, `\|` is a literal `|` and `\\` a backslash
///   (in the spec text these backslashes are themselves escaped: a channel
///   named `A|B` is written `direct=A\\|B`).
///
/// The **canonical** spec of a model, [`Model::spec`](crate::Model::spec),
/// lists every parameter with its value, defaults filled in, in the model's
/// documented key order, so two canonical specs of one model are equal
/// exactly when the models compute the same thing. States carry the
/// canonical spec of the model that made them, and merging compares it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelSpec {
    /// The model's name as the command line spells it (e.g. `position-based`).
    pub name: String,
    /// `(key, value)` pairs, unescaped.
    pub params: Vec<(String, String)>,
}

impl ModelSpec {
    /// A spec of model `name` without parameters.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            params: Vec::new(),
        }
    }

    /// Adds the parameter `key = value`.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((key.into(), value.into()));
        self
    }

    /// The value of `key` (the first, if it is given twice).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// `\` escapes, as the spec syntax reads them.
fn escape(text: &str, out: &mut fmt::Formatter<'_>) -> fmt::Result {
    for c in text.chars() {
        if matches!(c, '\\' | ',') {
            out.write_str("\\")?;
        }
        write!(out, "{c}")?;
    }
    Ok(())
}

impl fmt::Display for ModelSpec {
    /// The spec text, `name[:key=value,…]`, values escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for (i, (key, value)) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { ":" } else { "," })?;
            escape(key, f)?;
            f.write_str("=")?;
            escape(value, f)?;
        }
        Ok(())
    }
}

/// Normalises a model name or key: trimmed, ASCII lower case, `-` as `_`
/// for keys.
fn normalise(text: &str, key: bool) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '-' if key => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

impl FromStr for ModelSpec {
    type Err = ModelError;

    /// Parses `name[:key=value,…]` (see [`ModelSpec`]).
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidSpec`] for an empty name, a parameter without
    /// `=`, an empty key, a key given twice, or a trailing backslash.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| ModelError::InvalidSpec {
            text: text.to_owned(),
            reason,
        };
        let (name, rest) = match text.split_once(':') {
            Some((name, rest)) => (name, Some(rest)),
            None => (text, None),
        };
        let name = normalise(name, false);
        if name.is_empty() {
            return Err(invalid("the model name is empty".to_owned()));
        }
        let mut spec = Self::new(name);
        let Some(rest) = rest else {
            return Ok(spec);
        };
        // Split on unescaped commas, then each piece on its first unescaped
        // `=`; unescape keys and values.
        let mut pieces: Vec<(String, Option<String>)> = Vec::new();
        let mut key = String::new();
        let mut value: Option<String> = None;
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            let literal = match c {
                '\\' => match chars.next() {
                    Some(next) => next,
                    None => return Err(invalid("it ends with a lone backslash".to_owned())),
                },
                ',' => {
                    pieces.push((std::mem::take(&mut key), value.take()));
                    continue;
                }
                '=' if value.is_none() => {
                    value = Some(String::new());
                    continue;
                }
                c => c,
            };
            value.as_mut().unwrap_or(&mut key).push(literal);
        }
        pieces.push((key, value));
        for (key, value) in pieces {
            let key = normalise(&key, true);
            let Some(value) = value else {
                if key.is_empty() {
                    return Err(invalid("a parameter is empty".to_owned()));
                }
                return Err(invalid(format!("parameter `{key}` has no `=value`")));
            };
            if key.is_empty() {
                return Err(invalid("a parameter has no key before `=`".to_owned()));
            }
            if spec.get(&key).is_some() {
                return Err(invalid(format!("parameter `{key}` is given twice")));
            }
            spec.params.push((key, value.trim().to_owned()));
        }
        Ok(spec)
    }
}

impl Serialize for ModelSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ModelSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse()
            .map_err(|e| serde::de::Error::custom(super::state_file::remember(e)))
    }
}

/// One parameter of a model, for help texts and error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDoc {
    /// The key, with `_` (e.g. `max_steps`).
    pub key: &'static str,
    /// The default value, as the spec writes it.
    pub default: &'static str,
    /// One line saying what it does.
    pub doc: &'static str,
}

/// The parameters of a spec checked against a model's [`ParamDoc`]s: every
/// key known (or an alias of one), values looked up by canonical key.
pub(crate) struct Params<'a> {
    values: Vec<(&'static str, &'a str)>,
}

impl<'a> Params<'a> {
    /// Checks that `spec` names `model` and that every key is one of `docs`
    /// (or of `aliases`: `(alias, key)`).
    pub(crate) fn new(
        spec: &'a ModelSpec,
        model: &'static str,
        docs: &'static [ParamDoc],
        aliases: &[(&str, &'static str)],
    ) -> Result<Self, ModelError> {
        if normalise(&spec.name, false) != model {
            return Err(ModelError::InvalidSpec {
                text: spec.to_string(),
                reason: format!("a spec of `{}`, not of `{model}`", spec.name),
            });
        }
        let mut values: Vec<(&'static str, &'a str)> = Vec::with_capacity(spec.params.len());
        for (key, value) in &spec.params {
            let key_n = normalise(key, true);
            let known = docs
                .iter()
                .map(|d| d.key)
                .find(|k| *k == key_n)
                .or_else(|| {
                    aliases
                        .iter()
                        .find(|(alias, _)| *alias == key_n)
                        .map(|(_, k)| *k)
                });
            let Some(known) = known else {
                return Err(ModelError::UnknownParameter {
                    model: model.to_owned(),
                    key: key.clone(),
                    known: docs.iter().map(|d| d.key.to_owned()).collect(),
                });
            };
            if values.iter().any(|(k, _)| *k == known) {
                return Err(ModelError::InvalidSpec {
                    text: spec.to_string(),
                    reason: format!("parameter `{known}` is given twice"),
                });
            }
            values.push((known, value.as_str()));
        }
        Ok(Self { values })
    }

    /// The trimmed value of `key`, if given.
    pub(crate) fn get(&self, key: &str) -> Option<&'a str> {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim())
    }

    /// `key` parsed with `parse`, `None` when not given.
    pub(crate) fn parse<T>(
        &self,
        key: &'static str,
        reason: &'static str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, ModelError> {
        self.get(key)
            .map(|text| {
                parse(text).ok_or_else(|| ModelError::InvalidParameter {
                    name: key,
                    value: text.to_owned(),
                    reason,
                })
            })
            .transpose()
    }
}

/// Parses `true`/`false` (ASCII case-insensitive).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A finite `f64` as the spec writes it: shortest round-trip text, `-0` as `0`.
pub(crate) fn format_f64(x: f64) -> String {
    (x + 0.0).to_string()
}

/// Splits a list value on unescaped `|`, unescaping `\|` and `\\`.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    let mut items = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(item)) = (chars.next(), items.last_mut()) {
                    item.push(next);
                }
            }
            '|' => items.push(String::new()),
            c => {
                if let Some(item) = items.last_mut() {
                    item.push(c);
                }
            }
        }
    }
    items
}

/// Joins list items with `|`, escaping `\` and `|` in them.
pub(crate) fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        for c in item.as_ref().chars() {
            if matches!(c, '\\' | '|') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_escapes() {
        let spec = ModelSpec::new("x").with("a", r"1,2\3").with("b", "k=v:w");
        let text = spec.to_string();
        assert_eq!(text, r"x:a=1\,2\\3,b=k=v:w");
        assert_eq!(text.parse::<ModelSpec>().unwrap(), spec);
        assert_eq!("x".parse::<ModelSpec>().unwrap(), ModelSpec::new("x"));
    }

    #[test]
    fn syntax_errors() {
        for (text, reason) in [
            ("", "the model name is empty"),
            (":a=1", "the model name is empty"),
            ("x:", "a parameter is empty"),
            ("x:a=1,", "a parameter is empty"),
            ("x:=1", "a parameter has no key before `=`"),
            ("x:a=1,A=2", "parameter `a` is given twice"),
            ("x:a=1\\", "it ends with a lone backslash"),
        ] {
            match text.parse::<ModelSpec>() {
                Err(ModelError::InvalidSpec { reason: got, .. }) => {
                    assert_eq!(got, reason, "{text}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn lists() {
        let items = ["Direct", "A|B", r"C\D", ""];
        let joined = join_list(&items);
        assert_eq!(joined, r"Direct|A\|B|C\\D|");
        assert_eq!(split_list(&joined), items);
        let spec = ModelSpec::new("last-non-direct").with("direct", joined.clone());
        let back: ModelSpec = spec.to_string().parse().unwrap();
        assert_eq!(back.get("direct"), Some(joined.as_str()));
    }
}
