//! A CMS signature: structure, signed attributes, signer, signature value, time-stamps, path,
//! revocation and level.

use super::*;

impl Ctx<'_, '_> {
    pub(super) fn check_cms(
        &self,
        r: &mut SignatureReport,
        doc: &Document<'_>,
        der: &[u8],
        ranges: &[(usize, usize); 2],
        contents: &[u8],
    ) {
        let info = match ContentInfo::from_der(der) {
            Ok(i) => i,
            Err(e) => {
                r.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!("/Contents is not a DER CMS ContentInfo: {e}"),
                );
                return;
            }
        };
        let sd: SignedData = match info.content.decode_as() {
            Ok(s) => s,
            Err(e) => {
                r.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!("/Contents is not a CMS SignedData: {e}"),
                );
                return;
            }
        };
        let infos = sd.signer_infos.0.as_slice();
        let [si] = infos else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!(
                    "the CMS has {} SignerInfos; exactly one is allowed",
                    infos.len()
                ),
            );
            return;
        };
        if sd.encap_content_info.econtent.is_some() {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "the CMS encapsulates content; a PDF signature must be detached",
            );
            return;
        }
        let certs = ltv::cms_certificates(der);
        let signer = certs
            .iter()
            .chain(self.options.intermediates.iter())
            .chain(self.dss_certs().iter())
            .find(|c| identifies(&si.sid, c))
            .cloned();
        let Some(attrs) = si.signed_attrs.as_ref() else {
            r.fail(
                Indication::Indeterminate,
                SubIndication::SigConstraintsFailure,
                "the CMS has no signed attributes (no message-digest binds the document)",
            );
            return;
        };
        let Some(hash) = HashAlg::from_oid(si.digest_alg.oid) else {
            r.fail(
                Indication::Indeterminate,
                SubIndication::CryptoConstraintsFailure,
                format!("digest algorithm {} is not accepted", si.digest_alg.oid),
            );
            return;
        };
        let single = |oid: const_oid::ObjectIdentifier| -> Result<der::Any, String> {
            let mut found = attrs.iter().filter(|a| a.oid == oid);
            match (found.next(), found.next()) {
                (Some(a), None) if a.values.len() == 1 => a
                    .values
                    .iter()
                    .next()
                    .cloned()
                    .ok_or_else(|| "empty".into()),
                (None, _) => Err(format!("signed attribute {oid} is missing")),
                _ => Err(format!("signed attribute {oid} appears more than once")),
            }
        };
        // message-digest.
        let md = single(const_oid::db::rfc5911::ID_MESSAGE_DIGEST)
            .and_then(|v| v.decode_as::<OctetString>().map_err(|e| e.to_string()));
        let md = match md {
            Ok(md) => md,
            Err(e) => {
                r.fail(Indication::TotalFailed, SubIndication::FormatFailure, e);
                return;
            }
        };
        match single(const_oid::db::rfc5911::ID_CONTENT_TYPE).and_then(|v| {
            v.decode_as::<const_oid::ObjectIdentifier>()
                .map_err(|e| e.to_string())
        }) {
            Ok(ct) if ct == signet_pki::cades::ID_DATA => {}
            Ok(ct) => r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!("content-type {ct} is not id-data"),
            ),
            Err(e) => r.fail(Indication::TotalFailed, SubIndication::FormatFailure, e),
        }
        let digest = digest_ranges(self.data, ranges, hash);
        if md.as_bytes() != digest.as_slice() {
            r.fail(Indication::TotalFailed, SubIndication::HashFailure, "the message-digest does not match the signed bytes: the document was changed after signing");
            return;
        }
        let Some(signer) = signer else {
            r.fail(
                Indication::Indeterminate,
                SubIndication::NoSigningCertificateFound,
                "the signer's certificate is neither in the CMS nor in the DSS",
            );
            return;
        };
        r.signer = Some(signer.summary().into());
        r.qualification = signer.qc_statements().map(|q| Qualification {
            qc_compliance: q.compliance,
            qscd: q.sscd,
            qualified_esign_in_qscd: q.qualified_esign_in_qscd(),
        });
        let alg = match crypto::cms_signature_algorithm(&si.digest_alg, &si.signature_algorithm) {
            Ok(a) => a,
            Err(e) => {
                r.fail(
                    Indication::Indeterminate,
                    SubIndication::CryptoConstraintsFailure,
                    e.to_string(),
                );
                return;
            }
        };
        let Ok(signed_bytes) = attrs.to_der() else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "the signed attributes cannot be encoded",
            );
            return;
        };
        match crypto::verify(signer.spki(), &alg, &signed_bytes, si.signature.as_bytes()) {
            Ok(()) => {}
            Err(e @ crypto::CryptoError::BadSignature) => {
                r.fail(
                    Indication::TotalFailed,
                    SubIndication::SigCryptoFailure,
                    format!("the signature value does not verify: {e}"),
                );
                return;
            }
            Err(e) => {
                r.fail(
                    Indication::Indeterminate,
                    SubIndication::CryptoConstraintsFailure,
                    format!("the signature cannot be checked: {e}"),
                );
                return;
            }
        }
        // Baseline attribute rules.
        let has = |oid: &str| attrs.iter().any(|a| a.oid.to_string() == oid);
        let mut baseline = true;
        if has("1.2.840.113549.1.9.5") {
            r.warnings.push(
                "a signing-time signed attribute: not allowed in PAdES baseline signatures".into(),
            );
            baseline = false;
        }
        let mut known = certs.clone();
        known.extend(self.options.intermediates.iter().cloned());
        known.extend(self.dss_certs().iter().cloned());
        match crate::signing_cert::matches(attrs, &signer, &known) {
            Ok(true) => {}
            Ok(false) => {
                r.warnings.push("no signing-certificate(-v2) attribute: the signer certificate is not bound by the signature".into());
                baseline = false;
            }
            Err(e) => {
                // Not bound: nobody is shown as the signer.
                r.signer = None;
                r.qualification = None;
                r.fail(
                    Indication::Indeterminate,
                    SubIndication::NoSigningCertificateFound,
                    e,
                );
                return;
            }
        }
        // CRLs for the CA certificates and the TSA: the DSS (its /CRLs hold the VRI's too) and
        // the CMS's own revocationInfoChoices; fetched from the distribution points when online.
        let mut stored_crls = self.dss_crls().to_vec();
        stored_crls.extend(ltv::cms_crls(der));
        let crls = CrlSource {
            stored: &stored_crls,
            online: self.options.online,
            now: self
                .options
                .online
                .map_or(self.options.at, |(_, clock)| clock.now()),
        };
        // Signature time-stamps.
        let mut tsa_unknown = None;
        let mut best: Option<SystemTime> = None;
        let tst_pool = self.validator_pool(&certs);
        let tst_validator = PathValidator::new(&self.anchors, tst_pool.clone());
        for token in ltv::signature_timestamps(der) {
            let h = tst_hash(&token).unwrap_or(hash);
            let imprint = h.digest(si.signature.as_bytes());
            let verified =
                signet_pki::tsp::verify(&token, h, &imprint, &tst_validator, self.options.at)
                    .and_then(|v| {
                        // The TSA's revocation (validation policy 5.1): revoked, the token proves
                        // nothing; unknown, it keeps its time but the signature cannot pass.
                        match signet_pki::tsp::check_tsa_revocation(
                            &token,
                            &tst_validator,
                            &crls,
                            v.gen_time,
                        ) {
                            Ok(()) => Ok(v),
                            Err(e @ signet_pki::tsp::TspError::TsaRevocationUnknown { .. }) => {
                                tsa_unknown = Some(e);
                                Ok(v)
                            }
                            Err(e) => Err(e),
                        }
                    });
            match verified {
                Ok(v) => {
                    best = Some(best.map_or(v.gen_time, |b: SystemTime| b.min(v.gen_time)));
                    r.timestamps.push(TimestampFacts {
                        kind: "signature".into(),
                        time: rfc3339(v.gen_time),
                        tsa: v.tsa.subject.clone(),
                        valid: true,
                        error: None,
                    });
                }
                Err(e) => {
                    r.timestamps.push(TimestampFacts {
                        kind: "signature".into(),
                        time: String::new(),
                        tsa: String::new(),
                        valid: false,
                        error: Some(e.to_string()),
                    });
                    r.warnings
                        .push(format!("a signature time-stamp does not verify: {e}"));
                }
            }
        }
        let has_sig_ts = best.is_some();
        let signature_timestamp = best;
        // Document time-stamps in later revisions give a proof of existence too.
        let (later_doc_ts, doc_ts_unknown) = self.later_doc_timestamps(doc, ranges[1].1);
        if tsa_unknown.is_none() {
            tsa_unknown = doc_ts_unknown;
        }
        for t in &later_doc_ts {
            best = Some(best.map_or(*t, |b: SystemTime| b.min(*t)));
        }
        r.best_signing_time = best.map(rfc3339);
        // The path and revocation.
        let pool = self.validator_pool(&certs);
        let validator = PathValidator::new(&self.anchors, pool.clone());
        let time = match best {
            Some(t) => ValidationTime::Proven(t),
            None => ValidationTime::Current(self.options.at),
        };
        let issuer = ltv::find_issuer(&signer, &pool).cloned();
        // The DSS's answers about the signer: the first that is evidence; the others named.
        let dss = crate::dss_ocsp::select(
            &dss_items(doc, "OCSPs"),
            &signer,
            issuer.as_ref(),
            &self.options.ocsp_policy,
            self.options.at,
            time.at(),
            signature_timestamp,
        );
        r.warnings.extend(dss.rejected);
        let (stored, stored_bytes) = (dss.answer, dss.der);
        let has_dss_revocation = stored.is_some();
        let revocation = match (&stored, self.options.online) {
            (Some(a), _) => {
                r.revocation.push(RevocationFacts {
                    source: "dss".into(),
                    status: status_name(&a.status),
                    produced_at: Some(rfc3339(a.produced_at)),
                });
                Revocation::Offline(Some(a))
            }
            (None, Some((fetch, clock))) => Revocation::Online {
                fetch,
                clock,
                policy: &self.options.ocsp_policy,
            },
            (None, None) => {
                r.revocation.push(RevocationFacts {
                    source: "none".into(),
                    status: "not-checked".into(),
                    produced_at: None,
                });
                // Missing revocation information is never good (EN 319 102-1, the validation
                // policy): the path is INDETERMINATE / TRY_LATER, as signet-pki and ASiC-E say.
                r.warnings.push("no revocation data in the file and validation is offline: the signer's revocation status is unknown (INDETERMINATE); check online or extend the file to B-LT".into());
                Revocation::Offline(None)
            }
        };
        let path = validate_certificate_with_crls(
            &validator,
            &signer,
            Purpose::Signature,
            time,
            revocation,
            &crls,
        );
        for ca in &path.ca_revocation {
            r.revocation.push(RevocationFacts {
                source: "crl".into(),
                status: match ca.revoked_at {
                    None => "good".into(),
                    Some(t) => format!(
                        "{} was revoked on {}, after the validation time",
                        ca.subject,
                        rfc3339(t)
                    ),
                },
                produced_at: Some(rfc3339(ca.this_update)),
            });
        }
        if matches!(revocation, Revocation::Online { .. })
            && let Some(a) = &path.revocation
        {
            r.revocation.push(RevocationFacts {
                source: "online".into(),
                status: status_name(&a.status),
                produced_at: Some(rfc3339(a.produced_at)),
            });
        }
        r.warnings.extend(
            (path.revocation.as_ref()).and_then(|a| crate::dss_ocsp::revoked_after(a, time)),
        );
        r.chain = path.summaries().into_iter().map(Into::into).collect();
        if let Some(list) = self.options.trusted_list {
            let at = best.unwrap_or(self.options.at);
            r.trusted_list = Some(
                match issuer
                    .as_ref()
                    .and_then(|i| list.service_of_type(i, SVC_CA_QC))
                {
                    Some(found) => {
                        let a = assess(&signer, found.service, at);
                        ListQualification {
                            provider: Some(found.provider.to_owned()),
                            service: Some(found.service.name.clone()),
                            qualified: a.qualified,
                            qscd: a.qscd,
                            qes: a.qualified_esig_in_qscd(),
                            notes: a.notes,
                        }
                    }
                    None => ListQualification {
                        provider: None,
                        service: None,
                        qualified: Some(false),
                        qscd: None,
                        qes: false,
                        notes: vec![
                            "the signer's issuer is not a CA/QC service of the trusted list".into(),
                        ],
                    },
                },
            );
        }
        // A legacy algorithm accepted because the proven time is before its sunset.
        r.warnings.extend(
            path.warnings
                .iter()
                .map(|w| format!("certificate path: {w}")),
        );
        if !path.passed() {
            let sub = path
                .sub_indication
                .unwrap_or(SubIndication::CertificateChainGeneralFailure);
            let why = path
                .findings
                .first()
                .map(|f| f.problem.to_string())
                .unwrap_or_default();
            r.fail(path.indication, sub, format!("certificate path: {why}"));
        }
        if let Some(signet_pki::tsp::TspError::TsaRevocationUnknown { sub_indication, .. }) =
            &tsa_unknown
        {
            r.fail(
                Indication::Indeterminate,
                *sub_indication,
                format!(
                    "signature time-stamp: {}",
                    tsa_unknown
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
            );
        }
        if baseline {
            r.level = Some(
                if !has_sig_ts && later_doc_ts.is_empty() {
                    "B-B"
                } else if !has_dss_revocation {
                    "B-T"
                } else if stored_bytes
                    .as_deref()
                    .is_some_and(|resp| self.doc_ts_covers_dss_with(doc, resp, ranges[1].1))
                {
                    "B-LTA"
                } else {
                    "B-LT"
                }
                .into(),
            );
        }
        let _ = contents;
    }
}
