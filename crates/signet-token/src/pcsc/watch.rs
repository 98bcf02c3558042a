//! Reader and card hotplug: a thread that reports readers added or removed and cards inserted
//! or removed, as events.

use std::collections::BTreeSet;
use std::ffi::CString;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::{CardTrouble, TokenError};

/// Something changed in the readers. (Exhaustive: signet-api mirrors it for the webview.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardEvent {
    /// A reader appeared (also reported for every reader present when watching starts).
    ReaderAdded {
        /// Its name.
        reader: String,
    },
    /// A reader was unplugged.
    ReaderRemoved {
        /// Its name.
        reader: String,
    },
    /// A card was put in (also reported for cards present when watching starts).
    CardInserted {
        /// The reader.
        reader: String,
    },
    /// A card was taken out.
    CardRemoved {
        /// The reader.
        reader: String,
    },
    /// The smart card service stopped; watching ends.
    ServiceStopped,
}

/// A running watcher; stops when dropped.
#[derive(Debug)]
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How often the watcher looks at its stop flag.
const TICK: Duration = Duration::from_millis(250);

/// Starts watching on a thread of its own; `on_event` runs on that thread.
pub fn watch(mut on_event: impl FnMut(CardEvent) + Send + 'static) -> Result<Watcher, TokenError> {
    let context = pcsc::Context::establish(pcsc::Scope::User)
        .map_err(|e| TokenError::Card(super::trouble(e)))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("signet-card-watch".into())
        .spawn(move || run(&context, &flag, &mut on_event))
        .map_err(|e| CardTrouble::Communication {
            detail: e.to_string(),
        })?;
    Ok(Watcher {
        stop,
        thread: Some(thread),
    })
}

fn run(context: &pcsc::Context, stop: &AtomicBool, on_event: &mut impl FnMut(CardEvent)) {
    let mut states = vec![pcsc::ReaderState::new(
        pcsc::PNP_NOTIFICATION(),
        pcsc::State::UNAWARE,
    )];
    while !stop.load(Ordering::Relaxed) {
        let names: BTreeSet<CString> = match context.list_readers_owned() {
            Ok(names) => names.into_iter().collect(),
            Err(pcsc::Error::NoReadersAvailable) => BTreeSet::new(),
            Err(pcsc::Error::NoService | pcsc::Error::ServiceStopped) => {
                on_event(CardEvent::ServiceStopped);
                return;
            }
            Err(_) => {
                std::thread::sleep(TICK);
                continue;
            }
        };
        let name = |state: &pcsc::ReaderState| state.name().to_string_lossy().into_owned();
        states.retain(|state| {
            let keep = state.name() == pcsc::PNP_NOTIFICATION() || names.contains(state.name());
            if !keep {
                if state.current_state().contains(pcsc::State::PRESENT) {
                    on_event(CardEvent::CardRemoved {
                        reader: name(state),
                    });
                }
                on_event(CardEvent::ReaderRemoved {
                    reader: name(state),
                });
            }
            keep
        });
        for reader in &names {
            if !states.iter().any(|state| state.name() == reader.as_c_str()) {
                on_event(CardEvent::ReaderAdded {
                    reader: reader.to_string_lossy().into_owned(),
                });
                states.push(pcsc::ReaderState::new(reader.clone(), pcsc::State::UNAWARE));
            }
        }
        match context.get_status_change(TICK, &mut states) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => continue,
            Err(pcsc::Error::NoService | pcsc::Error::ServiceStopped) => {
                on_event(CardEvent::ServiceStopped);
                return;
            }
            Err(_) => {
                std::thread::sleep(TICK);
                continue;
            }
        }
        for state in states.iter_mut().skip(1) {
            let was = state.current_state().contains(pcsc::State::PRESENT);
            let now = state.event_state().contains(pcsc::State::PRESENT);
            match (was, now) {
                (false, true) => on_event(CardEvent::CardInserted {
                    reader: name(state),
                }),
                (true, false) => on_event(CardEvent::CardRemoved {
                    reader: name(state),
                }),
                _ => {}
            }
            state.sync_current_state();
        }
        states[0].sync_current_state();
    }
}
