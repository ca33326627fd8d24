//! Serialised states: the versioned envelope ([`StateEnvelope`]) and its
//! errors ([`StateError`]).

use std::cell::RefCell;
use std::fmt::Display;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};

use super::{Merge, ModelSpec};
use crate::error::ModelError;

/// The `format` field of a JSON state.
pub const STATE_FORMAT: &str = "attribution-state";
/// The format version this build writes and reads.
pub const STATE_VERSION: u32 = 1;
/// The first bytes of a binary state.
pub const STATE_MAGIC: [u8; 8] = *b"ATTRSTAT";

/// Why a serialised state could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The data does not start like a state file (another file, or not a
    /// state at all).
    #[error("not an attribution state file")]
    NotAStateFile,
    /// A state file of another format version.
    #[error("state format version {found}, this build reads {supported}")]
    Version {
        /// The file's version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The data is damaged: truncated, not decodable, or a state whose
    /// invariants do not hold.
    #[error("corrupt state: {0}")]
    Corrupt(String),
}

thread_local! {
    /// Why the last state on this thread failed validation: postcard drops
    /// the messages of custom errors, so validation leaves its reason here.
    static INVALID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records why a state being deserialised is invalid (see [`INVALID`]).
pub(crate) fn remember<E: Display>(error: E) -> E {
    INVALID.with(|m| *m.borrow_mut() = Some(error.to_string()));
    error
}

fn forget() {
    INVALID.with(|m| *m.borrow_mut() = None);
}

fn corrupt(what: impl Display) -> ModelError {
    StateError::Corrupt(what.to_string()).into()
}

/// A postcard error, with the reason validation left when there is one.
fn postcard_error(e: &postcard::Error) -> ModelError {
    let reason = INVALID.with(|m| m.borrow_mut().take());
    match (e, reason) {
        (postcard::Error::SerdeDeCustom, Some(reason)) => corrupt(reason),
        (postcard::Error::DeserializeUnexpectedEnd, _) => corrupt("the data is truncated"),
        (e, _) => corrupt(e),
    }
}

/// A state with the spec of the model that made it: what state files hold.
///
/// # Example
///
/// ```
/// use attribution::model::heuristic::Linear;
/// use attribution::model::{StateEnvelope, StateError};
/// use attribution::{Channels, Journey, Merge, Model, ModelError};
///
/// let model = Linear::per_touch();
/// let mut channels = Channels::new();
/// let ids = [channels.intern("PPC")?, channels.intern("Email")?];
/// let mut state = model.new_state();
/// model.observe(&mut state, &Journey::from_channels(&ids, 1, 0, 10.0)?, &channels)?;
///
/// let bytes = StateEnvelope::new(state.clone()).to_bytes()?;
/// assert_eq!(&bytes[..8], b"ATTRSTAT");
/// let back = StateEnvelope::<<Linear as Model>::State>::from_bytes(&bytes)?;
/// assert_eq!(back.spec.to_string(), "linear:split=touch");
/// assert_eq!(back.state, state);
///
/// let json = StateEnvelope::new(state.clone()).to_json()?;
/// assert!(json.contains("\"format\": \"attribution-state\""));
/// let back = StateEnvelope::<<Linear as Model>::State>::from_json(&json)?;
/// assert_eq!(model.finish(&back.state)?, model.finish(&state)?);
///
/// // Damage is a typed error, never a panic.
/// let truncated = StateEnvelope::<<Linear as Model>::State>::from_bytes(&bytes[..bytes.len() - 3]);
/// assert_eq!(
///     truncated.unwrap_err(),
///     ModelError::State(StateError::Corrupt("the data is truncated".to_owned()))
/// );
/// let other = json.replace("\"version\": 1", "\"version\": 7");
/// assert_eq!(
///     StateEnvelope::<<Linear as Model>::State>::from_json(&other).unwrap_err().to_string(),
///     "state format version 7, this build reads 1"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Format (version 1)
///
/// A state is written with the spec of the model that made it, so that a
/// reader can rebuild the model ([`Registry::read_state`]) and check that
/// a state is used with the model it belongs to. Two encodings:
///
/// * **JSON** (for people), one object with the fields
///   * `format`: the string `"attribution-state"`,
///   * `version`: the format version, `1`,
///   * `spec`: the model's canonical spec as text (see [`ModelSpec`]),
///   * `state`: the state's own fields (for heuristics: `spec`, `channels`,
///     per-channel `sums`, totals; for Markov: `spec`, `channels` and
///     `counts`, either `Exact` or `Weighted`, with `states` as
///     channel-index lists and their counts and `edges` as
///     `[from, to, count]`).
/// * **Bytes** (for engines): the 8 bytes `ATTRSTAT` ([`STATE_MAGIC`]),
///   the version as a little-endian `u32`, then the spec and the state in
///   [postcard](https://docs.rs/postcard)'s encoding. The magic and the
///   version come first, so a wrong file is recognised before decoding.
///
/// Floats are written so that they read back bit for bit.
///
/// **Version policy.** The version is bumped whenever the layout of the
/// envelope or of any state changes; readers reject every version but
/// their own ([`StateError::Version`]), never guessing at another layout.
///
/// **Validation.** Reading checks every invariant of the state (vector
/// lengths agree, channel names valid and distinct, channel indices within
/// the table, counts consistent — a Markov state is entered as often as it
/// is left —, totals at most 2^53, values finite), so a state that reads
/// can be merged and finished without panicking. Damage is
/// [`StateError::Corrupt`], naming what is wrong.
///
/// [`Registry::read_state`]: super::Registry::read_state
#[derive(Debug, Clone, PartialEq)]
pub struct StateEnvelope<S> {
    /// The spec of the model that made the state.
    pub spec: ModelSpec,
    /// The state.
    pub state: S,
}

#[derive(Serialize)]
struct JsonOut<'a, S> {
    format: &'static str,
    version: u32,
    spec: &'a ModelSpec,
    state: &'a S,
}

#[derive(Deserialize)]
struct JsonHeader {
    format: String,
    version: u32,
}

#[derive(Deserialize)]
struct JsonIn<S> {
    spec: ModelSpec,
    state: S,
}

#[derive(Deserialize)]
struct JsonSpec {
    spec: ModelSpec,
    #[allow(dead_code)]
    state: IgnoredAny,
}

impl<S: Merge + Serialize + DeserializeOwned> StateEnvelope<S> {
    /// The envelope of `state`, with the state's spec.
    #[must_use]
    pub fn new(state: S) -> Self {
        Self {
            spec: state.spec().clone(),
            state,
        }
    }

    /// The state as pretty-printed JSON (see [`StateEnvelope`]).
    ///
    /// # Errors
    ///
    /// [`StateError::Corrupt`] when the state cannot be encoded (a
    /// non-finite number in an overflowed state).
    pub fn to_json(&self) -> Result<String, ModelError> {
        serde_json::to_string_pretty(&JsonOut {
            format: STATE_FORMAT,
            version: STATE_VERSION,
            spec: &self.spec,
            state: &self.state,
        })
        .map_err(corrupt)
    }

    /// The state as bytes: magic, version, postcard (see the
    /// [`StateEnvelope`]).
    ///
    /// # Errors
    ///
    /// [`StateError::Corrupt`] when the state cannot be encoded.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&STATE_MAGIC);
        out.extend_from_slice(&STATE_VERSION.to_le_bytes());
        let out = postcard::to_extend(&self.spec, out).map_err(corrupt)?;
        postcard::to_extend(&self.state, out).map_err(corrupt)
    }

    /// Reads a JSON state.
    ///
    /// # Errors
    ///
    /// [`StateError::NotAStateFile`] for JSON of another kind,
    /// [`StateError::Version`] for another version,
    /// [`StateError::Corrupt`] for anything that does not decode to a valid
    /// state, or an envelope whose spec differs from its state's.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        check_json_header(text)?;
        let full: JsonIn<S> = serde_json::from_str(text).map_err(corrupt)?;
        Self::checked(full.spec, full.state)
    }

    /// Reads a binary state.
    ///
    /// # Errors
    ///
    /// As [`StateEnvelope::from_json`]; [`StateError::Corrupt`] also for
    /// truncated data or trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let (spec, rest) = binary_spec(bytes)?;
        forget();
        let (state, rest) = postcard::take_from_bytes::<S>(rest).map_err(|e| postcard_error(&e))?;
        if !rest.is_empty() {
            return Err(corrupt(format!("{} bytes after the state", rest.len())));
        }
        Self::checked(spec, state)
    }

    fn checked(spec: ModelSpec, state: S) -> Result<Self, ModelError> {
        if state.spec() != &spec {
            return Err(corrupt(format!(
                "the file's spec `{spec}` differs from its state's `{}`",
                state.spec()
            )));
        }
        Ok(Self { spec, state })
    }
}

/// How a serialised state is encoded.
pub(crate) enum Encoding<'a> {
    Json(&'a str),
    Bytes(&'a [u8]),
}

/// JSON when the data starts (after white space) with `{`, bytes when it
/// starts with [`STATE_MAGIC`].
pub(crate) fn encoding(data: &[u8]) -> Result<Encoding<'_>, ModelError> {
    if data.starts_with(&STATE_MAGIC) {
        return Ok(Encoding::Bytes(data));
    }
    if data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return std::str::from_utf8(data)
            .map(Encoding::Json)
            .map_err(|_| StateError::NotAStateFile.into());
    }
    Err(StateError::NotAStateFile.into())
}

/// The spec of a serialised state (JSON or bytes), without decoding the
/// state itself.
///
/// # Errors
///
/// As [`StateEnvelope::from_json`] and [`StateEnvelope::from_bytes`], for
/// the envelope.
pub fn peek_spec(data: &[u8]) -> Result<ModelSpec, ModelError> {
    match encoding(data)? {
        Encoding::Json(text) => {
            check_json_header(text)?;
            let header: JsonSpec = serde_json::from_str(text).map_err(corrupt)?;
            Ok(header.spec)
        }
        Encoding::Bytes(bytes) => binary_spec(bytes).map(|(spec, _)| spec),
    }
}

fn check_json_header(text: &str) -> Result<(), ModelError> {
    let header: JsonHeader = match serde_json::from_str(text) {
        Ok(h) => h,
        Err(e) if e.is_data() => return Err(StateError::NotAStateFile.into()),
        Err(e) => return Err(corrupt(e)),
    };
    if header.format != STATE_FORMAT {
        return Err(StateError::NotAStateFile.into());
    }
    if header.version != STATE_VERSION {
        return Err(StateError::Version {
            found: header.version,
            supported: STATE_VERSION,
        }
        .into());
    }
    Ok(())
}

/// The spec of a binary state and the bytes after it.
fn binary_spec(bytes: &[u8]) -> Result<(ModelSpec, &[u8]), ModelError> {
    let rest = bytes
        .strip_prefix(&STATE_MAGIC)
        .ok_or(StateError::NotAStateFile)?;
    let (version, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| corrupt("the data is truncated"))?;
    let version = u32::from_le_bytes(*version);
    if version != STATE_VERSION {
        return Err(StateError::Version {
            found: version,
            supported: STATE_VERSION,
        }
        .into());
    }
    forget();
    postcard::take_from_bytes::<ModelSpec>(rest).map_err(|e| postcard_error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_data_is_not_a_state_file() {
        for data in [&b""[..], b"path,total\n", b"[1,2]", b"ATTRSTA"] {
            assert_eq!(
                peek_spec(data),
                Err(ModelError::State(StateError::NotAStateFile)),
                "{data:?}"
            );
        }
        assert_eq!(
            peek_spec(br#"{"format":"other","version":1}"#),
            Err(ModelError::State(StateError::NotAStateFile))
        );
        assert_eq!(
            peek_spec(br#"{"a":1}"#),
            Err(ModelError::State(StateError::NotAStateFile))
        );
        let mut v2 = STATE_MAGIC.to_vec();
        v2.extend_from_slice(&2u32.to_le_bytes());
        assert_eq!(
            peek_spec(&v2),
            Err(ModelError::State(StateError::Version {
                found: 2,
                supported: 1
            }))
        );
    }
}
