//! The fuzz smoke: every file of the committed corpus (`fuzz/corpus/<target>/`) through the
//! same functions the cargo-fuzz targets call, plus truncations and single-byte flips of each.
//! A panic fails the test. With `SIGNET_WRITE_FUZZ_CORPUS=1` the seed files are made again
//! from the test PKI (see fuzz/corpus/PROVENANCE.md).

use std::path::{Path, PathBuf};

use signet_pki::fuzzing;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        run(&bytes);
        // Cheap mutations: truncations and a flipped byte every 97 bytes.
        for cut in [0, 1, bytes.len() / 2, bytes.len().saturating_sub(1)] {
            run(&bytes[..cut.min(bytes.len())]);
        }
        for at in (0..bytes.len()).step_by(97) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x5a;
            run(&flipped);
        }
        eprintln!("replayed {}", path.display());
    }
}

#[test]
fn ocsp_corpus_replays() {
    replay("ocsp_response", fuzzing::ocsp_response);
}

#[test]
fn timestamp_corpus_replays() {
    replay("timestamp_token", fuzzing::timestamp_token);
}

#[test]
fn trusted_list_corpus_replays() {
    replay("trusted_list", fuzzing::trusted_list);
}

#[test]
fn crl_corpus_replays() {
    replay("crl", fuzzing::crl);
}

/// The `crl` seed gets through every check with the committed root (the harness judges at the
/// CRL's thisUpdate), so that mutations reach the extensions, the entries and the signature.
#[test]
fn the_crl_seed_passes_with_its_root_and_a_flipped_signature_does_not() {
    use der::Decode as _;
    let seed = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/crl/root-listing-tsa.crl"),
    )
    .unwrap();
    let root = signet_pki::Cert::from_der(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/fuzzing/crl-issuer.der"))
            .unwrap(),
    )
    .unwrap();
    let at = x509_cert::crl::CertificateList::from_der(&seed)
        .unwrap()
        .tbs_cert_list
        .this_update
        .to_system_time();
    let answer = signet_pki::crl::verify(&seed, &root, &root, at, at).unwrap();
    assert_eq!(answer.status, signet_pki::crl::CrlStatus::NotRevoked);
    let mut flipped = seed.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    assert!(signet_pki::crl::verify(&flipped, &root, &root, at, at).is_err());
}

/// Writes the seed corpus from the test PKI when asked to.
#[test]
fn seed_corpus() {
    if std::env::var_os("SIGNET_WRITE_FUZZ_CORPUS").is_none() {
        return;
    }
    use signet_core::{Fetch as _, SystemClock};
    use signet_pki::ocsp::{Nonce, OcspRequest};
    use signet_testkit::{LoopbackFetch, Role, TestPki};
    let pki = TestPki::start().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let cert = crate::support::cert(&pki, Role::Signing);
    let issuer = crate::support::cert(&pki, Role::IssuingCa);
    let request = OcspRequest::new(&cert, &issuer, Nonce::Random).unwrap();
    let response = LoopbackFetch::default()
        .post(&pki.ocsp_url(), "application/ocsp-request", request.der())
        .unwrap();
    std::fs::write(root.join("ocsp_response/good-delegated.der"), response.body).unwrap();
    let anchors = crate::support::anchors(&pki);
    let validator = signet_pki::PathValidator::new(&anchors, crate::support::intermediates(&pki));
    let digest = signet_pki::crypto::HashAlg::Sha256.digest(b"fuzz");
    let stamp = signet_pki::tsp::request_timestamp(
        &LoopbackFetch::default(),
        &SystemClock,
        &pki.tsa_url(),
        signet_pki::crypto::HashAlg::Sha256,
        &digest,
        &validator,
    )
    .unwrap();
    std::fs::write(root.join("timestamp_token/good.der"), stamp.token).unwrap();
    let tl = pki.trusted_list().unwrap();
    std::fs::write(root.join("trusted_list/generated.xml"), tl.xml).unwrap();
}

/// Writes the `crl` seed and the root it is judged against when asked to (as [`seed_corpus`]).
#[test]
fn seed_crl_corpus() {
    if std::env::var_os("SIGNET_WRITE_FUZZ_CORPUS").is_none() {
        return;
    }
    use signet_core::Fetch as _;
    use signet_testkit::{LoopbackFetch, Role, TestPki};
    let pki = TestPki::start().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    // The root's CRL listing the TSA (with a reason code), and the root it is judged against.
    pki.revoke_in_root_crl(
        Role::Tsa,
        signet_core::Clock::now(&signet_core::SystemClock) - std::time::Duration::from_secs(3600),
        "keyCompromise",
    )
    .unwrap();
    let crl = LoopbackFetch::default()
        .get(&pki.root_crl_url(), "application/pkix-crl")
        .unwrap();
    std::fs::create_dir_all(root.join("crl")).unwrap();
    std::fs::write(root.join("crl/root-listing-tsa.crl"), crl.body).unwrap();
    std::fs::write(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/fuzzing/crl-issuer.der"),
        pki.der(Role::Root),
    )
    .unwrap();
}
