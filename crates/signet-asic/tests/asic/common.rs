//! Shared set-up: the PKI, its trusted list, signing helpers.

use std::path::{Path, PathBuf};

use signet_asic::InputFile;
use signet_asic::session::{self, RawSigner};
use signet_asic::xades::sign::Services;
use signet_asic::xades::verify::{ContainerReport, Trust, validate_container};
use signet_core::{BaselineLevel, Clock as _, SystemClock};
use signet_pki::ocsp::{ListedResponder, OcspPolicy};
use signet_pki::tsl::TrustedList;
use signet_pki::{Cert, PathValidator, TrustAnchors};
use signet_testkit::{LoopbackFetch, Role, TestPki, TestTrustedList};

pub struct Setup {
    pub pki: TestPki,
    #[allow(dead_code, reason = "the peers need the list and its signer")]
    pub tsl: TestTrustedList,
    pub list: TrustedList,
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new() -> Self {
        let pki = TestPki::start().unwrap();
        let tsl = pki.trusted_list().unwrap();
        let list = TrustedList::verify(tsl.xml.as_bytes(), &[Cert::from_der(&tsl.signer).unwrap()])
            .unwrap();
        Self {
            pki,
            tsl,
            list,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: &[u8]) -> InputFile {
        let path = self.path(name);
        std::fs::write(&path, content).unwrap();
        InputFile::from_path(&path).unwrap()
    }

    pub fn cert(&self, role: Role) -> Cert {
        Cert::from_der(self.pki.der(role)).unwrap()
    }

    pub fn anchors(&self) -> TrustAnchors {
        let mut anchors = self.list.anchors(SystemClock.now());
        anchors.push(self.cert(Role::Root));
        anchors
    }

    pub fn with_services<T>(&self, f: impl FnOnce(&Services<'_>) -> T) -> T {
        self.with_services_of(self.anchors(), f)
    }

    /// The root alone as the trust anchor: the issuing CA is then a CA below the anchor whose
    /// revocation (the root's CRL) a B-LT signature must carry.
    pub fn root_anchor(&self) -> TrustAnchors {
        TrustAnchors::new([self.cert(Role::Root)])
    }

    /// As [`Self::try_sign_new`], with the root alone as the anchor.
    pub fn try_sign_new_root_anchored(
        &self,
        out: &Path,
        files: &[InputFile],
        role: Role,
        level: BaselineLevel,
    ) -> Result<(), session::SessionError> {
        let signer = self.cert(role);
        let mut token = self.token(role);
        let token: &mut RawSigner<'_> = &mut token;
        self.with_services_of(self.root_anchor(), |s| {
            session::sign_new(out, files, &signer, level, s, token)
        })
    }

    /// As [`Self::try_sign_new`], trusting `anchors` while signing.
    pub fn try_sign_new_with_anchors(
        &self,
        out: &Path,
        files: &[InputFile],
        role: Role,
        level: BaselineLevel,
        anchors: TrustAnchors,
    ) -> Result<(), session::SessionError> {
        let signer = self.cert(role);
        let mut token = self.token(role);
        let token: &mut RawSigner<'_> = &mut token;
        self.with_services_of(anchors, |s| {
            session::sign_new(out, files, &signer, level, s, token)
        })
    }

    /// Validation with the root alone as the anchor and no trusted list.
    pub fn validate_root_anchored(&self, path: &Path) -> ContainerReport {
        let container = signet_asic::Container::open(path).unwrap();
        validate_container(
            &container,
            &Trust {
                anchors: self.root_anchor(),
                list: None,
                now: SystemClock.now(),
            },
        )
    }

    fn with_services_of<T>(&self, anchors: TrustAnchors, f: impl FnOnce(&Services<'_>) -> T) -> T {
        let validator = PathValidator::new(&anchors, [self.cert(Role::IssuingCa)]);
        let fetch = LoopbackFetch::default();
        let tsa = self.pki.tsa_url();
        let services = Services {
            fetch: &fetch,
            clock: &SystemClock,
            tsa_url: Some(&tsa),
            validator: &validator,
            ocsp_policy: OcspPolicy {
                listed_responders: ListedResponder::from_list(&self.list, SystemClock.now()),
                ..OcspPolicy::default()
            },
        };
        f(&services)
    }

    pub fn token(
        &self,
        role: Role,
    ) -> impl FnMut(&[u8], signet_pki::crypto::HashAlg) -> Result<Vec<u8>, String> + '_ {
        move |digest, _| {
            self.pki
                .get(role)
                .key
                .sign_digest_raw(digest)
                .map_err(|e| e.to_string())
        }
    }

    pub fn sign_new(&self, out: &Path, files: &[InputFile], role: Role, level: BaselineLevel) {
        self.try_sign_new(out, files, role, level).unwrap();
    }

    pub fn try_sign_new(
        &self,
        out: &Path,
        files: &[InputFile],
        role: Role,
        level: BaselineLevel,
    ) -> Result<(), session::SessionError> {
        let signer = self.cert(role);
        let mut token = self.token(role);
        let token: &mut RawSigner<'_> = &mut token;
        self.with_services(|s| session::sign_new(out, files, &signer, level, s, token))
    }

    pub fn sign_existing(&self, path: &Path, role: Role, level: BaselineLevel) -> String {
        let signer = self.cert(role);
        let mut token = self.token(role);
        let token: &mut RawSigner<'_> = &mut token;
        self.with_services(|s| session::sign_existing(path, path, &signer, level, s, token))
            .unwrap()
    }

    pub fn validate(&self, path: &Path) -> ContainerReport {
        let container = signet_asic::Container::open(path).unwrap();
        validate_container(
            &container,
            &Trust {
                anchors: TrustAnchors::default(),
                list: Some(&self.list),
                now: SystemClock.now(),
            },
        )
    }
}

/// A copy of `c` with data files replaced, the first signature replaced, and unsigned files
/// added (and listed in the manifest): what an attacker would do.
pub fn rebuild(
    c: &signet_asic::Container,
    replace: &[(&str, &[u8])],
    signature: Option<&[u8]>,
    add: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut manifest = c.manifest().clone();
    for (name, _) in add {
        manifest
            .entries
            .push(((*name).to_owned(), "text/plain".to_owned()));
    }
    let manifest = manifest.to_xml();
    write_with(
        c,
        |name| {
            if name == "META-INF/manifest.xml" {
                return Some(manifest.as_bytes().to_vec());
            }
            if name == "META-INF/signatures0.xml" {
                return signature.map(<[u8]>::to_vec);
            }
            replace
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, d)| d.to_vec())
        },
        add,
    )
}

/// A copy of `c` with another manifest.
pub fn rebuild_manifest(c: &signet_asic::Container, manifest: &[u8]) -> Vec<u8> {
    write_with(
        c,
        |name| (name == "META-INF/manifest.xml").then(|| manifest.to_vec()),
        &[],
    )
}

fn write_with(
    c: &signet_asic::Container,
    replace: impl Fn(&str) -> Option<Vec<u8>>,
    add: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut w = signet_asic::zip::ZipWriter::new(
        std::io::Cursor::new(Vec::new()),
        signet_core::Clock::now(&signet_core::SystemClock),
    );
    for entry in c.entries() {
        let data =
            replace(&entry.name).unwrap_or_else(|| c.read_small(&entry.name, 1 << 30).unwrap());
        w.add(
            &entry.name,
            &mut &data[..],
            entry.name != "mimetype",
            &mut |_| {},
        )
        .unwrap();
    }
    for (name, data) in add {
        w.add(name, &mut &data[..], true, &mut |_| {}).unwrap();
    }
    w.finish().unwrap().into_inner()
}
