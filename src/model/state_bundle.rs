//! [`StateBundle`]: the states of several models in one versioned file.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::state_file::{STATE_FORMAT, STATE_MAGIC, StateError};
use super::{DynModel, DynState, ModelAndState, ModelSpec, Registry};
use crate::error::ModelError;

/// The `format` field of a JSON bundle.
pub const BUNDLE_FORMAT: &str = "attribution-states";
/// The bundle format version this build writes and reads.
pub const BUNDLE_VERSION: u32 = 1;
/// The first bytes of a binary bundle.
pub const BUNDLE_MAGIC: [u8; 8] = *b"ATTRBNDL";

/// The states of several models (one per spec) and free-form meta pairs:
/// what a partition of the data leaves for a later merge.
///
/// # Format (version 1)
///
/// A bundle holds one state per model spec (each a
/// [`StateEnvelope`](super::StateEnvelope), see its format) and free-form `meta` pairs (what the writer knows about the
/// data, e.g. whether the input had a value column). Two encodings:
///
/// * **JSON** (for people), one object with the fields
///   * `format`: the string `"attribution-states"`,
///   * `version`: the bundle format version, `1`,
///   * `meta`: an object of string values,
///   * `states`: an array of JSON state envelopes (objects whose `format`
///     is `"attribution-state"`).
/// * **Bytes** (for engines): the 8 bytes `ATTRBNDL` ([`BUNDLE_MAGIC`]),
///   the version as a little-endian `u32`, then in
///   [postcard](https://docs.rs/postcard)'s encoding the `meta` pairs and
///   the list of states, each the bytes of a binary state envelope.
///
/// A single state envelope (JSON or bytes) reads as a bundle of one state
/// without meta. The version policy is the envelope's: the version is
/// bumped whenever the layout changes, and readers reject every version but
/// their own ([`StateError::Version`](super::StateError::Version)). Reading validates every state (as
/// [`Registry::read_state`] does) and refuses two states of one spec.
///
/// # Example
///
/// ```
/// use attribution::model::{Registry, StateBundle};
/// use attribution::{Channels, Journey};
///
/// let registry = Registry::builtin();
/// // One bundle per day file, each read with its own channel table.
/// let day = |names: &[&str]| -> Result<StateBundle, Box<dyn std::error::Error>> {
///     let mut channels = Channels::new();
///     let ids = names.iter().map(|n| channels.intern(n)).collect::<Result<Vec<_>, _>>()?;
///     let journey = Journey::from_channels(&ids, 1, 0, 10.0)?;
///     let mut bundle = StateBundle::new();
///     for spec in ["linear", "markov:order=2"] {
///         let model = registry.parse(spec)?;
///         let mut state = model.new_state();
///         model.observe(state.as_mut(), &journey, &channels)?;
///         bundle.push(model, state)?;
///     }
///     bundle.set_meta("source", "day");
///     Ok(bundle)
/// };
/// let bytes = day(&["PPC", "Email"])?.to_bytes()?;
/// let json = day(&["Email", "Direct"])?.to_json()?;
///
/// let mut merged = StateBundle::read(&registry, &bytes)?;
/// merged.merge(&StateBundle::read(&registry, json.as_bytes())?)?;
/// assert_eq!(merged.meta("source"), Some("day"));
/// let linear = merged.finish_all()?.remove(0);
/// let names: Vec<&str> = linear.channels().iter().map(|c| c.name.as_str()).collect();
/// assert_eq!(names, ["PPC", "Email", "Direct"]);
/// assert_eq!(linear.get("Email").map(|c| c.conversions), Some(1.0));
///
/// // Bundles of other specs do not merge; damage is a typed error.
/// let mut other = StateBundle::new();
/// let model = registry.parse("markov:order=3")?;
/// let state = model.new_state();
/// other.push(model, state)?;
/// assert!(merged.merge(&other).is_err());
/// assert_eq!(
///     StateBundle::read(&registry, &bytes[..bytes.len() - 1]).unwrap_err().to_string(),
///     "corrupt state: the data is truncated"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct StateBundle {
    meta: Vec<(String, String)>,
    entries: Vec<ModelAndState>,
}

impl std::fmt::Debug for StateBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let specs: Vec<String> = self.specs().map(ToString::to_string).collect();
        f.debug_struct("StateBundle")
            .field("meta", &self.meta)
            .field("specs", &specs)
            .finish_non_exhaustive()
    }
}

/// The binary layout after the magic and the version.
#[derive(Serialize, Deserialize)]
struct BundleRepr {
    meta: Vec<(String, String)>,
    states: Vec<Vec<u8>>,
}

fn corrupt(what: impl std::fmt::Display) -> ModelError {
    StateError::Corrupt(what.to_string()).into()
}

/// An error of the state at `index` (0-based), naming it: inside a bundle,
/// a state that is not one, or of another version, is damage too.
fn in_state(index: usize, e: ModelError) -> ModelError {
    match e {
        ModelError::State(StateError::Corrupt(m)) => corrupt(format!("state #{index}: {m}")),
        ModelError::State(e) => corrupt(format!("state #{index}: {e}")),
        e => e,
    }
}

impl StateBundle {
    /// An empty bundle.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `state`, a state of `model`.
    ///
    /// # Errors
    ///
    /// [`ModelError::WrongState`] when the state's spec is not the model's;
    /// [`StateError::Corrupt`] when the bundle holds a state of this spec
    /// already.
    pub fn push(
        &mut self,
        model: Box<dyn DynModel>,
        state: Box<dyn DynState>,
    ) -> Result<(), ModelError> {
        let spec = model.spec();
        if state.spec() != &spec {
            return Err(ModelError::WrongState {
                model: spec.to_string(),
                state: Some(state.spec().to_string()),
            });
        }
        if self.specs().any(|s| s == &spec) {
            return Err(corrupt(format!("two states of `{spec}`")));
        }
        self.entries.push((model, state));
        Ok(())
    }

    /// Sets the meta value of `key` (replacing a previous one).
    pub fn set_meta(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let (key, value) = (key.into(), value.into());
        match self.meta.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.meta.push((key, value)),
        }
    }

    /// The meta value of `key`.
    #[must_use]
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every meta pair, in the order set (read from JSON: sorted by key).
    #[must_use]
    pub fn meta_pairs(&self) -> &[(String, String)] {
        &self.meta
    }

    /// The specs of the states, in order.
    #[must_use]
    pub fn specs(&self) -> impl ExactSizeIterator<Item = &ModelSpec> + '_ {
        self.entries.iter().map(|(_, state)| state.spec())
    }

    /// The models and their states, in order.
    #[must_use]
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&dyn DynModel, &dyn DynState)> + '_ {
        self.entries
            .iter()
            .map(|(model, state)| (model.as_ref(), state.as_ref()))
    }

    /// The models and their states, by value.
    #[must_use]
    pub fn into_entries(self) -> Vec<ModelAndState> {
        self.entries
    }

    /// The number of states.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the bundle holds no state.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Merges every state of `other` into the state of the same spec
    /// (channels remapped by name, see [`Merge::merge`]). The meta pairs of
    /// `self` are kept.
    ///
    /// # Errors
    ///
    /// [`ModelError::MismatchedStates`] when the bundles do not hold states
    /// of the same specs (in any order); as [`Merge::merge`]. On error
    /// `self` is unchanged.
    ///
    /// [`Merge::merge`]: crate::Merge::merge
    pub fn merge(&mut self, other: &Self) -> Result<(), ModelError> {
        let same = self.len() == other.len() && self.specs().all(|s| other.specs().any(|o| o == s));
        if !same {
            return Err(ModelError::MismatchedStates {
                left: self.specs().map(ToString::to_string).collect(),
                right: other.specs().map(ToString::to_string).collect(),
            });
        }
        let mut merged: Vec<Box<dyn DynState>> = Vec::with_capacity(self.len());
        for (model, state) in &self.entries {
            let mut state = state.clone();
            if let Some((_, theirs)) = other.entries.iter().find(|(_, o)| o.spec() == state.spec())
            {
                model.merge(state.as_mut(), theirs.as_ref())?;
            }
            merged.push(state);
        }
        for ((_, state), new) in self.entries.iter_mut().zip(merged) {
            *state = new;
        }
        Ok(())
    }

    /// Finishes every state, in order ([`DynModel::finish`]).
    ///
    /// # Errors
    ///
    /// As [`DynModel::finish`].
    pub fn finish_all(&self) -> Result<Vec<crate::Attribution>, ModelError> {
        self.entries()
            .map(|(model, state)| model.finish(state))
            .collect()
    }

    /// The bundle as bytes (see [`StateBundle`] for the format).
    ///
    /// # Errors
    ///
    /// As [`DynModel::state_to_bytes`].
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let states = self
            .entries()
            .map(|(model, state)| model.state_to_bytes(state))
            .collect::<Result<Vec<_>, _>>()?;
        let repr = BundleRepr {
            meta: self.meta.clone(),
            states,
        };
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&BUNDLE_MAGIC);
        out.extend_from_slice(&BUNDLE_VERSION.to_le_bytes());
        postcard::to_extend(&repr, out).map_err(corrupt)
    }

    /// The bundle as pretty-printed JSON (see [`StateBundle`] for the format).
    ///
    /// # Errors
    ///
    /// As [`DynModel::state_to_json`].
    pub fn to_json(&self) -> Result<String, ModelError> {
        // Assembled from the states' own pretty JSON (indenting a line of
        // pretty JSON never changes it: strings hold no raw newline), so
        // that every object keeps its field order: `format` and `version`
        // first.
        let indent = |text: &str, out: &mut String| {
            for (i, line) in text.lines().enumerate() {
                if i > 0 {
                    out.push_str("\n    ");
                }
                out.push_str(line);
            }
        };
        let meta: Map<String, Value> = self
            .meta
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let mut out = format!(
            "{{\n  \"format\": \"{BUNDLE_FORMAT}\",\n  \"version\": {BUNDLE_VERSION},\n  \"meta\": "
        );
        let meta = serde_json::to_string_pretty(&meta).map_err(corrupt)?;
        for (i, line) in meta.lines().enumerate() {
            if i > 0 {
                out.push_str("\n  ");
            }
            out.push_str(line);
        }
        out.push_str(",\n  \"states\": [");
        for (i, (model, state)) in self.entries().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            indent(&model.state_to_json(state)?, &mut out);
        }
        out.push_str(if self.is_empty() { "]\n}" } else { "\n  ]\n}" });
        Ok(out)
    }

    /// Reads a bundle, JSON or bytes, or a single state envelope (a bundle
    /// of one), building each state's model with `registry`.
    ///
    /// # Errors
    ///
    /// [`StateError::NotAStateFile`] for data of another kind,
    /// [`StateError::Version`] for another version, [`StateError::Corrupt`]
    /// for damaged data (naming the state: `state #2: …`) or two states of
    /// one spec; [`ModelError::UnknownModel`] for a model the registry
    /// lacks; as [`Registry::read_state`].
    pub fn read(registry: &Registry, data: &[u8]) -> Result<Self, ModelError> {
        if data.starts_with(&STATE_MAGIC) {
            return Self::one(registry.read_state(data)?);
        }
        if let Some(rest) = data.strip_prefix(&BUNDLE_MAGIC) {
            return Self::read_bytes(registry, rest);
        }
        if data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            return Self::read_json(registry, data);
        }
        Err(StateError::NotAStateFile.into())
    }

    fn one((model, state): ModelAndState) -> Result<Self, ModelError> {
        let mut bundle = Self::new();
        bundle.push(model, state)?;
        Ok(bundle)
    }

    fn read_bytes(registry: &Registry, rest: &[u8]) -> Result<Self, ModelError> {
        let (version, rest) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| corrupt("the data is truncated"))?;
        check_version(u32::from_le_bytes(*version))?;
        let (repr, rest) = postcard::take_from_bytes::<BundleRepr>(rest).map_err(|e| match e {
            postcard::Error::DeserializeUnexpectedEnd => corrupt("the data is truncated"),
            e => corrupt(e),
        })?;
        if !rest.is_empty() {
            return Err(corrupt(format!("{} bytes after the states", rest.len())));
        }
        let mut bundle = Self::new();
        for (i, bytes) in repr.states.iter().enumerate() {
            let (model, state) = registry.read_state(bytes).map_err(|e| in_state(i, e))?;
            bundle.push(model, state).map_err(|e| in_state(i, e))?;
        }
        bundle.meta = repr.meta;
        Ok(bundle)
    }

    fn read_json(registry: &Registry, data: &[u8]) -> Result<Self, ModelError> {
        let text = std::str::from_utf8(data).map_err(|_| StateError::NotAStateFile)?;
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) if e.is_syntax() || e.is_eof() => return Err(corrupt(e)),
            Err(_) => return Err(StateError::NotAStateFile.into()),
        };
        let Value::Object(mut object) = value else {
            return Err(StateError::NotAStateFile.into());
        };
        match object.get("format").and_then(Value::as_str) {
            Some(STATE_FORMAT) => return Self::one(registry.read_state(data)?),
            Some(BUNDLE_FORMAT) => {}
            _ => return Err(StateError::NotAStateFile.into()),
        }
        let version = object
            .get("version")
            .and_then(Value::as_u64)
            .ok_or_else(|| corrupt("the bundle has no version"))?;
        check_version(u32::try_from(version).unwrap_or(u32::MAX))?;
        let meta = match object.remove("meta") {
            None => Vec::new(),
            Some(Value::Object(meta)) => meta
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(v) => Ok((k, v)),
                    _ => Err(corrupt(format!("meta `{k}` is not a string"))),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(corrupt("`meta` is not an object")),
        };
        let Some(Value::Array(states)) = object.remove("states") else {
            return Err(corrupt("`states` is not an array"));
        };
        let mut bundle = Self::new();
        for (i, state) in states.iter().enumerate() {
            let text = serde_json::to_string(state).map_err(|e| in_state(i, corrupt(e)))?;
            let (model, state) = registry
                .read_state(text.as_bytes())
                .map_err(|e| in_state(i, e))?;
            bundle.push(model, state).map_err(|e| in_state(i, e))?;
        }
        bundle.meta = meta;
        Ok(bundle)
    }
}

fn check_version(found: u32) -> Result<(), ModelError> {
    if found == BUNDLE_VERSION {
        Ok(())
    } else {
        Err(StateError::Version {
            found,
            supported: BUNDLE_VERSION,
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Channels, Journey};

    fn bundle(registry: &Registry, specs: &[&str], names: &[&str]) -> StateBundle {
        let mut channels = Channels::new();
        let ids: Vec<_> = names.iter().map(|n| channels.intern(n).unwrap()).collect();
        let journey = Journey::from_channels(&ids, 2, 1, 7.5).unwrap();
        let mut bundle = StateBundle::new();
        for spec in specs {
            let model = registry.parse(spec).unwrap();
            let mut state = model.new_state();
            model.observe(state.as_mut(), &journey, &channels).unwrap();
            bundle.push(model, state).unwrap();
        }
        bundle.set_meta("value_column", "true");
        bundle
    }

    #[test]
    fn bytes_and_json_round_trip_every_model() {
        let registry = Registry::builtin();
        let specs: Vec<String> = registry
            .names()
            .iter()
            .filter(|n| **n != "time-decay")
            .map(|n| (*n).to_owned())
            .chain(["markov:order=2".to_owned()])
            .collect();
        let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
        let original = bundle(&registry, &specs, &["A", "B", "A"]);
        let expected = original.finish_all().unwrap();
        for data in [
            original.to_bytes().unwrap(),
            original.to_json().unwrap().into_bytes(),
        ] {
            let back = StateBundle::read(&registry, &data).unwrap();
            assert_eq!(back.finish_all().unwrap(), expected);
            assert_eq!(back.meta_pairs(), original.meta_pairs());
            let specs: Vec<&ModelSpec> = back.specs().collect();
            assert_eq!(specs, original.specs().collect::<Vec<_>>());
        }
        let empty = StateBundle::new();
        for data in [
            empty.to_bytes().unwrap(),
            empty.to_json().unwrap().into_bytes(),
        ] {
            assert!(StateBundle::read(&registry, &data).unwrap().is_empty());
        }
        let mut quoted = StateBundle::new();
        quoted.set_meta("a \"key\"\n", "a \\ value");
        let back = StateBundle::read(&registry, quoted.to_json().unwrap().as_bytes()).unwrap();
        assert_eq!(back.meta("a \"key\"\n"), Some("a \\ value"));
    }

    #[test]
    fn merge_is_by_spec_and_by_channel_name() {
        let registry = Registry::builtin();
        let mut left = bundle(&registry, &["linear", "markov"], &["A", "B"]);
        let right = bundle(&registry, &["markov", "linear"], &["C", "A"]);
        left.merge(&right).unwrap();
        let results = left.finish_all().unwrap();
        assert_eq!(results.len(), 2);
        let names: Vec<&str> = results[0]
            .channels()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(results[0].get("A").map(|c| c.conversions), Some(2.0));
        assert_eq!(results[0].model(), "linear");
        assert_eq!(results[1].model(), "markov");
    }

    #[test]
    fn mismatched_bundles_do_not_merge_and_stay_unchanged() {
        let registry = Registry::builtin();
        let mut left = bundle(&registry, &["linear", "markov"], &["A", "B"]);
        let before = left.finish_all().unwrap();
        for specs in [
            &["linear"][..],
            &["linear", "markov:order=2"],
            &["linear", "markov", "first-touch"],
        ] {
            let right = bundle(&registry, specs, &["C"]);
            let e = left.merge(&right).unwrap_err();
            assert!(matches!(e, ModelError::MismatchedStates { .. }), "{e}");
            assert_eq!(left.finish_all().unwrap(), before);
        }
        let right = bundle(&registry, &["linear", "markov:order=2"], &["C"]);
        assert_eq!(
            left.merge(&right).unwrap_err().to_string(),
            "the states of `linear:split=touch`, `markov:order=1,max_steps=none,self_loops=false` \
             do not match the states of `linear:split=touch`, \
             `markov:order=2,max_steps=none,self_loops=false`: only states of the same model \
             specs merge"
        );
    }

    #[test]
    fn push_refuses_a_second_state_of_one_spec_and_a_foreign_state() {
        let registry = Registry::builtin();
        let mut b = StateBundle::new();
        let model = registry.parse("linear").unwrap();
        let state = model.new_state();
        b.push(model, state.clone()).unwrap();
        let again = registry.parse("linear:split=touch").unwrap();
        assert_eq!(
            b.push(again, state.clone()).unwrap_err().to_string(),
            "corrupt state: two states of `linear:split=touch`"
        );
        let markov = registry.parse("markov").unwrap();
        assert!(matches!(
            b.push(markov, state),
            Err(ModelError::WrongState { .. })
        ));
    }

    #[test]
    fn single_envelopes_read_as_bundles_of_one() {
        let registry = Registry::builtin();
        let b = bundle(&registry, &["markov:order=2"], &["A", "B"]);
        let (model, state) = b.entries().next().unwrap();
        for data in [
            model.state_to_bytes(state).unwrap(),
            model.state_to_json(state).unwrap().into_bytes(),
        ] {
            let one = StateBundle::read(&registry, &data).unwrap();
            assert_eq!(one.len(), 1);
            assert_eq!(one.finish_all().unwrap(), b.finish_all().unwrap());
            assert!(one.meta_pairs().is_empty());
        }
    }

    #[test]
    fn damage_is_a_typed_error_at_every_truncation() {
        let registry = Registry::builtin();
        let b = bundle(&registry, &["linear", "markov:order=2"], &["A", "B"]);
        let bytes = b.to_bytes().unwrap();
        for len in 0..bytes.len() {
            let e = StateBundle::read(&registry, &bytes[..len]).unwrap_err();
            assert!(matches!(e, ModelError::State(_)), "{len}: {e}");
        }
        let json = b.to_json().unwrap();
        for len in 0..json.len() {
            if json.is_char_boundary(len) {
                let e = StateBundle::read(&registry, &json.as_bytes()[..len]).unwrap_err();
                assert!(matches!(e, ModelError::State(_)), "{len}: {e}");
            }
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            StateBundle::read(&registry, &longer)
                .unwrap_err()
                .to_string(),
            "corrupt state: 1 bytes after the states"
        );
        let mut v2 = bytes.clone();
        v2[8] = 2;
        assert_eq!(
            StateBundle::read(&registry, &v2).unwrap_err().to_string(),
            "state format version 2, this build reads 1"
        );
        let json_v7 = json.replacen("\"version\": 1", "\"version\": 7", 1);
        assert_eq!(
            StateBundle::read(&registry, json_v7.as_bytes())
                .unwrap_err()
                .to_string(),
            "state format version 7, this build reads 1"
        );
        for foreign in [
            &b"path,total_conversions\nA,1\n"[..],
            b"[1]",
            b"{\"a\": 1}",
            b"",
        ] {
            assert_eq!(
                StateBundle::read(&registry, foreign).unwrap_err(),
                ModelError::State(StateError::NotAStateFile),
                "{foreign:?}"
            );
        }
    }

    #[test]
    fn a_damaged_state_inside_is_named() {
        let registry = Registry::builtin();
        let b = bundle(&registry, &["linear", "first-touch"], &["A", "B"]);
        let mut bytes = b.to_bytes().unwrap();
        let inner = bytes
            .windows(STATE_MAGIC.len())
            .rposition(|w| w == STATE_MAGIC)
            .unwrap();
        bytes[inner] = b'X';
        assert_eq!(
            StateBundle::read(&registry, &bytes)
                .unwrap_err()
                .to_string(),
            "corrupt state: state #1: not an attribution state file"
        );
        let json = b.to_json().unwrap();
        // The second state's spec no longer matches its own state's.
        let damaged = json.replacen("\"spec\": \"first-touch\"", "\"spec\": \"last-touch\"", 1);
        assert_ne!(damaged, json);
        let e = StateBundle::read(&registry, damaged.as_bytes()).unwrap_err();
        assert!(
            e.to_string().starts_with("corrupt state: state #1: "),
            "{e}"
        );
        let unknown = json.replacen("\"spec\": \"first-touch\"", "\"spec\": \"toy\"", 1);
        assert!(matches!(
            StateBundle::read(&registry, unknown.as_bytes()),
            Err(ModelError::UnknownModel { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let registry = Registry::builtin();
            let mut data = BUNDLE_MAGIC.to_vec();
            data.extend_from_slice(&BUNDLE_VERSION.to_le_bytes());
            data.extend_from_slice(&tail);
            let _ = StateBundle::read(&registry, &data);
            let _ = StateBundle::read(&registry, &tail);
        }
    }
}
