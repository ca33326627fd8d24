//! `attribution journeys`: build journeys and write them in the `journeys` shape.

use attribution::io::write_journeys;
use attribution::transform::Transforms;
use attribution::{Channels, JourneySet};

use crate::args::JourneysArgs;
use crate::error::{CliError, write_failed};
use crate::given::Given;
use crate::source::collect_journeys;

pub fn run(args: &JourneysArgs, given: &Given) -> Result<(), CliError> {
    crate::checks::input_options(&args.input, &args.build, given, false)?;
    let transforms = Transforms::parse(&args.transform)?;
    let mut set = collect_journeys(&args.input, &args.build)?;
    if !transforms.is_identity() {
        warn_absent_channels(&args.transform, set.channels());
        let (channels, journeys) = set.into_parts();
        set = JourneySet::new(channels);
        for journey in &journeys {
            set.push(transforms.apply(journey, set.channels()))
                .map_err(|e| CliError::Other(format!("internal: {e}")))?;
        }
    }
    let mut out = crate::open_output(args.output.as_deref())?;
    write_journeys(&set, &mut out, &format!(" {} ", args.input.sep.trim()))
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            // A journey the journeys shape cannot represent (e.g. a channel
            // name containing the separator): a matter of the data.
            std::io::ErrorKind::InvalidInput => CliError::Input(e.to_string()),
            _ => write_failed(e),
        })
}

/// Warns once per remove transform of `texts` whose channel never occurs in
/// the input (`channels`): the transform does nothing.
pub fn warn_absent_channels(texts: &[String], channels: &Channels) {
    let Ok(transforms) = Transforms::parse(texts) else {
        return;
    };
    for (transform, text) in transforms.as_slice().iter().zip(texts) {
        let Some(name) = transform.channel() else {
            continue;
        };
        if channels.get(name).is_none() {
            crate::warn::warning(format!(
                "--transform {}: channel `{name}` never occurs in the input; the transform does nothing",
                text.trim()
            ));
        }
    }
}
