//! `attribution journeys`: build journeys and write them in the `journeys` shape.

use attribution::io::write_journeys;

use crate::args::JourneysArgs;
use crate::error::CliError;
use crate::given::Given;
use crate::source::collect_journeys;

pub fn run(args: &JourneysArgs, given: &Given) -> Result<(), CliError> {
    crate::checks::input_options(&args.input, &args.build, given, false)?;
    let set = collect_journeys(&args.input, &args.build)?;
    let mut out = crate::open_output(args.output.as_deref())?;
    write_journeys(&set, &mut out, &format!(" {} ", args.input.sep.trim()))
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Other(format!("cannot write output: {e}")))
}
