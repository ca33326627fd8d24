//! The standard streams: diagnostics on stderr, which never fail a run, and
//! whether stdout was closed before the run started.

use std::io::Write;

/// Writes `text` and a newline on stderr. A diagnostic that cannot be
/// written (stderr closed or full) is dropped: it must not panic nor change
/// the outcome of the run.
pub fn diagnostic(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}").and_then(|()| stderr.flush());
}

/// Whether the process started with no standard output (`attribution … >&-`).
///
/// The Rust runtime reopens a closed descriptor 0–2 on `/dev/null` before
/// `main`, so output written to such a stdout vanishes without an error; the
/// descriptor is therefore probed by an ELF constructor, which runs before
/// the runtime does.
pub fn stdout_was_closed() -> bool {
    #[cfg(target_os = "linux")]
    {
        probe::STDOUT_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

// The only `unsafe` of the workspace's code (the lint is denied everywhere
// else, forbidden in the library): one libc call and an ELF constructor.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod probe {
    use std::sync::atomic::{AtomicBool, Ordering};

    pub static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

    extern "C" fn probe_stdout() {
        // SAFETY: F_GETFD only reads the descriptor's flags; it fails (EBADF)
        // exactly when descriptor 1 is not open.
        let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1;
        STDOUT_CLOSED.store(closed, Ordering::Relaxed);
    }

    /// Run by the dynamic loader before `main` (and before the runtime's
    /// descriptor sanitising).
    #[used]
    #[unsafe(link_section = ".init_array")]
    static PROBE: extern "C" fn() = probe_stdout;
}
