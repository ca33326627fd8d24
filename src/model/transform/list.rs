//! [`Transforms`]: a validated list of path transforms.

use std::fmt;

use crate::channel::Channels;
use crate::error::ModelError;
use crate::journey::Journey;
use crate::model::ModelSpec;
use crate::model::spec::{join_list, split_list};

use super::PathTransform;

/// The spec key under which a model's transforms travel (`transform=…`).
pub const TRANSFORM_KEY: &str = "transform";

/// A list of [`PathTransform`]s, applied in order; validated (`frequency`
/// last). The empty list is the identity.
///
/// [`fmt::Display`] joins the transforms with ` | ` (as people write the
/// list); [`Transforms::spec_value`] joins them with `|` as a spec value
/// (`markov:order=2,transform=trim-last:2|exposure`), escaping `|` and `\`
/// in channel names.
///
/// ```
/// use attribution::transform::Transforms;
/// use attribution::{Channels, Journey};
///
/// let list = Transforms::parse(["trim-last:2", "exposure"])?;
/// assert_eq!(list.to_string(), "trim-last:2 | exposure");
/// assert_eq!(list.spec_value(), "trim-last:2|exposure");
/// assert_eq!(Transforms::from_spec_value("trim-last:2 | exposure")?, list);
///
/// let mut channels = Channels::new();
/// let (a, b) = (channels.intern("A")?, channels.intern("B")?);
/// let journey = Journey::from_channels(&[a, b, b, a, a], 1, 0, 5.0)?;
/// let out = list.apply(&journey, &channels);
/// assert_eq!(out.channels().collect::<Vec<_>>(), [a]);
/// assert_eq!((out.conversions(), out.value()), (1, 5.0));
///
/// assert_eq!(
///     Transforms::parse(["frequency", "exposure"]).unwrap_err().to_string(),
///     "invalid path transform #1 `frequency`: `frequency` must be the last transform of the list"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Transforms {
    list: Vec<PathTransform>,
}

impl Transforms {
    /// The empty list (the identity).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A list of parsed transforms, validated.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidTransform`] when `frequency` is not last.
    pub fn from_list(list: Vec<PathTransform>) -> Result<Self, ModelError> {
        let last = list.len();
        if let Some(i) = list
            .iter()
            .position(|t| *t == PathTransform::Frequency)
            .filter(|&i| i + 1 < last)
        {
            return Err(ModelError::InvalidTransform {
                position: i + 1,
                text: PathTransform::Frequency.to_string(),
                reason: "`frequency` must be the last transform of the list".to_owned(),
            });
        }
        Ok(Self { list })
    }

    /// Parses each text (see [`PathTransform::parse`]) and validates the
    /// list.
    ///
    /// # Errors
    ///
    /// [`ModelError::InvalidTransform`] naming the 1-based position and the
    /// text of the first bad transform.
    pub fn parse<I, S>(texts: I) -> Result<Self, ModelError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let list = texts
            .into_iter()
            .enumerate()
            .map(|(i, t)| PathTransform::parse(t.as_ref(), i + 1))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_list(list)
    }

    /// Parses a spec value: transforms separated by `|` (`\|` is a literal
    /// `|`, `\\` a backslash); an empty value is the empty list.
    ///
    /// # Errors
    ///
    /// As [`Transforms::parse`].
    pub fn from_spec_value(value: &str) -> Result<Self, ModelError> {
        if value.trim().is_empty() {
            return Ok(Self::new());
        }
        Self::parse(split_list(value))
    }

    /// The list as a spec value: the transforms' texts joined with `|`,
    /// escaped (see [`Transforms::from_spec_value`]).
    #[must_use]
    pub fn spec_value(&self) -> String {
        let texts: Vec<String> = self.list.iter().map(ToString::to_string).collect();
        join_list(&texts)
    }

    /// The transforms, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[PathTransform] {
        &self.list
    }

    /// Whether the list holds `frequency`, so that journeys come out with
    /// frequency tokens (see [`Journey::tags`]).
    #[must_use]
    pub fn makes_tokens(&self) -> bool {
        self.list.contains(&PathTransform::Frequency)
    }

    /// Whether the list is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether applying the list changes nothing on any path: it is empty
    /// or holds only `unique`.
    #[must_use]
    pub fn is_identity(&self) -> bool {
        self.list.iter().all(|t| *t == PathTransform::Unique)
    }

    /// The list without its `unique` entries: what a model's canonical
    /// spec carries, so that `unique` and no transform are the same spec.
    #[must_use]
    pub fn canonical(&self) -> Self {
        Self {
            list: self
                .list
                .iter()
                .filter(|t| **t != PathTransform::Unique)
                .cloned()
                .collect(),
        }
    }

    /// The channels the remove transforms name, in list order.
    pub fn removed_channels(&self) -> impl Iterator<Item = &str> + '_ {
        self.list.iter().filter_map(PathTransform::channel)
    }

    /// `journey` transformed, with its outcome, times, id and journey
    /// index (allocates; [`super::Transformer`] reuses its buffers
    /// instead). `channels` is the table the journey's ids refer to: remove
    /// transforms look their channel up in it by name, and are no-ops when
    /// it lacks the name.
    #[must_use]
    pub fn apply(&self, journey: &Journey, channels: &Channels) -> Journey {
        let mut transformer = super::Transformer::new();
        let out = transformer.journey(self, journey, channels).clone();
        match journey.id() {
            Some(id) => out.with_id(id),
            None => out,
        }
    }

    /// Splits the `transform` key off `spec`: the spec without it and the
    /// transforms it gave (empty when absent).
    ///
    /// # Errors
    ///
    /// As [`Transforms::from_spec_value`].
    pub fn split_spec(spec: &ModelSpec) -> Result<(ModelSpec, Self), ModelError> {
        let is_key = |k: &str| k.trim().eq_ignore_ascii_case(TRANSFORM_KEY);
        let Some((_, value)) = spec.params.iter().find(|(k, _)| is_key(k)) else {
            return Ok((spec.clone(), Self::new()));
        };
        let transforms = Self::from_spec_value(value)?;
        let inner = ModelSpec {
            name: spec.name.clone(),
            params: spec
                .params
                .iter()
                .filter(|(k, _)| !is_key(k))
                .cloned()
                .collect(),
        };
        Ok((inner, transforms))
    }
}

impl fmt::Display for Transforms {
    /// The transforms' texts joined with ` | ` (`trim-last:2 | exposure`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.list.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}
