//! Signature and archive time-stamps: the imprint over the right bytes, the TSA (anchors or a
//! trusted list's TSA/QTST at genTime) and its certificate's revocation.

use super::*;

impl Checker<'_, '_, '_> {
    /// Verifies a time-stamp element (SignatureTimeStamp or ArchiveTimeStamp) whose imprint is
    /// over `input(doc, mode)`; returns its genTime when it is valid.
    pub(super) fn check_timestamp(
        &mut self,
        ts: NodeId,
        extra: &[Cert],
        input: impl Fn(&XmlDocument<'_>, C14nMode, HashAlg) -> Option<Vec<u8>>,
    ) -> Option<SystemTime> {
        let doc = self.doc;
        let what = if doc
            .dom()
            .element(ts)
            .is_some_and(|e| e.name.local_name == "ArchiveTimeStamp")
        {
            "ArchiveTimeStamp"
        } else {
            "SignatureTimeStamp"
        };
        let mode = self
            .child(ts, DS, "CanonicalizationMethod")
            .and_then(|n| doc.attribute(n, "Algorithm"))
            .map_or(Some(C14nMode::Inclusive), C14nMode::from_uri);
        let token = self
            .child(ts, XADES, "EncapsulatedTimeStamp")
            .and_then(|n| unb64(&doc.text(n)))
            .map(|t| signet_pki::ber::to_der(&t).unwrap_or(t));
        let (Some(mode), Some(token)) = (mode, token) else {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!("{what}: the token or its canonicalization cannot be read"),
            );
            return None;
        };
        let signed = match signet_pki::signed_data::verify(&token, &[]) {
            Ok(signed) => signed,
            Err(e) => {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::SigCryptoFailure,
                    format!("{what}: the token's signature is not valid: {e}"),
                );
                return None;
            }
        };
        // TSTInfo read leniently (genTime may carry fractions of a second, which the strict
        // DER parser of signet-pki refuses).
        let Some((imprint_alg, imprint, gen_time)) = lenient_tst_info(&signed.content) else {
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::FormatFailure,
                format!("{what}: Signet cannot read the time-stamp's TSTInfo"),
            );
            return None;
        };
        let Some(hash) = HashAlg::from_oid(imprint_alg) else {
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::CryptoConstraintsFailure,
                format!("{what}: the imprint's hash algorithm is not accepted"),
            );
            return None;
        };
        let Some(digest) = input(doc, mode, hash) else {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!("{what}: what it covers cannot be computed"),
            );
            return None;
        };
        if digest != imprint {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::HashFailure,
                format!(
                    "{what}: the time-stamp's message imprint does not match what it must cover"
                ),
            );
            return None;
        }
        if x509_tsp::TstInfo::from_der(&signed.content).is_err() {
            // signet-pki's checks need the strict form: judge the TSA here, at genTime, with
            // the list's TSA/QTST services and the given anchors.
            let mut anchors = TrustAnchors::new(self.trust.anchors.iter().cloned());
            if let Some(list) = self.trust.list {
                for s in list.services(signet_pki::tsl::SVC_TSA_QTST, gen_time) {
                    anchors.push(s.certificate.clone());
                }
            }
            let mut chain = extra.to_vec();
            chain.extend(signed.certificates.iter().cloned());
            let v = PathValidator::new(&anchors, chain);
            let report = v.validate(
                &signed.signer,
                Purpose::TimeStamping,
                ValidationTime::Current(gen_time),
            );
            if report.passed() {
                return Some(gen_time);
            }
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::NoPoe,
                format!(
                    "{what}: the time-stamping authority is not trusted: {}",
                    report
                        .findings
                        .first()
                        .map(|f| f.problem.to_string())
                        .unwrap_or_default()
                ),
            );
            return None;
        }
        let result = match self.trust.list {
            Some(list) => {
                let r = signet_pki::tsp::verify_with_trusted_list(
                    &token, hash, &digest, list, extra, gen_time,
                );
                if r.is_err() && self.trust.anchors.iter().next().is_some() {
                    let v = PathValidator::new(&self.trust.anchors, extra.iter().cloned());
                    signet_pki::tsp::verify(&token, hash, &digest, &v, gen_time)
                } else {
                    r
                }
            }
            None => {
                let v = PathValidator::new(&self.trust.anchors, extra.iter().cloned());
                signet_pki::tsp::verify(&token, hash, &digest, &v, gen_time)
            }
        };
        // Trust from anchors (not a trusted list's TSA/QTST service): the TSA certificate's
        // revocation, by the signature's CRLs (validation policy 5.1).
        let result = result.and_then(|verified| {
            if verified.qualified.is_some() {
                return Ok(verified);
            }
            let v = PathValidator::new(&self.trust.anchors, extra.iter().cloned());
            let crls = signet_pki::crl::CrlSource {
                stored: &self.crls,
                online: None,
                now: self.trust.now,
            };
            match signet_pki::tsp::check_tsa_revocation(&token, &v, &crls, gen_time) {
                Ok(()) => Ok(verified),
                Err(signet_pki::tsp::TspError::TsaRevocationUnknown {
                    subject,
                    reason,
                    sub_indication,
                }) => {
                    // The time stands, but nothing vouches for the TSA: never TOTAL-PASSED.
                    self.report.fail(
                        Indication::Indeterminate,
                        sub_indication,
                        format!("{what}: the revocation status of the time-stamping authority's certificate {subject} is unknown: CRL {reason}"),
                    );
                    Ok(verified)
                }
                Err(e) => Err(e),
            }
        });
        match result {
            Ok(_) => Some(gen_time),
            Err(e @ signet_pki::tsp::TspError::ImprintMismatch { .. }) => {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::HashFailure,
                    format!("{what}: the time-stamp does not cover this signature: {e}"),
                );
                None
            }
            Err(e @ signet_pki::tsp::TspError::Signature(_)) => {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::SigCryptoFailure,
                    format!("{what}: {e}"),
                );
                None
            }
            Err(e) => {
                self.report.fail(
                    Indication::Indeterminate,
                    SubIndication::NoPoe,
                    format!("{what}: the time-stamping authority is not trusted: {e}"),
                );
                None
            }
        }
    }
}

/// TSTInfo's message imprint and genTime, read without insisting on DER for genTime
/// (`YYYYMMDDhhmmss[.f…]Z`).
fn lenient_tst_info(content: &[u8]) -> Option<(der::asn1::ObjectIdentifier, Vec<u8>, SystemTime)> {
    fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let tag = *input.first()?;
        let l = *input.get(1)?;
        let (len, at) = if l < 0x80 {
            (usize::from(l), 2)
        } else {
            let n = usize::from(l & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let mut v = 0usize;
            for i in 0..n {
                v = (v << 8) | usize::from(*input.get(2 + i)?);
            }
            (v, 2 + n)
        };
        let body = input.get(at..at + len)?;
        Some((tag, body, &input[at + len..]))
    }
    let (tag, body, _) = tlv(content)?;
    if tag != 0x30 {
        return None;
    }
    let (_, _, rest) = tlv(body)?; // version
    let (_, _, rest) = tlv(rest)?; // policy
    let (tag, imprint, rest) = tlv(rest)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, alg, after) = tlv(imprint)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, oid, _) = tlv(alg)?;
    if tag != 0x06 {
        return None;
    }
    let oid = der::asn1::ObjectIdentifier::from_bytes(oid).ok()?;
    let (tag, hashed, _) = tlv(after)?;
    if tag != 0x04 {
        return None;
    }
    let (_, _, rest) = tlv(rest)?; // serialNumber
    let (tag, time, _) = tlv(rest)?;
    if tag != 0x18 {
        return None;
    }
    let text = std::str::from_utf8(time).ok()?;
    let text = text.strip_suffix('Z')?;
    let whole = text.split('.').next()?;
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &whole[0..4],
        &whole[4..6],
        &whole[6..8],
        &whole[8..10],
        &whole[10..12],
        &whole[12..14]
    );
    let at = signet_pki::time::parse_rfc3339(&rfc).ok()?;
    Some((oid, hashed.to_vec(), at))
}
