//! The vault's passphrase, asked in the window. Where Signet's vault is kept with a passphrase
//! (no system keyring; see `signet_api::vault`), the engine asks when an operation first opens
//! the vault: the request goes to the window as the event `vault-passphrase` (a
//! `PassphrasePrompt`), and the operation's thread waits until the window answers with
//! `answer_vault_passphrase` — the passphrase, or nothing ("Not now"). Declined, it is not asked
//! again in this run: the data screens go on, keeping nothing, never a plain file. The
//! passphrase crosses from the window once per answer, into the `Passphrase` secret type at once.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use signet_api::ApiError;
use signet_api::vault::{Passphrase, PassphrasePrompt, PassphraseRequest};
use signet_core::Code;
use tauri::{AppHandle, Emitter as _};

use crate::commands::Secret;

/// How long an operation waits for the window's answer before going on as if declined.
const PATIENCE: Duration = Duration::from_secs(600);

/// The request waiting for the window's answer, and whether the person declined.
#[derive(Default)]
pub(crate) struct VaultPrompt {
    waiting: Mutex<Option<(u32, mpsc::Sender<Option<Secret>>)>>,
    next: AtomicU32,
    declined: AtomicBool,
}

impl VaultPrompt {
    /// The context's asker: the request to the window, and its answer.
    pub(crate) fn asker(
        self: &Arc<Self>,
        app: AppHandle,
    ) -> impl Fn(&PassphraseRequest) -> Result<Option<Passphrase>, ApiError> + Send + Sync + 'static
    {
        let prompt = Arc::clone(self);
        move |request| prompt.ask(&app, request)
    }

    fn ask(
        &self,
        app: &AppHandle,
        request: &PassphraseRequest,
    ) -> Result<Option<Passphrase>, ApiError> {
        if request.again.is_none() && self.declined.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let (answer, answered) = mpsc::channel();
        *self.waiting.lock().unwrap_or_else(PoisonError::into_inner) = Some((id, answer));
        let prompt = PassphrasePrompt {
            id,
            new: request.new,
            again: request.again,
        };
        tracing::info!(id, new = request.new, again = ?request.again, "asking the window for the vault's passphrase");
        app.emit("vault-passphrase", &prompt).map_err(|e| {
            ApiError::new(
                Code::Internal,
                format!("the window cannot be asked for the vault's passphrase: {e}"),
            )
        })?;
        // No answer in time, or the window gone: as "Not now".
        let given = answered.recv_timeout(PATIENCE).ok().flatten();
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take_if(|(waiting, _)| *waiting == id);
        match given {
            Some(secret) => Passphrase::new(secret.expose()).map(Some).map_err(|e| {
                ApiError::new(Code::InvalidInput, format!("the vault's passphrase: {e}"))
                    .recommend("Type the passphrase of Signet's vault; it cannot be empty.")
            }),
            None => {
                if request.again.is_none() {
                    tracing::info!(
                        "the vault's passphrase was declined: nothing is kept in this run"
                    );
                    self.declined.store(true, Ordering::SeqCst);
                }
                Ok(None)
            }
        }
    }
}

/// The window's answer to the passphrase request `id`: the passphrase, or nothing ("Not now").
#[tauri::command]
pub(crate) fn answer_vault_passphrase(
    prompt: tauri::State<'_, Arc<VaultPrompt>>,
    id: u32,
    passphrase: Option<Secret>,
) -> Result<(), ApiError> {
    let waiting = prompt
        .waiting
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take_if(|(waiting, _)| *waiting == id);
    let Some((_, answer)) = waiting else {
        return Err(ApiError::new(
            Code::Cancelled,
            "the request for the vault's passphrase has ended",
        ));
    };
    // The operation may have stopped waiting meanwhile: then the answer is dropped (and wiped).
    let _ = answer.send(passphrase);
    Ok(())
}
