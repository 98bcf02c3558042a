//! The references of SignedInfo (each data file covered, with the manifest's media type; the
//! SignedProperties once by Id and Type) and the signer bound by SigningCertificate(V2).

use super::*;

impl Checker<'_, '_, '_> {
    /// Every Reference: data files by URI, the SignedProperties by Id and Type. Returns
    /// whether the SignedProperties digest verified.
    pub(super) fn check_references(
        &mut self,
        signed_info: NodeId,
        sp: NodeId,
        sp_id: &str,
    ) -> bool {
        let doc = self.doc;
        let refs = doc.children(signed_info, DS, "Reference");
        let mut sp_refs = 0;
        let mut sp_ok = false;
        let mut covered: Vec<(String, Option<String>)> = Vec::new();
        for r in refs {
            let uri = doc.attribute(r, "URI").unwrap_or("").to_owned();
            let kind = doc.attribute(r, "Type");
            let Some(hash) = self
                .child(r, DS, "DigestMethod")
                .and_then(|n| doc.attribute(n, "Algorithm"))
                .and_then(|a| digest_method(a).ok())
            else {
                self.report.fail(
                    Indication::Indeterminate,
                    SubIndication::CryptoConstraintsFailure,
                    format!("Reference '{uri}': digest method not supported"),
                );
                continue;
            };
            let Some(expected) = self
                .child(r, DS, "DigestValue")
                .and_then(|n| unb64(&doc.text(n)))
            else {
                self.report
                    .malformed(format!("Reference '{uri}' has no readable DigestValue"));
                continue;
            };
            let transforms: Vec<NodeId> = self
                .child(r, DS, "Transforms")
                .map(|t| doc.children(t, DS, "Transform"))
                .unwrap_or_default();
            if let Some(target) = uri.strip_prefix('#') {
                if kind != Some(SIGNED_PROPERTIES_TYPE) || target != sp_id || sp_id.is_empty() {
                    self.report.fail(
                        Indication::TotalFailed,
                        SubIndication::FormatFailure,
                        format!("Reference '{uri}' is a same-document reference other than the one SignedProperties with its Type"),
                    );
                    continue;
                }
                sp_refs += 1;
                let mode = match transforms.as_slice() {
                    [] => Some(C14nMode::Inclusive),
                    [t] => doc.attribute(*t, "Algorithm").and_then(C14nMode::from_uri),
                    _ => None,
                };
                let Some(mode) = mode else {
                    self.report.fail(
                        Indication::TotalFailed,
                        SubIndication::FormatFailure,
                        format!(
                            "Reference '{uri}': only one canonicalization transform is allowed"
                        ),
                    );
                    continue;
                };
                match c14n_element(doc, sp, mode) {
                    Ok(bytes) if hash.digest(&bytes) == expected => sp_ok = true,
                    _ => self.report.fail(
                        Indication::TotalFailed,
                        SubIndication::HashFailure,
                        format!("Failed to validate Reference '{uri}'"),
                    ),
                }
                continue;
            }
            if kind == Some(SIGNED_PROPERTIES_TYPE) {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!("Reference '{uri}' has the SignedProperties Type but does not point into the signature"),
                );
                continue;
            }
            if !transforms.is_empty() {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!(
                        "Reference '{uri}': transforms on a data file reference are not allowed"
                    ),
                );
                continue;
            }
            let name = uri_decode(&uri);
            let file = name
                .as_ref()
                .and_then(|n| self.container.data_files().iter().find(|d| d.name == *n));
            let Some(file) = file else {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::HashFailure,
                    format!(
                        "Failed to validate Reference '{uri}': no such data file in the container"
                    ),
                );
                continue;
            };
            match digest_entry(self.container, &file.name, hash) {
                Ok(d) if d == expected => {
                    covered.push((file.name.clone(), doc.attribute(r, "Id").map(str::to_owned)));
                }
                Ok(_) => self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::HashFailure,
                    format!("Failed to validate Reference '{uri}': the data file was changed"),
                ),
                Err(e) => self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::HashFailure,
                    format!("Failed to validate Reference '{uri}': {e}"),
                ),
            }
        }
        if self.container.data_files().is_empty() {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::SignedDataNotFound,
                "the container has no data file: the signature signs nothing",
            );
        }
        if sp_refs != 1 {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!("SignedInfo must reference the SignedProperties exactly once, by Id and Type (found {sp_refs})"),
            );
            sp_ok = false;
        }
        // Every data file covered, with the manifest's media type.
        for file in self.container.data_files() {
            if file.size == 0 {
                self.report
                    .warnings
                    .push(format!("Data file '{}' is empty", file.name));
            }
            let Some((_, ref_id)) = covered.iter().find(|(n, _)| *n == file.name) else {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::SignedDataNotFound,
                    format!(
                        "Manifest datafile '{}' not listed in signature references",
                        file.name
                    ),
                );
                continue;
            };
            let mime = ref_id.as_ref().and_then(|rid| {
                descendants(doc, sp, XADES, "DataObjectFormat")
                    .into_iter()
                    .find(|&f| doc.attribute(f, "ObjectReference") == Some(&format!("#{rid}")))
                    .and_then(|f| self.child(f, XADES, "MimeType"))
                    .map(|m| doc.text(m))
            });
            match mime {
                Some(m) if m == file.media_type => {}
                Some(m) => self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!(
                        "Manifest datafile '{}' mime '{}' does not match signature mime '{m}'",
                        file.name, file.media_type
                    ),
                ),
                None => self.report.warnings.push(format!(
                    "the signature gives no DataObjectFormat/MimeType for '{}'",
                    file.name
                )),
            }
        }
        self.report.covers = covered.into_iter().map(|(n, _)| n).collect();
        sp_ok
    }

    /// The signing certificate: the one KeyInfo certificate that SigningCertificate(V2)
    /// names by digest; any other KeyInfo certificate must be a CA certificate.
    pub(super) fn bound_signer(&mut self, ssp: NodeId) -> Option<Cert> {
        let doc = self.doc;
        let mut certs = Vec::new();
        if let Some(key_info) = self.child(self.sig, DS, "KeyInfo") {
            for data in doc.children(key_info, DS, "X509Data") {
                for c in doc.children(data, DS, "X509Certificate") {
                    match unb64(&doc.text(c)).map(|d| Cert::from_der(&d)) {
                        Some(Ok(cert)) => certs.push(cert),
                        _ => {
                            self.report.fail(
                                Indication::TotalFailed,
                                SubIndication::FormatFailure,
                                "a KeyInfo certificate cannot be read",
                            );
                            return None;
                        }
                    }
                }
            }
        }
        let Some(sc) = self
            .child(ssp, XADES, "SigningCertificateV2")
            .or_else(|| self.child(ssp, XADES, "SigningCertificate"))
        else {
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::NoSigningCertificateFound,
                "SignedProperties has no SigningCertificate(V2): the signer is not bound",
            );
            return None;
        };
        let digests: Vec<(String, Vec<u8>)> = doc
            .children(sc, XADES, "Cert")
            .into_iter()
            .filter_map(|c| {
                let d = self.child(c, XADES, "CertDigest")?;
                let alg = self
                    .child(d, DS, "DigestMethod")
                    .and_then(|m| doc.attribute(m, "Algorithm"))?
                    .to_owned();
                let value = unb64(&doc.text(self.child(d, DS, "DigestValue")?))?;
                Some((alg, value))
            })
            .collect();
        let matches = |cert: &Cert| {
            digests
                .iter()
                .any(|(alg, value)| cert_digest(alg, cert.der()).is_some_and(|d| d == *value))
        };
        let bound: Vec<&Cert> = certs.iter().filter(|c| matches(c)).collect();
        let signer = match bound.as_slice() {
            [one] => (*one).clone(),
            [] => {
                self.report.fail(
                    Indication::Indeterminate,
                    SubIndication::NoSigningCertificateFound,
                    "no KeyInfo certificate matches the SigningCertificate digest",
                );
                return None;
            }
            _ => {
                self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    "several KeyInfo certificates match SigningCertificate",
                );
                return None;
            }
        };
        if certs.iter().any(|c| *c != signer && !c.is_ca()) {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "KeyInfo holds another end-entity certificate besides the signer's (certificate doubling)",
            );
        }
        Some(signer)
    }
}
