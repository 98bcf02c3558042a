//! Checking an OCSP response: who signed it, what it is about, its nonce and its time.

use std::time::SystemTime;

use der::asn1::OctetString;
use der::{Decode as _, Encode as _};
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspResponse, OcspResponseStatus, ResponderId,
};

use super::{
    CertificateStatus, OCSP_BASIC, OCSP_NONCE, OcspAnswer, OcspError, OcspPolicy, Responder,
};
use crate::asn1;
use crate::cert::{Cert, oid};
use crate::crypto::{self, HashAlg};

/// Finds the signer, verifies the signature and the signer's authority (RFC 6960 section
/// 4.2.2.2: the CA that issued the certificate, or a responder whose certificate that CA issued
/// with id-kp-OCSPSigning in its extKeyUsage; or, as "a trusted responder whose certificate
/// is trusted by the requester", one the policy's trusted list names as an OCSP/QC service
/// granted at producedAt).
pub(super) fn authenticate(
    basic: &BasicOcspResponse,
    tbs: &[u8],
    issuer: &Cert,
    now: SystemTime,
    policy: &OcspPolicy,
) -> Result<Responder, OcspError> {
    let produced_at = basic.tbs_response_data.produced_at.0.to_system_time();
    let mut candidates = vec![issuer.clone()];
    for cert in basic.certs.iter().flatten() {
        let der = cert.to_der().map_err(|e| OcspError::malformed(&e))?;
        candidates.push(Cert::from_der(&der).map_err(|e| OcspError::Malformed {
            offset: None,
            kind: format!("responder certificate: {e}"),
        })?);
    }
    // Every certificate the ResponderID names is tried: a look-alike placed first must not
    // hide the real signer.
    let mut failure = None;
    let mut signer = None;
    for candidate in candidates
        .into_iter()
        .filter(|c| matches_responder_id(c, &basic.tbs_response_data.responder_id))
    {
        match crypto::verify(
            candidate.spki(),
            &basic.signature_algorithm,
            tbs,
            basic.signature.raw_bytes(),
        ) {
            Ok(()) => {
                signer = Some(candidate);
                break;
            }
            Err(e) => failure = Some(e),
        }
    }
    let signer = match (signer, failure) {
        (Some(signer), _) => signer,
        (None, Some(e)) => return Err(OcspError::BadSignature(e)),
        (None, None) => return Err(OcspError::ResponderNotFound),
    };

    if signer.subject() == issuer.subject() && signer.spki() == issuer.spki() {
        return Ok(Responder::IssuingCa);
    }
    let unauthorised = |reason: &str| OcspError::UnauthorisedResponder {
        responder: signer.subject().to_string(),
        reason: reason.to_owned(),
    };
    let valid_now = !(now + policy.clock_skew < signer.not_before()
        || now > signer.not_after() + policy.clock_skew);
    let delegated =
        if signer.issuer() != issuer.subject() || signer.verify_signed_by(issuer).is_err() {
            Err("its certificate was not issued by the certificate's issuer")
        } else if !signer.has_ext_key_usage(oid::ID_KP_OCSP_SIGNING) {
            Err("its certificate lacks id-kp-OCSPSigning")
        } else if !valid_now {
            Err("its certificate is not valid now")
        } else {
            Ok(Responder::Delegated {
                subject: signer.subject().to_string(),
                nocheck: signer.ocsp_nocheck(),
            })
        };
    let reason = match delegated {
        Ok(responder) => return Ok(responder),
        Err(reason) => reason,
    };
    // The list names the responder by its ServiceDigitalIdentity, whose substance is the key
    // (TS 119 612 clause 5.5.3 also allows a bare key or subject key identifier): a certificate
    // the responder re-issued for the same key and subject carries the same authority, as in
    // libdigidocpp, which verifies with the list's certificate found by the ResponderID.
    let Some(listed) = policy.listed_responders.iter().find(|l| {
        l.certificate == signer
            || (l.certificate.subject() == signer.subject()
                && l.certificate.spki() == signer.spki())
    }) else {
        return Err(unauthorised(reason));
    };
    if !listed.service.active_at(produced_at) {
        return Err(unauthorised(&format!(
            "{reason}, and its trusted-list OCSP/QC service {} was {} at producedAt, not granted",
            listed.service.name,
            listed
                .service
                .status_at(produced_at)
                .unwrap_or("without status")
        )));
    }
    let listed_valid_now = !(now + policy.clock_skew < listed.certificate.not_before()
        || now > listed.certificate.not_after() + policy.clock_skew);
    if !valid_now || !listed_valid_now {
        return Err(unauthorised("its certificate is not valid now"));
    }
    Ok(Responder::TrustedList {
        subject: signer.subject().to_string(),
        service: listed.service.name.clone(),
        territory: listed.territory.clone(),
    })
}

pub(super) fn check_nonce(
    sent: Option<&[u8]>,
    extensions: Option<&[x509_cert::ext::Extension]>,
    policy: &OcspPolicy,
) -> Result<(), OcspError> {
    let Some(sent) = sent else {
        return Ok(());
    };
    let echoed = extensions
        .into_iter()
        .flatten()
        .find(|e| e.extn_id == OCSP_NONCE)
        .map(|e| e.extn_value.as_bytes());
    let expected = OctetString::new(sent.to_vec())
        .and_then(|o| o.to_der())
        .map_err(|e| OcspError::Request(e.to_string()))?;
    match echoed {
        None if policy.require_nonce => Err(OcspError::NonceMissing),
        None => Ok(()),
        // Some responders put the raw nonce in extnValue (pre-RFC 8954 practice).
        Some(value) if value == expected.as_slice() || value == sent => Ok(()),
        Some(_) => Err(OcspError::NonceMismatch),
    }
}

/// What a response must be about.
pub(super) struct Expected<'a> {
    pub serial: &'a str,
    pub nonce: Option<&'a [u8]>,
    pub matches: &'a dyn Fn(&CertId) -> bool,
}

pub(super) fn verify_response(
    response: &[u8],
    issuer: &Cert,
    policy: &OcspPolicy,
    now: SystemTime,
    expected: &Expected<'_>,
) -> Result<OcspAnswer, OcspError> {
    let outer = OcspResponse::from_der(response).map_err(|e| OcspError::malformed(&e))?;
    if outer.response_status != OcspResponseStatus::Successful {
        return Err(OcspError::Refused {
            status: status_name(outer.response_status).to_owned(),
        });
    }
    let bytes = outer.response_bytes.ok_or(OcspError::Malformed {
        offset: None,
        kind: "successful response without responseBytes".to_owned(),
    })?;
    if bytes.response_type != OCSP_BASIC {
        return Err(OcspError::Malformed {
            offset: None,
            kind: format!(
                "response type {} is not id-pkix-ocsp-basic",
                bytes.response_type
            ),
        });
    }
    let basic_der = bytes.response.as_bytes();
    let basic = BasicOcspResponse::from_der(basic_der).map_err(|e| OcspError::malformed(&e))?;
    let tbs = asn1::first_element(basic_der).map_err(|e| OcspError::malformed(&e))?;

    let responder = authenticate(&basic, tbs, issuer, now, policy)?;
    let data = &basic.tbs_response_data;
    let single = data
        .responses
        .iter()
        .find(|r| (expected.matches)(&r.cert_id))
        .ok_or_else(|| OcspError::NoMatchingResponse {
            serial: expected.serial.to_owned(),
        })?;
    check_nonce(expected.nonce, data.response_extensions.as_deref(), policy)?;

    let this_update = single.this_update.0.to_system_time();
    let next_update = single.next_update.map(|t| t.0.to_system_time());
    check_freshness(this_update, next_update, now, policy)?;

    let status = match single.cert_status {
        CertStatus::Good(_) => CertificateStatus::Good,
        CertStatus::Unknown(_) => CertificateStatus::Unknown,
        CertStatus::Revoked(info) => CertificateStatus::Revoked {
            time: info.revocation_time.0.to_system_time(),
            reason: info.revocation_reason,
        },
    };
    tracing::info!(
        serial = %expected.serial,
        status = ?status,
        responder = ?responder,
        "OCSP answer verified"
    );
    Ok(OcspAnswer {
        status,
        produced_at: data.produced_at.0.to_system_time(),
        this_update,
        next_update,
        responder,
        der: response.to_vec(),
    })
}

/// Verifies an OCSP response taken from a signature or a cache about `cert`, issued by
/// `issuer`, at `at`. There is no request, so no nonce: the answer is judged by its time under
/// `policy` (whose `require_nonce` is ignored), and its CertID may use SHA-1 or SHA-2 (SHA-1
/// only identifies the certificate here; it signs nothing).
pub fn verify_stored(
    response: &[u8],
    cert: &Cert,
    issuer: &Cert,
    policy: &OcspPolicy,
    at: SystemTime,
) -> Result<OcspAnswer, OcspError> {
    let _span = tracing::trace_span!("verify.ocsp").entered();
    let serial = cert.serial_hex();
    let name = cert
        .issuer()
        .to_der()
        .map_err(|e| OcspError::Request(e.to_string()))?;
    let key = issuer.spki().subject_public_key.raw_bytes();
    let matches = |id: &CertId| {
        let hash = |data: &[u8]| -> Option<Vec<u8>> {
            use sha1::Digest as _;
            match id.hash_algorithm.oid {
                crypto::oid::SHA1 => Some(sha1::Sha1::digest(data).to_vec()),
                other => HashAlg::from_oid(other).map(|h| h.digest(data)),
            }
        };
        &id.serial_number == cert.serial()
            && hash(&name).as_deref() == Some(id.issuer_name_hash.as_bytes())
            && hash(key).as_deref() == Some(id.issuer_key_hash.as_bytes())
    };
    verify_response(
        response,
        issuer,
        policy,
        at,
        &Expected {
            serial: &serial,
            nonce: None,
            matches: &matches,
        },
    )
}

pub(super) fn status_name(status: OcspResponseStatus) -> &'static str {
    match status {
        OcspResponseStatus::Successful => "successful",
        OcspResponseStatus::MalformedRequest => "malformedRequest",
        OcspResponseStatus::InternalError => "internalError",
        OcspResponseStatus::TryLater => "tryLater",
        OcspResponseStatus::SigRequired => "sigRequired",
        OcspResponseStatus::Unauthorized => "unauthorized",
    }
}

pub(super) fn same_cert_id(a: &CertId, b: &CertId) -> bool {
    // Parameters are not compared: NULL and absent both mean "none" for SHA-2.
    a.hash_algorithm.oid == b.hash_algorithm.oid
        && a.issuer_name_hash == b.issuer_name_hash
        && a.issuer_key_hash == b.issuer_key_hash
        && a.serial_number == b.serial_number
}

/// ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash } where KeyHash is the SHA-1 of
/// the subjectPublicKey bits (RFC 6960 section 4.2.1).
fn matches_responder_id(cert: &Cert, id: &ResponderId) -> bool {
    use sha1::Digest as _;
    match id {
        ResponderId::ByName(name) => cert.subject() == name,
        ResponderId::ByKey(hash) => {
            let bits = cert.spki().subject_public_key.raw_bytes();
            sha1::Sha1::digest(bits).as_slice() == hash.as_bytes()
        }
    }
}

pub(super) fn check_freshness(
    this_update: SystemTime,
    next_update: Option<SystemTime>,
    now: SystemTime,
    policy: &OcspPolicy,
) -> Result<(), OcspError> {
    if this_update > now + policy.clock_skew {
        return Err(OcspError::FromTheFuture {
            this_update,
            at: now,
        });
    }
    if now.duration_since(this_update).unwrap_or_default() > policy.max_age {
        return Err(OcspError::Stale {
            this_update,
            at: now,
            max_age: policy.max_age,
        });
    }
    if let Some(next_update) = next_update
        && now > next_update + policy.clock_skew
    {
        return Err(OcspError::Expired {
            next_update,
            at: now,
        });
    }
    Ok(())
}
