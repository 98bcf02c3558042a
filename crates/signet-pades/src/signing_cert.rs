//! The signing-certificate(-v2) signed attribute that binds a CMS signature to its signer.

use der::Encode as _;
use der::asn1::OctetString;
use signet_pki::Cert;
use signet_pki::crypto::HashAlg;

/// The signing-certificate(-v2) attribute, strictly (EN 319 122-1 5.2.2): exactly one such
/// attribute with one value; its first entry is the signer's certificate by hash (and by issuer
/// and serial number when given); every further entry names a certificate the signature comes
/// with (`known`: the CMS's, the DSS's and the given intermediates). Returns `Ok(false)` when there is none.
pub(crate) fn matches(
    attrs: &cms::signed_data::SignedAttributes,
    signer: &Cert,
    known: &[Cert],
) -> Result<bool, String> {
    #[derive(der::Sequence)]
    struct IssuerSerial {
        issuer: Vec<x509_cert::ext::pkix::name::GeneralName>,
        serial: x509_cert::serial_number::SerialNumber,
    }
    #[derive(der::Sequence)]
    struct Id {
        #[asn1(optional = "true")]
        alg: Option<spki::AlgorithmIdentifierOwned>,
        hash: OctetString,
        #[asn1(optional = "true")]
        issuer_serial: Option<IssuerSerial>,
    }
    #[derive(der::Sequence)]
    struct IdV1 {
        hash: OctetString,
        #[asn1(optional = "true")]
        issuer_serial: Option<IssuerSerial>,
    }
    #[derive(der::Sequence)]
    struct ScV2 {
        certs: Vec<Id>,
        #[asn1(optional = "true")]
        policies: Option<der::Any>,
    }
    #[derive(der::Sequence)]
    struct ScV1 {
        certs: Vec<IdV1>,
        #[asn1(optional = "true")]
        policies: Option<der::Any>,
    }
    // SHA-1 (None) for version 1.
    let digest = |alg: Option<HashAlg>, der: &[u8]| match alg {
        Some(alg) => alg.digest(der),
        None => {
            use sha1::Digest as _;
            sha1::Sha1::digest(der).to_vec()
        }
    };
    let found: Vec<_> = attrs
        .iter()
        .filter(|a| a.oid == ID_SIGNING_CERT_V2 || a.oid == ID_SIGNING_CERT)
        .collect();
    let a = match found.as_slice() {
        [] => return Ok(false),
        [a] => a,
        _ => {
            return Err(format!(
                "{} signing-certificate attributes: exactly one binds the signer",
                found.len()
            ));
        }
    };
    let value = match a.values.as_slice() {
        [v] => v,
        _ => return Err("the signing-certificate attribute must hold exactly one value".into()),
    };
    // (hash algorithm, hash, issuer and serial) per entry.
    let entries: Vec<(Option<HashAlg>, Vec<u8>, Option<IssuerSerial>)> = if a.oid
        == ID_SIGNING_CERT_V2
    {
        let sc: ScV2 = der::Decode::from_der(&value.to_der().map_err(|e| e.to_string())?)
            .map_err(|e| format!("signing-certificate-v2 attribute: {e}"))?;
        sc.certs
            .into_iter()
            .map(|id| {
                let oid = id.alg.as_ref().map_or(HashAlg::Sha256.oid(), |x| x.oid);
                let alg = HashAlg::from_oid(oid)
                    .ok_or_else(|| format!("unsupported hash {oid} in signing-certificate-v2"))?;
                Ok((Some(alg), id.hash.as_bytes().to_vec(), id.issuer_serial))
            })
            .collect::<Result<_, String>>()?
    } else {
        let sc: ScV1 = der::Decode::from_der(&value.to_der().map_err(|e| e.to_string())?)
            .map_err(|e| format!("signing-certificate attribute: {e}"))?;
        sc.certs
            .into_iter()
            .map(|id| (None, id.hash.as_bytes().to_vec(), id.issuer_serial))
            .collect()
    };
    let names = |c: &Cert, alg: Option<HashAlg>, hash: &[u8], is: Option<&IssuerSerial>| {
        digest(alg, c.der()) == hash
            && is.is_none_or(|is| {
                is.serial == *c.serial()
                    && is.issuer.iter().any(|g| match g {
                        x509_cert::ext::pkix::name::GeneralName::DirectoryName(n) => {
                            n == c.issuer()
                        }
                        _ => false,
                    })
            })
    };
    let Some((alg, hash, is)) = entries.first() else {
        return Err("an empty signing-certificate attribute".into());
    };
    if !names(signer, *alg, hash, is.as_ref()) {
        return Err(
            "the signing-certificate attribute names another certificate than the signer's".into(),
        );
    }
    for (alg, hash, is) in &entries[1..] {
        if !known.iter().any(|c| names(c, *alg, hash, is.as_ref())) {
            return Err(
                "the signing-certificate attribute names a certificate the signature does not carry"
                    .into(),
            );
        }
    }
    Ok(true)
}

const ID_SIGNING_CERT_V2: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_SIGNING_CERT: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test fixtures")]
mod tests {
    use cms::signed_data::SignedAttributes;
    use der::asn1::{Any, SetOfVec};
    use der::{Decode as _, Encode as _};
    use signet_testkit::{Role, TestPki};
    use x509_cert::attr::Attribute;

    use super::*;

    #[derive(der::Sequence)]
    struct Id {
        hash: OctetString,
    }
    #[derive(der::Sequence)]
    struct Sc {
        certs: Vec<Id>,
    }

    fn attribute(oid: const_oid::ObjectIdentifier, certs: &[&[u8]]) -> Attribute {
        let sc = Sc {
            certs: certs
                .iter()
                .map(|der| Id {
                    hash: OctetString::new(if oid == ID_SIGNING_CERT {
                        use sha1::Digest as _;
                        sha1::Sha1::digest(der).to_vec()
                    } else {
                        HashAlg::Sha256.digest(der)
                    })
                    .unwrap(),
                })
                .collect(),
        };
        let mut values = SetOfVec::new();
        values
            .insert(Any::from_der(&sc.to_der().unwrap()).unwrap())
            .unwrap();
        Attribute { oid, values }
    }

    fn attrs(list: Vec<Attribute>) -> SignedAttributes {
        let mut set = SetOfVec::new();
        for a in list {
            set.insert(a).unwrap();
        }
        set
    }

    #[test]
    fn the_attribute_binds_the_signer_strictly() {
        let pki = TestPki::start().unwrap();
        let cert = |r: Role| Cert::from_der(pki.der(r)).unwrap();
        let (signer, ca, other) = (
            cert(Role::Signing),
            cert(Role::IssuingCa),
            cert(Role::Authentication),
        );
        let known = [ca.clone()];
        let v2 = |certs: &[&Cert]| {
            attribute(
                ID_SIGNING_CERT_V2,
                &certs.iter().map(|c| c.der()).collect::<Vec<_>>(),
            )
        };
        // The signer, alone or followed by its CA: bound.
        assert_eq!(
            matches(&attrs(vec![v2(&[&signer])]), &signer, &known),
            Ok(true)
        );
        assert_eq!(
            matches(&attrs(vec![v2(&[&signer, &ca])]), &signer, &known),
            Ok(true)
        );
        assert_eq!(
            matches(
                &attrs(vec![attribute(ID_SIGNING_CERT, &[signer.der()])]),
                &signer,
                &known
            ),
            Ok(true)
        );
        // None: not bound, but no error (a warning and no baseline level).
        assert_eq!(matches(&attrs(Vec::new()), &signer, &known), Ok(false));
        // Another certificate first; a further entry outside the chain; two attributes; two values.
        let e = matches(&attrs(vec![v2(&[&other])]), &signer, &known).unwrap_err();
        assert!(e.contains("another certificate"), "{e}");
        let e = matches(&attrs(vec![v2(&[&signer, &other])]), &signer, &known).unwrap_err();
        assert!(e.contains("does not carry"), "{e}");
        let two = attrs(vec![
            v2(&[&signer]),
            attribute(ID_SIGNING_CERT, &[signer.der()]),
        ]);
        let e = matches(&two, &signer, &known).unwrap_err();
        assert!(e.contains("2 signing-certificate attributes"), "{e}");
        let mut twice = v2(&[&signer]);
        let extra = v2(&[&ca]).values.iter().next().unwrap().clone();
        twice.values.insert(extra).unwrap();
        let e = matches(&attrs(vec![twice]), &signer, &known).unwrap_err();
        assert!(e.contains("exactly one value"), "{e}");
    }
}
