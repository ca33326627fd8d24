//! Which options the user gave on the command line (as opposed to defaults),
//! so that an option that does nothing can be reported.

use std::collections::BTreeSet;

use clap::ArgMatches;
use clap::parser::ValueSource;

/// The ids (field names, e.g. `half_life`) of the options given on the
/// command line of the subcommand.
#[derive(Debug, Clone, Default)]
pub struct Given(BTreeSet<String>);

impl Given {
    /// The options of `matches` whose value came from the command line.
    pub fn from_matches(matches: &ArgMatches) -> Self {
        Self(
            matches
                .ids()
                .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
                .map(|id| id.as_str().to_owned())
                .collect(),
        )
    }

    /// Whether the option with field name `id` was given.
    pub fn has(&self, id: &str) -> bool {
        self.0.contains(id)
    }

    /// The ids of the options given, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}
