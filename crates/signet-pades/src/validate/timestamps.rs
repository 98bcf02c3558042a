//! Document time-stamps, the TSA's revocation, and which revisions they cover.

use super::*;

impl Ctx<'_, '_> {
    pub(super) fn check_doc_timestamp(
        &self,
        r: &mut SignatureReport,
        der: &[u8],
        ranges: &[(usize, usize); 2],
        crls: &[Vec<u8>],
    ) {
        let certs = ltv::cms_certificates(der);
        let pool = self.validator_pool(&certs);
        let validator = PathValidator::new(&self.anchors, pool);
        let hash = tst_hash(der).unwrap_or(HashAlg::Sha256);
        let digest = digest_ranges(self.data, ranges, hash);
        let verified = signet_pki::tsp::verify(der, hash, &digest, &validator, self.options.at)
            .and_then(|v| {
                self.tsa_revocation(der, &validator, crls, v.gen_time)?;
                Ok(v)
            });
        match verified {
            Ok(v) => {
                r.best_signing_time = Some(rfc3339(v.gen_time));
                r.claimed_time = Some(rfc3339(v.gen_time));
                r.signer = Some(v.tsa.clone().into());
                r.timestamps.push(TimestampFacts {
                    kind: "document".into(),
                    time: rfc3339(v.gen_time),
                    tsa: v.tsa.subject.clone(),
                    valid: true,
                    error: None,
                });
                r.level = Some("document-timestamp".into());
            }
            Err(e) => {
                let (ind, sub) = tsp_verdict(&e);
                r.fail(ind, sub, format!("document time-stamp: {e}"));
            }
        }
    }

    /// genTimes of document time-stamps whose revision ends after `end`.
    /// The TSA certificate's revocation (validation policy section 6), with `stored` CRLs and,
    /// when online, the distribution points.
    pub(super) fn tsa_revocation(
        &self,
        token: &[u8],
        validator: &PathValidator<'_>,
        stored: &[Vec<u8>],
        gen_time: SystemTime,
    ) -> Result<(), signet_pki::tsp::TspError> {
        let crls = CrlSource {
            stored,
            online: self.options.online,
            now: self
                .options
                .online
                .map_or(self.options.at, |(_, clock)| clock.now()),
        };
        signet_pki::tsp::check_tsa_revocation(token, validator, &crls, gen_time)
    }

    /// The genTimes of the document time-stamps after `end` that verify (a TSA revoked: no
    /// proof), and the first TSA revocation that could not be established.
    pub(super) fn later_doc_timestamps(
        &self,
        doc: &Document<'_>,
        end: usize,
    ) -> (Vec<SystemTime>, Option<signet_pki::tsp::TspError>) {
        let mut out = Vec::new();
        let mut unknown = None;
        for f in signature_fields(doc) {
            let Some(v) = f.value else { continue };
            let Ok(o) = doc.get(v) else { continue };
            let Some(d) = o.as_dict() else { continue };
            if !(d.is_name("SubFilter", "ETSI.RFC3161")) {
                continue;
            }
            let Some(br) = d.get("ByteRange").and_then(Object::as_array) else {
                continue;
            };
            let br: Vec<i64> = br.iter().filter_map(Object::as_int).collect();
            if br.len() != 4 || br.iter().any(|x| *x < 0) || ((br[2] + br[3]) as usize) <= end {
                continue;
            }
            let ranges = [
                (0usize, br[1] as usize),
                (br[2] as usize, (br[2] + br[3]) as usize),
            ];
            if ranges[1].1 > self.data.len() || ranges[0].1 > ranges[1].0 {
                continue;
            }
            let contents = d
                .get("Contents")
                .and_then(Object::as_str)
                .unwrap_or_default();
            let Some(len) = der_length(contents) else {
                continue;
            };
            let token = &contents[..len];
            let hash = tst_hash(token).unwrap_or(HashAlg::Sha256);
            let digest = digest_ranges(self.data, &ranges, hash);
            let pool = self.validator_pool(&ltv::cms_certificates(token));
            let validator = PathValidator::new(&self.anchors, pool);
            if let Ok(v) =
                signet_pki::tsp::verify(token, hash, &digest, &validator, self.options.at)
            {
                let mut crls = self.dss_crls().to_vec();
                crls.extend(ltv::cms_crls(token));
                match self.tsa_revocation(token, &validator, &crls, v.gen_time) {
                    Ok(()) => out.push(v.gen_time),
                    Err(e @ signet_pki::tsp::TspError::TsaRevocationUnknown { .. }) => {
                        out.push(v.gen_time);
                        unknown.get_or_insert(e);
                    }
                    Err(_) => {}
                }
            }
        }
        (out, unknown)
    }

    /// Whether a valid document time-stamp covers the first revision after `end` whose DSS
    /// holds `resp` (this signature's revocation data): B-LTA protects the validation data only
    /// then. A DSS added or completed after the last document time-stamp leaves B-LT.
    pub(super) fn doc_ts_covers_dss_with(
        &self,
        doc: &Document<'_>,
        resp: &[u8],
        end: usize,
    ) -> bool {
        let with = self.revisions.iter().enumerate().find(|(i, rv)| {
            rv.end > end
                && self
                    .docs
                    .get(*i)
                    .is_ok_and(|d| dss_items(d, "OCSPs").iter().any(|o| o == resp))
        });
        let Some((_, rv)) = with else { return false };
        !self
            .later_doc_timestamps(doc, rv.end.saturating_sub(1))
            .0
            .is_empty()
    }
}
