//! Opening the input (a file or `-` for stdin) with a progress bar on stderr.

use std::fs::File;
use std::io::{self, IsTerminal, Read};

use indicatif::ProgressBar;

use crate::error::CliError;
use crate::progress::Progress;

/// Files smaller than this are read without a progress bar.
const PROGRESS_MIN_BYTES: u64 = 16 * 1024 * 1024;

/// An opened input and its (possibly hidden) progress bar, cleared when
/// `progress` is dropped.
pub struct Input {
    pub reader: Box<dyn Read>,
    pub progress: Progress,
}

impl Input {
    /// Opens `name` (`-` is stdin). The progress bar is drawn only when
    /// stderr is a terminal, and the input is a regular file of 16 MiB or
    /// more, a FIFO, or a stdin that is not a terminal. Once the input is
    /// read to its end the bar becomes a spinner showing `after` (e.g.
    /// `building journeys`), if given.
    ///
    /// # Errors
    ///
    /// [`CliError::Input`] when the file cannot be opened or is a directory
    /// (the caller prefixes the input's name).
    pub fn open(name: &str, after: Option<&'static str>) -> Result<Self, CliError> {
        if name == "-" {
            let stdin = io::stdin();
            let progress = if stdin.is_terminal() {
                // Typed by hand: a spinner would only get in the way.
                Progress::hidden()
            } else {
                Progress::bytes(None)
            };
            let reader = Tracked::new(stdin.lock(), progress.bar(), after);
            return Ok(Self {
                reader: Box::new(reader),
                progress,
            });
        }
        let file = File::open(name).map_err(|e| CliError::Input(format!("cannot open: {e}")))?;
        let metadata = file
            .metadata()
            .map_err(|e| CliError::Input(format!("cannot open: {e}")))?;
        if metadata.is_dir() {
            return Err(CliError::Input(
                "is a directory; expected a CSV file".to_owned(),
            ));
        }
        let len = metadata.len();
        let progress = if metadata.is_file() && len < PROGRESS_MIN_BYTES {
            Progress::hidden()
        } else {
            Progress::bytes(Some(len).filter(|_| metadata.is_file()))
        };
        let reader = Tracked::new(
            io::BufReader::with_capacity(1 << 20, file),
            progress.bar(),
            after,
        );
        Ok(Self {
            reader: Box::new(reader),
            progress,
        })
    }
}

/// A reader that advances a progress bar, and relabels it at the end.
struct Tracked<R> {
    inner: R,
    bar: ProgressBar,
    after: Option<&'static str>,
}

impl<R> Tracked<R> {
    fn new(inner: R, bar: &ProgressBar, after: Option<&'static str>) -> Self {
        Self {
            inner,
            bar: bar.clone(),
            after,
        }
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.bar.inc(u64::try_from(n).unwrap_or(u64::MAX));
        } else if !buf.is_empty() {
            if let Some(message) = self.after.take() {
                Progress::switch_to_phase(&self.bar, message);
            }
        }
        Ok(n)
    }
}
