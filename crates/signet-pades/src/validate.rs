//! Validation of PDF signatures.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::Decode as _;
use signet_pdf::{Document, Object};
use signet_pki::Cert;

/// Whether any field of the document holds a signature value.
pub fn has_signatures(doc: &Document<'_>) -> bool {
    let Ok(catalog) = doc.catalog() else {
        return false;
    };
    let Ok(Some(form)) = doc.resolve_dict(catalog.get("AcroForm")) else {
        return false;
    };
    let Ok(fields) = doc.resolve(form.get("Fields").unwrap_or(&Object::Null)) else {
        return false;
    };
    fields.as_array().unwrap_or_default().iter().any(|f| {
        doc.resolve(f)
            .ok()
            .and_then(|o| o.as_dict().cloned())
            .is_some_and(|d| d.is_name("FT", "Sig") && d.get("V").is_some())
    })
}

/// The certificate the (first) SignerInfo names, from the CMS's own certificates.
pub fn signer_certificate(cms: &[u8]) -> Option<Cert> {
    let info = ContentInfo::from_der(cms).ok()?;
    let sd: SignedData = info.content.decode_as().ok()?;
    let si = sd.signer_infos.0.iter().next()?;
    crate::ltv::cms_certificates(cms)
        .into_iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                &ias.issuer == c.issuer() && &ias.serial_number == c.serial()
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                c.subject_key_id() == Some(ski.0.as_bytes())
            }
        })
}
