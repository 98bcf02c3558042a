//! XML-DSig core validation on real XAdES signatures (detached data file, SignedProperties by
//! ID): C14N 1.1 with RSA (libdigidocpp; references only, see below) and exclusive C14N with
//! ECDSA P-384 (digidoc4j). The
//! files were extracted unmodified from two ASiC-E containers; see tests/data/xmldsig/PROVENANCE.md.

use signet_pki::crypto::CryptoError;
use signet_pki::xmldsig::{self, DSIG_NS, Resolver, SignatureMethod, XmlDocument, XmlDsigError};

struct Files(&'static [u8]);

impl Resolver for Files {
    fn resolve(&self, uri: &str) -> Option<Vec<u8>> {
        (uri == "test.txt").then(|| self.0.to_vec())
    }
}

fn check(xml: &str, data: &'static [u8]) -> Result<xmldsig::VerifiedSignature, XmlDsigError> {
    let doc = XmlDocument::parse(xml)?;
    let signatures = doc.dom().get_elements_by_tag_name_ns(DSIG_NS, "Signature");
    assert_eq!(signatures.len(), 1);
    xmldsig::verify(&doc, signatures[0], None, &Files(data))
}

const LDD_SIG: &str = include_str!("../data/xmldsig/ldd_tsl.signatures0.xml");
const LDD_DATA: &[u8] = include_bytes!("../data/xmldsig/ldd_tsl.test.txt");
const D4J_SIG: &str = include_str!("../data/xmldsig/d4j_esteid2018.signatures0.xml");
const D4J_DATA: &[u8] = include_bytes!("../data/xmldsig/d4j_esteid2018.test.txt");

/// A C14N 1.1 XAdES signature by a 2013 test ID card whose RSA key has public exponent
/// 0x40000081 and a modulus written without its leading zero octet (DER reads it as negative):
/// Signet reads the key as OpenSSL does, and the signature verifies. Reference validation comes
/// first (XML-DSig 3.2.1): with the data changed it fails at the reference.
#[test]
fn xades_with_c14n11_by_an_old_id_card_key_verifies() {
    let verified = check(LDD_SIG, LDD_DATA).unwrap();
    assert!(matches!(verified.method, SignatureMethod::Rsa(_)));
    assert!(matches!(
        check(LDD_SIG, b"tset"),
        Err(XmlDsigError::DigestMismatch { uri }) if uri == "test.txt"
    ));
    assert!(LDD_SIG.contains("http://www.w3.org/2006/12/xml-c14n11"));
    // One base64 character of the signature value changed.
    let value = LDD_SIG.find("SignatureValue").unwrap();
    let at = LDD_SIG[value..].find('>').unwrap() + value + 1;
    let mut changed = LDD_SIG.to_owned();
    let c = if &changed[at..at + 1] == "A" {
        "B"
    } else {
        "A"
    };
    changed.replace_range(at..at + 1, c);
    assert!(matches!(
        check(&changed, LDD_DATA),
        Err(XmlDsigError::Signature(CryptoError::BadSignature))
    ));
}

/// The RSASSA-PSS SignatureMethod URIs of RFC 6931 section 2.3.10 (no parameters: MGF1 over the
/// same hash, salt as long as the hash) verify signatures OpenSSL makes that way; SHA-1 and the
/// parameterised `rsa-pss` stay refused.
#[test]
fn pss_signature_methods_verify_openssl_pss_signatures() {
    use signet_pki::crypto::HashAlg;
    use signet_testkit::external::{OpensslSignature, self_signed};
    let dir = tempfile::tempdir().unwrap();
    let cert = signet_pki::Cert::from_der(
        &self_signed(
            dir.path(),
            "signer",
            OpensslSignature::RsaPkcs1 {
                bits: 2048,
                digest: "sha256",
            },
        )
        .unwrap(),
    )
    .unwrap();
    let message = b"<ds:SignedInfo>canonical</ds:SignedInfo>".as_slice();
    std::fs::write(dir.path().join("m.bin"), message).unwrap();
    for (uri, hash, digest) in [
        ("sha256-rsa-MGF1", HashAlg::Sha256, "-sha256"),
        ("sha384-rsa-MGF1", HashAlg::Sha384, "-sha384"),
        ("sha512-rsa-MGF1", HashAlg::Sha512, "-sha512"),
    ] {
        let method =
            SignatureMethod::from_uri(&format!("http://www.w3.org/2007/05/xmldsig-more#{uri}"))
                .unwrap();
        assert_eq!(method, SignatureMethod::RsaPss(hash));
        let out = std::process::Command::new("openssl")
            .current_dir(dir.path())
            .args(["dgst", digest, "-sign", "signer.key", "-sigopt"])
            .args([
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:digest",
                "m.bin",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(method.verify(&cert, message, &out.stdout), Ok(()), "{uri}");
        assert_eq!(
            method.verify(&cert, b"changed", &out.stdout),
            Err(CryptoError::BadSignature),
            "{uri}"
        );
        // The same value is no PKCS #1 v1.5 signature.
        assert!(
            SignatureMethod::Rsa(hash)
                .verify(&cert, message, &out.stdout)
                .is_err()
        );
    }
    for refused in [
        "http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1",
        "http://www.w3.org/2007/05/xmldsig-more#rsa-pss",
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    ] {
        assert!(SignatureMethod::from_uri(refused).is_err(), "{refused}");
    }
}

#[test]
fn xades_with_exclusive_c14n_and_ecdsa_p384_verifies() {
    let verified = check(D4J_SIG, D4J_DATA).unwrap();
    assert!(matches!(verified.method, SignatureMethod::Ecdsa(_)));
}

#[test]
fn changed_data_changed_properties_or_a_changed_signature_fail() {
    assert!(matches!(
        check(D4J_SIG, b"changed"),
        Err(XmlDsigError::DigestMismatch { uri }) if uri == "test.txt"
    ));
    // A signed property changed (the signing time's year).
    let year = D4J_SIG.find("SigningTime>").unwrap() + "SigningTime>".len();
    let mut changed = D4J_SIG.to_owned();
    let digit = if &changed[year..year + 1] == "1" {
        "2"
    } else {
        "1"
    };
    changed.replace_range(year..year + 1, digit);
    assert!(matches!(
        check(&changed, D4J_DATA),
        Err(XmlDsigError::DigestMismatch { .. })
    ));
    // One base64 character of the signature value.
    let value = D4J_SIG.find("SignatureValue").unwrap();
    let at = D4J_SIG[value..].find('>').unwrap() + value + 1;
    let mut changed = D4J_SIG.to_owned();
    let c = if &changed[at..at + 1] == "A" {
        "B"
    } else {
        "A"
    };
    changed.replace_range(at..at + 1, c);
    assert!(matches!(
        check(&changed, D4J_DATA),
        Err(XmlDsigError::Signature(_))
    ));
    // A detached file the caller does not know.
    struct Nothing;
    impl Resolver for Nothing {
        fn resolve(&self, _: &str) -> Option<Vec<u8>> {
            None
        }
    }
    let doc = XmlDocument::parse(D4J_SIG).unwrap();
    let sig = doc.dom().get_elements_by_tag_name_ns(DSIG_NS, "Signature")[0];
    assert!(matches!(
        xmldsig::verify(&doc, sig, None, &Nothing),
        Err(XmlDsigError::Dereference { .. })
    ));
}
