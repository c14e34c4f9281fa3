//! Running a search from Python: off the interpreter (the GIL released, so
//! other Python threads run) on a worker thread, while the calling thread
//! wakes every [`POLL`] to let Python handle its signals. When a signal
//! handler raises (Ctrl-C: `KeyboardInterrupt`), the search is cancelled
//! ([`nnc::Cancel`]), stops within a partition candidate, and the
//! exception propagates.

use crate::errors;
use nnc::Cancel;
use pyo3::prelude::*;
use std::sync::mpsc;
use std::time::Duration;

/// How often the caller checks for signals while a search runs.
const POLL: Duration = Duration::from_millis(50);

/// Runs `work` with a fresh [`Cancel`] on `threads` worker threads (`None`:
/// rayon's global pool, one per core), the GIL released; a Python signal
/// handler's exception cancels it and is returned.
pub(crate) fn cancellable<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    work: impl FnOnce(&Cancel) -> T + Send,
) -> PyResult<T> {
    let pool = match threads {
        None => None,
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| errors::usage(format!("cannot start {n} threads: {e}")))?,
        ),
    };
    let cancel = Cancel::new();
    let (pool, stop) = (&pool, &cancel);
    py.detach(|| {
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel();
            let worker = scope.spawn(move || {
                let result = match pool {
                    None => work(stop),
                    Some(pool) => pool.install(|| work(stop)),
                };
                // The caller may have left on a signal: no one to tell.
                let _ = tx.send(result);
            });
            loop {
                match rx.recv_timeout(POLL) {
                    Ok(result) => return Ok(result),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
                            cancel.cancel();
                            // The search stops at its next check.
                            let _ = worker.join();
                            return Err(e);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        // The worker panicked: re-raise it as Rust would.
                        return match worker.join() {
                            Err(panic) => std::panic::resume_unwind(panic),
                            Ok(()) => Err(errors::usage("the search ended without a result")),
                        };
                    }
                }
            }
        })
    })
}
