//! Unit tests of the algorithm policy and verification.

use super::*;

#[test]
fn sha1_signatures_are_refused() {
    let alg = AlgorithmIdentifierOwned {
        oid: oid::RSA_SHA1,
        parameters: None,
    };
    assert_eq!(
        scheme(&alg),
        Err(CryptoError::UnsupportedAlgorithm(oid::RSA_SHA1))
    );
    let alg = AlgorithmIdentifierOwned {
        oid: oid::ECDSA_SHA1,
        parameters: None,
    };
    assert!(scheme(&alg).unwrap_err().is_policy());
}

#[test]
fn pss_without_explicit_parameters_is_refused() {
    let alg = AlgorithmIdentifierOwned {
        oid: oid::RSA_PSS,
        parameters: None,
    };
    assert!(scheme(&alg).is_err());
}

fn spki_of(der: &[u8]) -> SubjectPublicKeyInfoOwned {
    use der::Decode as _;
    SubjectPublicKeyInfoOwned::from_der(der).unwrap()
}

/// The SubjectPublicKeyInfo of a P-521 point (p521 0.13 does not encode it).
fn p521_spki(point: &p521::EncodedPoint) -> Vec<u8> {
    use der::Encode as _;
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::EC_PUBLIC_KEY,
            parameters: Some(der::Any::encode_from(&oid::P521).unwrap()),
        },
        subject_public_key: der::asn1::BitString::from_bytes(point.as_bytes()).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// Signatures made by RustCrypto's independent ECDSA verify through AWS-LC on every curve
/// and hash Signet accepts; a changed message, a changed signature and another key fail.
#[test]
fn ecdsa_signatures_from_another_implementation_verify_on_every_curve_and_hash() {
    use p256::pkcs8::EncodePublicKey as _;
    use signature::hazmat::{PrehashSigner as _, RandomizedPrehashSigner as _};
    let p256_key = p256::ecdsa::SigningKey::from_slice(&[0x11; 32]).unwrap();
    let p384_key = p384::ecdsa::SigningKey::from_slice(&[0x22; 48]).unwrap();
    let mut p521_scalar = [0x33_u8; 66];
    p521_scalar[0] = 0x01;
    let p521_key = p521::ecdsa::SigningKey::from_slice(&p521_scalar).unwrap();
    let message = b"a document Signet verifies".as_slice();
    for hash in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
        let alg = AlgorithmIdentifierOwned {
            oid: match hash {
                HashAlg::Sha256 => oid::ECDSA_SHA256,
                HashAlg::Sha384 => oid::ECDSA_SHA384,
                HashAlg::Sha512 => oid::ECDSA_SHA512,
            },
            parameters: None,
        };
        let digest = hash.digest(message);
        let mut cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (
                p256_key
                    .verifying_key()
                    .to_public_key_der()
                    .unwrap()
                    .into_vec(),
                p256::ecdsa::Signature::to_der(&p256_key.sign_prehash(&digest).unwrap())
                    .to_bytes()
                    .to_vec(),
            ),
            (
                p384_key
                    .verifying_key()
                    .to_public_key_der()
                    .unwrap()
                    .into_vec(),
                p384::ecdsa::Signature::to_der(&p384_key.sign_prehash(&digest).unwrap())
                    .to_bytes()
                    .to_vec(),
            ),
        ];
        // RustCrypto signs with P-521 only digests of at least half its field (33 octets):
        // no SHA-256 case for it.
        if hash != HashAlg::Sha256 {
            cases.push((
                p521_spki(&p521::ecdsa::VerifyingKey::from(&p521_key).to_encoded_point(false)),
                p521::ecdsa::Signature::to_der(
                    &p521_key
                        .sign_prehash_with_rng(&mut p521::elliptic_curve::rand_core::OsRng, &digest)
                        .unwrap(),
                )
                .to_bytes()
                .to_vec(),
            ));
        }
        let n = cases.len();
        for (i, (spki, sig)) in cases.iter().enumerate() {
            let spki = spki_of(spki);
            assert_eq!(verify(&spki, &alg, message, sig), Ok(()), "{hash:?} {i}");
            // A shared check's success is remembered and the next one answered from the memo;
            // what follows (another message, a flipped bit, another key) must still fail, with
            // the success remembered, in both functions.
            let memo = verified::key(&spki, &alg, message, sig).unwrap();
            assert_eq!(
                verify_shared(&spki, &alg, message, sig),
                Ok(()),
                "{hash:?} {i}"
            );
            assert!(verified::known(&memo), "{hash:?} {i}");
            assert_eq!(
                verify_shared(&spki, &alg, message, sig),
                Ok(()),
                "{hash:?} {i}"
            );
            assert_eq!(
                verify_shared(&spki, &alg, b"another document", sig),
                Err(CryptoError::BadSignature),
                "{hash:?} {i}"
            );
            assert_eq!(
                verify(&spki, &alg, b"another document", sig),
                Err(CryptoError::BadSignature),
                "{hash:?} {i}"
            );
            let mut flipped = sig.clone();
            let last = flipped.len() - 1;
            flipped[last] ^= 0x01;
            assert_eq!(
                verify(&spki, &alg, message, &flipped),
                Err(CryptoError::BadSignature),
                "{hash:?} {i}"
            );
            let other = spki_of(&cases[(i + 1) % n].0);
            assert!(verify(&other, &alg, message, sig).is_err(), "{hash:?} {i}");
        }
    }
}

#[test]
fn a_ber_encoded_ecdsa_signature_is_refused() {
    use p384::pkcs8::EncodePublicKey as _;
    use signature::hazmat::PrehashSigner as _;
    let key = p384::ecdsa::SigningKey::from_slice(&[0x22; 48]).unwrap();
    let spki = spki_of(key.verifying_key().to_public_key_der().unwrap().as_bytes());
    let message = b"strict DER".as_slice();
    let sig: p384::ecdsa::Signature = key.sign_prehash(&HashAlg::Sha384.digest(message)).unwrap();
    let der = sig.to_der().to_bytes().to_vec();
    let alg = AlgorithmIdentifierOwned {
        oid: oid::ECDSA_SHA384,
        parameters: None,
    };
    assert_eq!(verify(&spki, &alg, message, &der), Ok(()));
    // The same SEQUENCE with a long-form length (BER, not DER) and with trailing bytes.
    let mut long_form = vec![0x30, 0x81, der[1]];
    long_form.extend_from_slice(&der[2..]);
    let mut trailing = der.clone();
    trailing.extend_from_slice(&[0, 0]);
    for bad in [long_form, trailing] {
        assert_eq!(
            verify(&spki, &alg, message, &bad),
            Err(CryptoError::BadSignature)
        );
    }
}

#[test]
fn cms_bare_key_algorithms_take_the_digest() {
    let sig = AlgorithmIdentifierOwned {
        oid: oid::RSA,
        parameters: None,
    };
    let resolved = cms_signature_algorithm(&HashAlg::Sha384.algorithm_identifier(), &sig).unwrap();
    assert_eq!(resolved.oid, oid::RSA_SHA384);
}

/// Runs OpenSSL in `dir` and returns its standard output.
fn openssl(dir: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// An RSA key made by OpenSSL with public exponent `e` (decimal): the key file and the
/// SubjectPublicKeyInfo DER.
fn openssl_rsa_key(dir: &std::path::Path, name: &str, bits: u32, e: &str) -> (String, Vec<u8>) {
    let key = format!("{name}.pem");
    let bits = format!("rsa_keygen_bits:{bits}");
    let pubexp = format!("rsa_keygen_pubexp:{e}");
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &bits,
            "-pkeyopt",
            &pubexp,
            "-out",
            &key,
        ],
    );
    let spki = openssl(dir, &["pkey", "-in", &key, "-pubout", "-outform", "DER"]);
    (key, spki)
}

/// A signature by OpenSSL (`openssl dgst`) over `message` with `digest`; PSS with a salt as
/// long as the digest when `pss`.
fn openssl_sign(
    dir: &std::path::Path,
    key: &str,
    digest: &str,
    pss: bool,
    message: &[u8],
) -> Vec<u8> {
    std::fs::write(dir.join("message.bin"), message).unwrap();
    let digest = format!("-{digest}");
    let mut args = vec!["dgst", digest.as_str(), "-sign", key];
    if pss {
        args.extend([
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:digest",
        ]);
    }
    args.push("message.bin");
    openssl(dir, &args)
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// The INTEGER contents (modulus, exponent) of an RSA SubjectPublicKeyInfo, as encoded.
fn rsa_integers(spki: &SubjectPublicKeyInfoOwned) -> (Vec<u8>, Vec<u8>) {
    use der::Decode as _;
    let bits = spki.subject_public_key.raw_bytes();
    let seq = der::asn1::AnyRef::from_der(bits).unwrap();
    let mut reader = der::SliceReader::new(seq.value()).unwrap();
    let n = der::asn1::AnyRef::decode(&mut reader).unwrap();
    let e = der::asn1::AnyRef::decode(&mut reader).unwrap();
    (n.value().to_vec(), e.value().to_vec())
}

/// An RSA SubjectPublicKeyInfo with the given INTEGER contents, and `tail` after the
/// RSAPublicKey's last INTEGER.
fn rsa_spki_with(n: &[u8], e: &[u8], tail: &[u8]) -> SubjectPublicKeyInfoOwned {
    let mut inner = tlv(0x02, n);
    inner.extend(tlv(0x02, e));
    inner.extend_from_slice(tail);
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::RSA,
            parameters: Some(der::Any::from(der::asn1::Null)),
        },
        subject_public_key: der::asn1::BitString::from_bytes(&tlv(0x30, &inner)).unwrap(),
    }
}

fn rsa_sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oid::RSA_SHA256,
        parameters: None,
    }
}

/// Every odd public exponent from 3 up verifies, including 1073741953 (older Estonian ID
/// cards) and exponents above the `rsa` crate's own limit of 2^33 - 1; the keys and signatures
/// are OpenSSL's.
#[test]
fn rsa_keys_with_any_odd_exponent_from_3_verify() {
    let dir = tempfile::tempdir().unwrap();
    let message = b"a document signed with an old ID card".as_slice();
    for e in [
        "3",
        "65537",
        "1073741953",
        "34359738369",
        "340282366920938463463374607431768211507",
    ] {
        let (key, spki) = openssl_rsa_key(dir.path(), &format!("e{e}"), 2048, e);
        let spki = spki_of(&spki);
        let sig = openssl_sign(dir.path(), &key, "sha256", false, message);
        assert_eq!(
            verify(&spki, &rsa_sha256(), message, &sig),
            Ok(()),
            "e = {e}"
        );
        assert_eq!(
            verify(&spki, &rsa_sha256(), b"another document", &sig),
            Err(CryptoError::BadSignature),
            "e = {e}"
        );
    }
}

/// libdigidocpp's 2013 test ID card writes its modulus without the leading zero octet (a
/// "negative" INTEGER); OpenSSL reads it as unsigned and so does Signet. Other malformations stay
/// refused: a non-minimal INTEGER, an even, too small or too large exponent, bytes after the key.
#[test]
fn an_rsa_modulus_without_its_sign_octet_is_read_as_unsigned_and_other_malformations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (key, spki) = openssl_rsa_key(dir.path(), "card", 2048, "1073741953");
    let (n, e) = rsa_integers(&spki_of(&spki));
    assert_eq!(
        (n[0], n[1] & 0x80),
        (0, 0x80),
        "OpenSSL writes the sign octet"
    );
    let message = b"signed on a card".as_slice();
    let sig = openssl_sign(dir.path(), &key, "sha256", false, message);

    let card = rsa_spki_with(&n[1..], &e, &[]);
    assert_eq!(verify(&card, &rsa_sha256(), message, &sig), Ok(()));
    assert_eq!(
        PublicKey::from_spki(&card).unwrap().describe(),
        "RSA 2048",
        "the same key"
    );

    let mut padded = vec![0];
    padded.extend_from_slice(&n);
    let mut minus_one = n.clone();
    *minus_one.last_mut().unwrap() ^= 1;
    let n_plus = {
        // An exponent as large as the modulus.
        n.clone()
    };
    let malformed = [
        ("non-minimal modulus", rsa_spki_with(&padded, &e, &[])),
        (
            "non-minimal exponent",
            rsa_spki_with(&n, &[0, 1, 0, 1], &[]),
        ),
        ("even exponent", rsa_spki_with(&n, &[1, 0, 0], &[])),
        ("exponent 1", rsa_spki_with(&n, &[1], &[])),
        (
            "exponent not below the modulus",
            rsa_spki_with(&n, &n_plus, &[]),
        ),
        ("even modulus", rsa_spki_with(&minus_one, &e, &[])),
        ("trailing bytes", rsa_spki_with(&n, &e, &[0x05, 0x00])),
    ];
    for (what, spki) in malformed {
        assert!(
            matches!(
                PublicKey::from_spki(&spki),
                Err(CryptoError::Malformed { .. })
            ),
            "{what}"
        );
    }
}

/// Large moduli: up to OpenSSL's 16384 bits; above 3072 bits the exponent is at most 64 bits
/// (OpenSSL's rule, which bounds the work of one verification).
#[test]
fn rsa_size_limits_follow_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let (key, spki) = openssl_rsa_key(dir.path(), "big", 4096, "65537");
    let message = b"a 4096-bit key".as_slice();
    let sig = openssl_sign(dir.path(), &key, "sha512", false, message);
    let alg = AlgorithmIdentifierOwned {
        oid: oid::RSA_SHA512,
        parameters: None,
    };
    assert_eq!(verify(&spki_of(&spki), &alg, message, &sig), Ok(()));
    let (n, _) = rsa_integers(&spki_of(&spki));
    // A 65-bit exponent with a 4096-bit modulus.
    let large_e = [0x01, 0, 0, 0, 0, 0, 0, 0, 0x01];
    assert!(matches!(
        PublicKey::from_spki(&rsa_spki_with(&n, &large_e, &[])),
        Err(CryptoError::Malformed { .. })
    ));
    // 16385 bits and more.
    let mut huge = vec![0x01];
    huge.extend(std::iter::repeat_n(0xff, 2048));
    assert!(matches!(
        PublicKey::from_spki(&rsa_spki_with(&huge, &[3], &[])),
        Err(CryptoError::Malformed { .. })
    ));
}

/// RSASSA-PSS signatures by OpenSSL (salt as long as the hash) verify with the parameters
/// Signet builds for each hash; a salt of another length does not.
#[test]
fn openssl_pss_signatures_verify_with_explicit_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let (key, spki) = openssl_rsa_key(dir.path(), "pss", 2048, "65537");
    let spki = spki_of(&spki);
    let message = b"RSASSA-PSS".as_slice();
    for (hash, name) in [
        (HashAlg::Sha256, "sha256"),
        (HashAlg::Sha384, "sha384"),
        (HashAlg::Sha512, "sha512"),
    ] {
        let sig = openssl_sign(dir.path(), &key, name, true, message);
        let alg = pss_algorithm_identifier(hash);
        assert_eq!(verify(&spki, &alg, message, &sig), Ok(()), "{name}");
        assert_eq!(
            verify(&spki, &alg, b"changed", &sig),
            Err(CryptoError::BadSignature),
            "{name}"
        );
        // PKCS #1 v1.5 is another scheme.
        assert!(verify(&spki, &rsa_sha256(), message, &sig).is_err());
    }
    std::fs::write(dir.path().join("message.bin"), message).unwrap();
    let sig = openssl(
        dir.path(),
        &[
            "dgst",
            "-sha256",
            "-sign",
            &key,
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:20",
            "message.bin",
        ],
    );
    assert_eq!(
        verify(
            &spki,
            &pss_algorithm_identifier(HashAlg::Sha256),
            message,
            &sig
        ),
        Err(CryptoError::BadSignature)
    );
}

/// PSS parameters are read strictly: the SHA-1 defaults, another MGF hash, other salt lengths,
/// hash parameters other than NULL or absent, and a CMS digest algorithm that is not the PSS
/// hash are refused.
#[test]
fn pss_parameters_are_parsed_strictly() {
    let with = |params: PssParams| AlgorithmIdentifierOwned {
        oid: oid::RSA_PSS,
        parameters: Some(der::Any::encode_from(&params).unwrap()),
    };
    let mgf = |hash: HashAlg| AlgorithmIdentifierOwned {
        oid: oid::MGF1,
        parameters: Some(der::Any::encode_from(&hash.algorithm_identifier()).unwrap()),
    };
    let good = || PssParams {
        hash: Some(HashAlg::Sha256.algorithm_identifier()),
        mask_gen: Some(mgf(HashAlg::Sha256)),
        salt_length: Some(32),
        trailer_field: None,
    };
    assert_eq!(scheme(&with(good())), Ok(Scheme::RsaPss(HashAlg::Sha256)));
    assert_eq!(
        scheme(&pss_algorithm_identifier(HashAlg::Sha384)),
        Ok(Scheme::RsaPss(HashAlg::Sha384))
    );
    let null_hash = AlgorithmIdentifierOwned {
        oid: oid::SHA256,
        parameters: Some(der::Any::from(der::asn1::Null)),
    };
    assert_eq!(
        scheme(&with(PssParams {
            hash: Some(null_hash),
            ..good()
        })),
        Ok(Scheme::RsaPss(HashAlg::Sha256)),
        "NULL hash parameters are accepted"
    );
    let odd_hash = AlgorithmIdentifierOwned {
        oid: oid::SHA256,
        parameters: Some(der::Any::encode_from(&1_u8).unwrap()),
    };
    let sha1 = AlgorithmIdentifierOwned {
        oid: oid::SHA1,
        parameters: None,
    };
    let bad = [
        (
            "defaults (SHA-1)",
            PssParams {
                hash: None,
                mask_gen: None,
                salt_length: None,
                trailer_field: None,
            },
        ),
        (
            "explicit SHA-1",
            PssParams {
                hash: Some(sha1),
                ..good()
            },
        ),
        (
            "hash with parameters",
            PssParams {
                hash: Some(odd_hash),
                ..good()
            },
        ),
        (
            "MGF1 over another hash",
            PssParams {
                mask_gen: Some(mgf(HashAlg::Sha512)),
                ..good()
            },
        ),
        (
            "salt of 20",
            PssParams {
                salt_length: Some(20),
                ..good()
            },
        ),
        (
            "salt absent (20)",
            PssParams {
                salt_length: None,
                ..good()
            },
        ),
        (
            "trailer 2",
            PssParams {
                trailer_field: Some(2),
                ..good()
            },
        ),
    ];
    for (what, params) in bad {
        assert!(scheme(&with(params)).is_err(), "{what}");
    }
    let not_a_sequence = AlgorithmIdentifierOwned {
        oid: oid::RSA_PSS,
        parameters: Some(der::Any::from(der::asn1::Null)),
    };
    assert!(scheme(&not_a_sequence).is_err());

    // CMS: the SignerInfo's digestAlgorithm must be the PSS hash (RFC 4056 section 3).
    let pss = pss_algorithm_identifier(HashAlg::Sha256);
    assert_eq!(
        cms_signature_algorithm(&HashAlg::Sha256.algorithm_identifier(), &pss),
        Ok(pss.clone())
    );
    assert!(cms_signature_algorithm(&HashAlg::Sha384.algorithm_identifier(), &pss).is_err());
}
