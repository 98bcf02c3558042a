//! Test support for Signet: a generated test PKI shaped like the Estonian one, with OpenSSL's own
//! OCSP responder and time-stamping authority answering on a loopback port.
//!
//! ```no_run
//! use signet_testkit::{Role, TestPki};
//! let pki = TestPki::start().unwrap();
//! let signer = pki.der(Role::Signing);
//! let ocsp_url = pki.ocsp_url();
//! # let _ = (signer, ocsp_url);
//! ```
//!
//! Everything lives in a temporary directory that disappears, and the server stops, when the
//! [`TestPki`] is dropped. Nothing listens on anything but 127.0.0.1, and the [`LoopbackFetch`]
//! client refuses every other host. Only ever a dev-dependency.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test support may explain itself on the terminal"
)]

pub mod external;
mod fetch;
mod keys;
pub mod lotl;
mod openssl;
mod p12;
pub mod pcscd;
pub mod pdf;
pub mod peers;
mod pki;
mod responder;
mod tsl;
pub mod x509;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use signet_core::Clock as _;

pub use fetch::LoopbackFetch;
pub use keys::TestKey;
pub use lotl::{ListSigner, LotlSpec, MemoryFetch, TestPointer};
pub use p12::pkcs12;
pub use pki::{Certificates, Issued, PERSONAL_CODE, Role, pem};
pub use responder::{OcspMode, TsaMode};
pub use tsl::{TestTrustedList, TrustedListOptions, qualifier_uri};

/// Why the test PKI could not be made or served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestkitError {
    /// A file or socket operation failed.
    #[error("{what}: {source}")]
    Io {
        /// The file or operation.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// DER encoding or decoding failed.
    #[error("DER: {0}")]
    Der(#[from] der::Error),
    /// Key generation or encoding failed.
    #[error("key: {0}")]
    Key(String),
    /// The `openssl` command could not be started.
    #[error("the openssl command is not available ({0}); install the Debian package openssl")]
    OpensslMissing(String),
    /// `openssl` exited with an error.
    #[error("openssl {command} failed with status {status:?}: {stderr}")]
    Openssl {
        /// The openssl sub-command.
        command: String,
        /// Its exit status.
        status: Option<i32>,
        /// What it printed on standard error.
        stderr: String,
    },
}

impl TestkitError {
    pub(crate) fn io(what: impl AsRef<Path>, source: std::io::Error) -> Self {
        Self::Io {
            what: what.as_ref().display().to_string(),
            source,
        }
    }
}

/// The generated PKI and its running responders.
#[derive(Debug)]
pub struct TestPki {
    certs: Certificates,
    responders: responder::Responders,
    // Dropped last: the responders stop before their files go.
    dir: tempfile::TempDir,
}

impl TestPki {
    /// Generates a PKI valid around the current time and starts its responders.
    pub fn start() -> Result<Self, TestkitError> {
        Self::start_at(signet_core::SystemClock.now())
    }

    /// Generates a PKI whose validity periods are placed around `now` and starts its
    /// responders. OpenSSL stamps OCSP and TSA answers with the real time, so a `now` far from
    /// the present only suits tests that never ask the responders.
    pub fn start_at(now: SystemTime) -> Result<Self, TestkitError> {
        let dir = tempfile::Builder::new()
            .prefix("signet-testkit-")
            .tempdir()
            .map_err(|e| TestkitError::io("temporary directory", e))?;
        let listener =
            TcpListener::bind(("127.0.0.1", 0)).map_err(|e| TestkitError::io("127.0.0.1:0", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| TestkitError::io("127.0.0.1:0", e))?
            .port();
        let ocsp_url = format!("http://127.0.0.1:{port}/ocsp");
        let certs = Certificates::generate(dir.path(), now, &ocsp_url)?;

        let chain = dir.path().join("tsa-chain.pem");
        std::fs::write(&chain, pem("CERTIFICATE", certs.der(Role::Root))?)
            .map_err(|e| TestkitError::io(&chain, e))?;
        let serial = dir.path().join("tsaserial");
        std::fs::write(&serial, "01\n").map_err(|e| TestkitError::io(&serial, e))?;
        let tsa = certs.get(Role::Tsa);
        let tsa_config = dir.path().join("tsa.cnf");
        std::fs::write(
            &tsa_config,
            openssl::tsa_config(&tsa.cert_path, &tsa.key_path, &chain, &serial),
        )
        .map_err(|e| TestkitError::io(&tsa_config, e))?;
        let paths = |role: Role| -> (PathBuf, PathBuf) {
            let issued = certs.get(role);
            (issued.cert_path.clone(), issued.key_path.clone())
        };
        let files = responder::ResponderFiles {
            dir: dir.path().to_owned(),
            index: certs.index_path.clone(),
            issuing_ca: paths(Role::IssuingCa),
            root: paths(Role::Root),
            ocsp: paths(Role::OcspResponder),
            rogue: paths(Role::RogueOcspResponder),
            tsa: paths(Role::Tsa),
            tsa_without_eku: paths(Role::TsaWithoutEku),
            tsa_config,
        };
        let responders = responder::Responders::start(listener, files)?;
        tracing::debug!(port, dir = %dir.path().display(), "test PKI ready");
        Ok(Self {
            certs,
            responders,
            dir,
        })
    }

    /// The generated certificates.
    pub fn certs(&self) -> &Certificates {
        &self.certs
    }

    /// The certificate and key of `role`.
    pub fn get(&self, role: Role) -> &Issued {
        self.certs.get(role)
    }

    /// The DER of `role`'s certificate.
    pub fn der(&self, role: Role) -> &[u8] {
        self.certs.der(role)
    }

    /// The time the validity periods are placed around.
    pub fn now(&self) -> SystemTime {
        self.certs.now
    }

    /// When [`Role::Revoked`] was revoked.
    pub fn revocation_time(&self) -> SystemTime {
        self.certs.revocation_time
    }

    /// The OCSP responder's URL (also in the AIA of the issuing CA's certificates).
    pub fn ocsp_url(&self) -> String {
        self.certs.ocsp_url.clone()
    }

    /// The URL of the root's CRL (in the cRLDistributionPoints of the issuing CA and the TSA).
    pub fn root_crl_url(&self) -> String {
        self.certs.root_crl_url.clone()
    }

    /// Revokes `role`'s certificate (one the root issued: [`Role::IssuingCa`], [`Role::Tsa`]) in
    /// the root's CRL, as revoked at `at` for `reason` (an OpenSSL reason name such as
    /// `CACompromise` or `keyCompromise`): every root CRL served from now on lists it.
    pub fn revoke_in_root_crl(
        &self,
        role: Role,
        at: SystemTime,
        reason: &str,
    ) -> Result<(), TestkitError> {
        let line = pki::IndexLine::revoked_for(&self.get(role).cert, at, reason)?;
        self.responders.revoke_in_root_crl(&line)
    }

    /// Revokes `role`'s certificate (one the issuing CA issued: [`Role::Signing`],
    /// [`Role::RsaSigning`], …) in the OCSP responder's database, as revoked at `at` for `reason`
    /// (an OpenSSL reason name such as `keyCompromise`): every OCSP answer given from now on says
    /// `revoked` with that revocationTime (whole seconds).
    pub fn revoke(&self, role: Role, at: SystemTime, reason: &str) -> Result<(), TestkitError> {
        let line = pki::IndexLine::revoked_for(&self.get(role).cert, at, reason)?;
        let serial = line.split('\t').nth(3).unwrap_or_default().to_owned();
        let index = &self.certs.index_path;
        let text = std::fs::read_to_string(index).map_err(|e| TestkitError::io(index, e))?;
        let mut found = false;
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                if l.split('\t').nth(3) == Some(serial.as_str()) {
                    found = true;
                    line.clone()
                } else {
                    l.to_owned()
                }
            })
            .collect();
        if !found {
            return Err(TestkitError::Key(format!(
                "{role:?} is not in the OCSP responder's database"
            )));
        }
        // Written aside and renamed: the responder never reads a half-written database.
        let tmp = index.with_extension("txt.new");
        std::fs::write(&tmp, lines.join("\n") + "\n").map_err(|e| TestkitError::io(&tmp, e))?;
        std::fs::rename(&tmp, index).map_err(|e| TestkitError::io(index, e))
    }

    /// A root CRL (DER, listing what [`Self::revoke_in_root_crl`] added) with the given
    /// thisUpdate and nextUpdate, for freshness tests.
    pub fn root_crl_with_times(
        &self,
        this_update: SystemTime,
        next_update: SystemTime,
    ) -> Result<Vec<u8>, TestkitError> {
        self.responders.root_crl_with_times(
            &openssl::index_time(this_update)?,
            &openssl::index_time(next_update)?,
        )
    }

    /// The time-stamping authority's URL.
    pub fn tsa_url(&self) -> String {
        format!("http://{}/tsa", self.responders.addr())
    }

    /// Changes who signs OCSP answers and how the responder misbehaves.
    pub fn set_ocsp_mode(&self, mode: OcspMode) {
        self.responders.set_ocsp_mode(mode);
    }

    /// Changes how the time-stamping authority misbehaves.
    pub fn set_tsa_mode(&self, mode: TsaMode) {
        self.responders.set_tsa_mode(mode);
    }

    /// How many HTTP requests the responders have read.
    pub fn requests_served(&self) -> u64 {
        self.responders.requests_served()
    }

    /// A freshly signed test trusted list naming the issuing CA, the OCSP responder and the TSA
    /// (and a copy signed by another key).
    pub fn trusted_list(&self) -> Result<TestTrustedList, TestkitError> {
        tsl::generate(&self.certs, &TrustedListOptions::default())
    }

    /// A freshly signed test trusted list changed as `options` say.
    pub fn trusted_list_with(
        &self,
        options: &TrustedListOptions,
    ) -> Result<TestTrustedList, TestkitError> {
        tsl::generate(&self.certs, options)
    }

    /// The unsigned test trusted list changed as `options` say, signed by `signer` (for a LOTL
    /// naming `signer` as the list's signer).
    pub fn trusted_list_signed_by(
        &self,
        options: &TrustedListOptions,
        signer: &ListSigner,
    ) -> Result<String, TestkitError> {
        signer.sign(&tsl::body(&self.certs, options)?)
    }

    /// The EU trust chain of the tests (OJ signer → pivot → LOTL → EE list), served from memory:
    /// see [`lotl::TrustWorld`].
    pub fn trust_world(&self) -> Result<lotl::TrustWorld, TestkitError> {
        let ee_signer = ListSigner::new("Signet Test EE TSL Signer", self.now(), 0x7103)?;
        let ee = self.trusted_list_signed_by(&TrustedListOptions::default(), &ee_signer)?;
        lotl::TrustWorld::new(self.now(), &ee, ee_signer)
    }

    /// The directory holding the certificates, keys and OpenSSL's files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}
