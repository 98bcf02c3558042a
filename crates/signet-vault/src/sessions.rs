//! Sessions with agency nodes: the bearer token a node issues after a login, kept until it
//! expires so that the next command does not ask for the PIN again.
//!
//! A [`SessionToken`] is a secret type like [`crate::VaultKey`]: its text lives in one
//! `secrecy::SecretString` (wiped on drop), `Debug` prints `<redacted>`, there is no `Clone`,
//! `Display` or `Serialize`, and [`SessionToken::expose`] is the only way to the text — for the
//! `Authorization` header and for SQLite's bind, nothing else. In the vault a session is one row
//! of the `sessions` table (node, token, expiry), written in one transaction; expired rows are
//! deleted whenever sessions are read or written.

use std::fmt;
use std::time::SystemTime;

use rusqlite::{OptionalExtension as _, params};
use secrecy::{ExposeSecret as _, SecretString};
use zeroize::Zeroize as _;

use crate::VaultError;
use crate::vault::{Durability, Vault, from_millis, to_millis};

/// The longest session token accepted (nodes issue 43–64 characters).
const MAX_TOKEN_LEN: usize = 4096;

/// A node's session (bearer) token.
pub struct SessionToken(SecretString);

impl SessionToken {
    /// Takes `token` as a secret: printable ASCII without spaces (it goes into an HTTP header),
    /// 1 to 4096 characters. On a refusal the text is wiped too and never quoted.
    pub fn new(mut token: String) -> Result<Self, VaultError> {
        // `SecretString` keeps a boxed `str`: a `String` with spare capacity would be moved by
        // the conversion and its old buffer left behind, so it is copied and wiped instead.
        let secret = if token.capacity() == token.len() {
            SecretString::from(token)
        } else {
            let exact = SecretString::from(token.as_str().to_owned());
            token.zeroize();
            exact
        };
        let text = secret.expose_secret();
        let reason = if text.is_empty() {
            Some("it is empty")
        } else if text.len() > MAX_TOKEN_LEN {
            Some("it is longer than 4096 characters")
        } else if !text.bytes().all(|b| b.is_ascii_graphic()) {
            Some("it contains characters other than printable ASCII")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(VaultError::InvalidInput {
                what: "the session token",
                reason: reason.into(),
            }),
            None => Ok(Self(secret)),
        }
    }

    /// The token's text, for the one place that needs it (the `Authorization` header, the
    /// vault's bind). Do not copy it anywhere that is not itself zeroized.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// A session kept in the vault.
#[derive(Debug)]
pub struct StoredSession {
    /// The node's address.
    pub node: String,
    /// The bearer token.
    pub token: SessionToken,
    /// When the node ends it.
    pub expires_at: SystemTime,
}

impl Vault {
    /// Keeps the session `token` for `node` until `expires_at`, replacing the node's previous
    /// one, and deletes every expired session, in one transaction.
    pub fn put_session(
        &mut self,
        node: &str,
        token: &SessionToken,
        expires_at: SystemTime,
    ) -> Result<(), VaultError> {
        check_node(node)?;
        let now = self.now_millis();
        let expires = to_millis(expires_at);
        self.write(Durability::Normal, |tx| {
            purge(tx, now)?;
            tx.execute(
                "INSERT INTO sessions (node, token, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (node) DO UPDATE SET token = ?2, expires_at = ?3",
                params![node, token.expose().as_bytes(), expires],
            )?;
            Ok(())
        })?;
        tracing::debug!(node, "session kept in the vault");
        Ok(())
    }

    /// The session for `node` that is still valid at least `margin` from now. Expired sessions
    /// (every node's) are deleted first, in one transaction; one that ends within the margin is
    /// not returned, and stays until it expires.
    pub fn session(
        &mut self,
        node: &str,
        margin: std::time::Duration,
    ) -> Result<Option<StoredSession>, VaultError> {
        check_node(node)?;
        let now = self.now_millis();
        let margin = i64::try_from(margin.as_millis()).unwrap_or(i64::MAX);
        let found = self.write(Durability::Normal, |tx| {
            purge(tx, now)?;
            let found = tx
                .query_row(
                    "SELECT token, expires_at FROM sessions WHERE node = ?1",
                    [node],
                    |row| {
                        // The text goes from SQLite's buffer straight into the secret.
                        let token = std::str::from_utf8(row.get_ref(0)?.as_blob()?)
                            .ok()
                            .and_then(|text| SessionToken::new(text.to_owned()).ok());
                        Ok((token, row.get::<_, i64>(1)?))
                    },
                )
                .optional()?;
            Ok(found)
        })?;
        let Some((token, expires)) = found else {
            return Ok(None);
        };
        let token = token.ok_or_else(|| VaultError::RecordUnreadable {
            table: "sessions",
            detail: "a token that is not printable ASCII".into(),
        })?;
        if expires <= now.saturating_add(margin) {
            return Ok(None);
        }
        Ok(Some(StoredSession {
            node: node.to_owned(),
            token,
            expires_at: from_millis(expires),
        }))
    }

    /// Forgets the session for `node` (logged out, or refused by the node). `true` when there
    /// was one.
    pub fn delete_session(&mut self, node: &str) -> Result<bool, VaultError> {
        self.write(Durability::Normal, |tx| {
            Ok(tx.execute("DELETE FROM sessions WHERE node = ?1", [node])? > 0)
        })
    }

    /// Deletes every expired session; how many there were.
    pub fn purge_expired_sessions(&mut self) -> Result<usize, VaultError> {
        let now = self.now_millis();
        self.write(Durability::Normal, |tx| purge(tx, now))
    }

    /// The nodes with a session in the vault, expired or not (for tests and "forget me").
    pub fn session_nodes(&self) -> Result<Vec<String>, VaultError> {
        let mut statement = self
            .conn
            .prepare("SELECT node FROM sessions ORDER BY node")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        rows.collect::<Result<_, _>>().map_err(VaultError::from)
    }
}

fn check_node(node: &str) -> Result<(), VaultError> {
    if node.is_empty() || node.chars().any(char::is_control) {
        return Err(VaultError::InvalidInput {
            what: "the node address",
            reason: "it is empty or contains control characters".into(),
        });
    }
    Ok(())
}

fn purge(tx: &rusqlite::Transaction<'_>, now: i64) -> Result<usize, VaultError> {
    let purged = tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
    if purged > 0 {
        tracing::info!(sessions = purged, "expired data-node sessions deleted");
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_prints_and_odd_text_is_refused_without_quoting_it() {
        let token = SessionToken::new("s3cr3t-Token_value".into()).unwrap();
        let shown = format!("{token:?} {token:#?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(token.expose(), "s3cr3t-Token_value");
        for bad in ["", "has space", "new\nline", "ünï"] {
            let err = SessionToken::new(bad.into()).unwrap_err();
            assert!(matches!(err, VaultError::InvalidInput { .. }), "{err:?}");
            if !bad.is_empty() {
                assert!(!err.to_string().contains(bad), "{err}");
            }
        }
        assert!(SessionToken::new("x".repeat(MAX_TOKEN_LEN + 1)).is_err());
        let mut roomy = String::with_capacity(100);
        roomy.push_str("abc");
        assert_eq!(SessionToken::new(roomy).unwrap().expose(), "abc");
    }
}
