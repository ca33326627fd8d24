//! Serialised states: the versioned envelope and its errors.

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
