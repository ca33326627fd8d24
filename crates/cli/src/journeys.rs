//! `attribution journeys`: build journeys and write them in the `journeys` shape.

use attribution::io::write_journeys;

use crate::args::JourneysArgs;
use crate::error::{CliError, write_failed};
use crate::given::Given;
use crate::source::collect_journeys;

pub fn run(args: &JourneysArgs, given: &Given) -> Result<(), CliError> {
    crate::checks::input_options(&args.input, &args.build, given, false)?;
    let set = collect_journeys(&args.input, &args.build)?;
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
