//! Building a XAdES signature: [`Prepared`] makes SignedProperties and SignedInfo and says what
//! the token must sign; [`Prepared::finish`] embeds the token's value (raw r‖s for ECDSA, as the
//! card gives it); then [`add_signature_timestamp`] (B-T), [`add_validation_data`] (B-LT) and
//! [`add_archive_timestamp`] (B-LTA) add the unsigned properties, in that order, so the OCSP
//! answer is always produced after the time-stamp.

use std::time::SystemTime;

use bergshamra_c14n::C14nMode;
use signet_core::{Clock, Fetch};
use signet_pki::crypto::{HashAlg, oid};
use signet_pki::ocsp::{OcspAnswer, OcspPolicy};
use signet_pki::tsp::VerifiedTimestamp;
use signet_pki::xmldsig::{SignatureMethod, XmlDocument};
use signet_pki::{Cert, PathValidator};

use super::{
    C14N11, DS, SHA256_URI, SIGNED_PROPERTIES_TYPE, XADES, b64, c14n_element, descendants, xml_time,
};
use crate::container::FileDigest;
use crate::xml::{escape, uri_encode};

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The signer's key is of a kind Signet does not sign with.
    #[error("the signing certificate's key is not ECDSA P-256/P-384 or RSA")]
    UnsupportedKey,
    /// The token's value does not verify with the certificate's key.
    #[error("the token's signature does not verify with the signing certificate: {0}")]
    BadValue(String),
    /// The XML could not be built or read back.
    #[error("building the XAdES signature failed: {0}")]
    Xml(String),
    /// The time-stamping authority failed.
    #[error("the time-stamp could not be had: {0}")]
    Timestamp(#[from] signet_pki::tsp::TspError),
    /// The OCSP responder failed.
    #[error("the signing certificate's OCSP status could not be had: {0}")]
    Ocsp(#[from] signet_pki::ocsp::OcspError),
    /// The signing certificate is not good.
    #[error("the signing certificate is not good according to its OCSP responder: {0}")]
    NotGood(String),
    /// A CA certificate of the path is revoked, or its CRL could not be had.
    #[error("a CA certificate of the signing certificate's path cannot be used: {0}")]
    CaRevocation(String),
    /// The issuer of the signing certificate is unknown.
    #[error("the issuer of the signing certificate was not found: {0}")]
    NoIssuer(String),
    /// The data files could not be read for the archive time-stamp.
    #[error("reading the data files failed: {0}")]
    Data(String),
}

fn xml_err(e: impl std::fmt::Display) -> SignError {
    SignError::Xml(e.to_string())
}

/// The signature method for the signer's key: the hash follows the curve (asice.md 2).
pub fn method_for(signer: &Cert) -> Result<(SignatureMethod, &'static str), SignError> {
    let spki = signer.spki();
    if spki.algorithm.oid == oid::RSA {
        return Ok((
            SignatureMethod::Rsa(HashAlg::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        ));
    }
    if spki.algorithm.oid == oid::EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
        return match curve {
            Some(c) if c == oid::P384 => Ok((
                SignatureMethod::Ecdsa(HashAlg::Sha384),
                "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
            )),
            Some(c) if c == oid::P256 => Ok((
                SignatureMethod::Ecdsa(HashAlg::Sha256),
                "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            )),
            _ => Err(SignError::UnsupportedKey),
        };
    }
    Err(SignError::UnsupportedKey)
}

/// What a new signature covers.
#[derive(Debug, Clone)]
pub struct SignRequest<'a> {
    /// The signing certificate.
    pub signer: &'a Cert,
    /// The data files and their digests.
    pub files: &'a [FileDigest],
    /// The claimed signing time.
    pub signing_time: SystemTime,
    /// The signature's number in the container: its Id is `S<index>`.
    pub index: usize,
}

/// A signature waiting for the token's value.
#[derive(Debug, Clone)]
pub struct Prepared {
    xml: String,
    signed_info: Vec<u8>,
    method: SignatureMethod,
    signer: Cert,
}

impl Prepared {
    /// Builds SignedProperties and SignedInfo for `request`.
    pub fn new(request: &SignRequest<'_>) -> Result<Self, SignError> {
        use sha2::Digest as _;
        let (method, method_uri) = method_for(request.signer)?;
        let id = format!("S{}", request.index);
        let cert_digest = sha2::Sha256::digest(request.signer.der());
        let formats: String = request
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                format!(
                    "<xades:DataObjectFormat ObjectReference=\"#{id}-RefId{i}\"><xades:MimeType>{}</xades:MimeType></xades:DataObjectFormat>",
                    escape(&f.media_type)
                )
            })
            .collect();
        let signed_properties = format!(
            "<xades:SignedProperties Id=\"{id}-SignedProperties\"><xades:SignedSignatureProperties><xades:SigningTime>{}</xades:SigningTime><xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{}</ds:DigestValue></xades:CertDigest></xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties><xades:SignedDataObjectProperties>{formats}</xades:SignedDataObjectProperties></xades:SignedProperties>",
            xml_time(request.signing_time),
            b64(&cert_digest)
        );
        let file_refs: String = request
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                format!(
                    "<ds:Reference Id=\"{id}-RefId{i}\" URI=\"{}\"><ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{}</ds:DigestValue></ds:Reference>",
                    escape(&uri_encode(&f.name)),
                    b64(&f.sha256)
                )
            })
            .collect();
        let sp_ref_id = request.files.len();
        let build = |sp_digest: &str, value: &str| {
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<asic:XAdESSignatures xmlns:asic=\"http://uri.etsi.org/02918/v1.2.1#\" xmlns:ds=\"{DS}\" xmlns:xades=\"{XADES}\"><ds:Signature Id=\"{id}\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{C14N11}\"/><ds:SignatureMethod Algorithm=\"{method_uri}\"/>{file_refs}<ds:Reference Id=\"{id}-RefId{sp_ref_id}\" Type=\"{SIGNED_PROPERTIES_TYPE}\" URI=\"#{id}-SignedProperties\"><ds:Transforms><ds:Transform Algorithm=\"{C14N11}\"/></ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256_URI}\"/><ds:DigestValue>{sp_digest}</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue Id=\"{id}-SIG\">{value}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo><ds:Object><xades:QualifyingProperties Target=\"#{id}\">{signed_properties}</xades:QualifyingProperties></ds:Object></ds:Signature></asic:XAdESSignatures>\n",
                b64(request.signer.der())
            )
        };
        // The SignedProperties digest is taken in the final document's context (inclusive
        // C14N carries the ancestors' namespace declarations).
        let draft = build("", "");
        let sp_digest = {
            let doc = XmlDocument::parse(&draft).map_err(xml_err)?;
            let root = doc.root().map_err(xml_err)?;
            let sp = descendants(&doc, root, XADES, "SignedProperties");
            let bytes = c14n_element(&doc, sp[0], C14nMode::Inclusive11).map_err(SignError::Xml)?;
            sha2::Sha256::digest(&bytes)
        };
        let xml = build(&b64(&sp_digest), "");
        let signed_info = {
            let doc = XmlDocument::parse(&xml).map_err(xml_err)?;
            let root = doc.root().map_err(xml_err)?;
            let si = descendants(&doc, root, DS, "SignedInfo");
            c14n_element(&doc, si[0], C14nMode::Inclusive11).map_err(SignError::Xml)?
        };
        Ok(Self {
            xml,
            signed_info,
            method,
            signer: request.signer.clone(),
        })
    }

    /// The hash the token's value is over.
    pub fn hash(&self) -> HashAlg {
        self.method.hash()
    }

    /// The digest the token signs: the hash of the canonical SignedInfo.
    pub fn digest_to_sign(&self) -> Vec<u8> {
        self.method.hash().digest(&self.signed_info)
    }

    /// Embeds the token's signature value (raw r‖s for ECDSA, PKCS #1 v1.5 for RSA), after
    /// checking it with the certificate's key.
    pub fn finish(self, value: &[u8]) -> Result<String, SignError> {
        self.method
            .verify(&self.signer, &self.signed_info, value)
            .map_err(|e| SignError::BadValue(e.to_string()))?;
        let marker = "-SIG\"></ds:SignatureValue>";
        let at = self
            .xml
            .find(marker)
            .ok_or_else(|| SignError::Xml("no SignatureValue".to_owned()))?;
        let mut xml = self.xml;
        xml.insert_str(
            at + marker.len() - "</ds:SignatureValue>".len(),
            &b64(value),
        );
        Ok(xml)
    }
}

/// Inserts `element` as the last unsigned signature property of the signature in `xml`.
fn insert_unsigned(xml: &str, element: &str) -> Result<String, SignError> {
    const USP_END: &str = "</xades:UnsignedSignatureProperties>";
    const QP_END: &str = "</xades:QualifyingProperties>";
    if let Some(at) = xml.rfind(USP_END) {
        let mut out = xml.to_owned();
        out.insert_str(at, element);
        return Ok(out);
    }
    let at = xml
        .rfind(QP_END)
        .ok_or_else(|| SignError::Xml("no QualifyingProperties written by Signet".to_owned()))?;
    let mut out = xml.to_owned();
    out.insert_str(
        at,
        &format!(
            "<xades:UnsignedProperties><xades:UnsignedSignatureProperties>{element}{USP_END}</xades:UnsignedProperties>"
        ),
    );
    Ok(out)
}

fn signature_id(doc: &XmlDocument<'_>) -> Result<String, SignError> {
    let root = doc.root().map_err(xml_err)?;
    let sig = descendants(doc, root, DS, "Signature");
    sig.first()
        .and_then(|&s| doc.attribute(s, "Id"))
        .map(str::to_owned)
        .ok_or_else(|| SignError::Xml("the signature has no Id".to_owned()))
}

/// The digest a SignatureTimeStamp covers: SHA-256 of C14N 1.1 of `ds:SignatureValue`.
pub fn signature_timestamp_digest(xml: &str) -> Result<Vec<u8>, SignError> {
    let doc = XmlDocument::parse(xml).map_err(xml_err)?;
    let root = doc.root().map_err(xml_err)?;
    let value = descendants(&doc, root, DS, "SignatureValue");
    let value = value
        .first()
        .ok_or_else(|| SignError::Xml("no SignatureValue".to_owned()))?;
    Ok(HashAlg::Sha256
        .digest(&c14n_element(&doc, *value, C14nMode::Inclusive11).map_err(SignError::Xml)?))
}

/// B-T: asks the TSA at `url` to time-stamp the signature value and adds the
/// SignatureTimeStamp. The TSA is checked with `validator`.
pub fn add_signature_timestamp(
    xml: &str,
    fetch: &dyn Fetch,
    clock: &dyn Clock,
    url: &str,
    validator: &PathValidator<'_>,
) -> Result<(String, VerifiedTimestamp), SignError> {
    let digest = signature_timestamp_digest(xml)?;
    let ts =
        signet_pki::tsp::request_timestamp(fetch, clock, url, HashAlg::Sha256, &digest, validator)?;
    let doc = XmlDocument::parse(xml).map_err(xml_err)?;
    let id = signature_id(&doc)?;
    let element = format!(
        "<xades:SignatureTimeStamp Id=\"{id}-T0\"><ds:CanonicalizationMethod Algorithm=\"{C14N11}\"/><xades:EncapsulatedTimeStamp>{}</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>",
        b64(&ts.token)
    );
    Ok((insert_unsigned(xml, &element)?, ts))
}

/// B-LT: asks the signer's OCSP responder (after the time-stamp) and adds CertificateValues
/// (the issuer) and RevocationValues (the whole OCSP response).
pub fn add_validation_data(
    xml: &str,
    fetch: &dyn Fetch,
    clock: &dyn Clock,
    signer: &Cert,
    issuer: &Cert,
    policy: &OcspPolicy,
) -> Result<(String, OcspAnswer), SignError> {
    let answer = signet_pki::ocsp::check_certificate(fetch, clock, signer, issuer, None, policy)?;
    if answer.status != signet_pki::ocsp::CertificateStatus::Good {
        return Err(SignError::NotGood(format!("{:?}", answer.status)));
    }
    let xml = embed_validation_data(xml, &[issuer.der()], &answer.der)?;
    Ok((xml, answer))
}

/// B-LT for a path (`chain`: the signer first, the trust anchor last): the signer's OCSP answer
/// as [`add_validation_data`], and the CRL of every CA certificate below the anchor, fetched
/// from its distribution point and checked (a revoked CA refuses the signature), with those
/// CA certificates.
///
/// `above`: the certificates known above the anchor when the anchor is not a root (an issuing
/// CA trusted directly), each the issuer of the one before. The anchor's CRL (and the next
/// ones) are then embedded too, so that a verifier who trusts only the root can judge the CA
/// offline; a revoked one refuses the signature, one whose CRL cannot be had is left out.
pub fn add_validation_data_with_crls(
    xml: &str,
    fetch: &dyn Fetch,
    clock: &dyn Clock,
    signer: &Cert,
    chain: &[Cert],
    above: &[Cert],
    policy: &OcspPolicy,
) -> Result<(String, OcspAnswer), SignError> {
    add_validation_data_covering(xml, fetch, clock, signer, chain, above, policy, &[])
}

/// [`add_validation_data_with_crls`], also embedding the CRL of each `(certificate, issuer)` of
/// `timestamps` — the signature time-stamp's TSA path — when one can be had: a verifier who
/// trusts only the root then judges the time-stamp offline too (one that cannot be had is left
/// out, as the time-stamp may be trusted directly, e.g. through a trusted list).
#[allow(
    clippy::too_many_arguments,
    reason = "add_validation_data_with_crls's parts and the time-stamp's path"
)]
pub fn add_validation_data_covering(
    xml: &str,
    fetch: &dyn Fetch,
    clock: &dyn Clock,
    signer: &Cert,
    chain: &[Cert],
    above: &[Cert],
    policy: &OcspPolicy,
    timestamps: &[(Cert, Cert)],
) -> Result<(String, OcspAnswer), SignError> {
    let issuer = chain
        .get(1)
        .ok_or_else(|| SignError::NoIssuer("the signing certificate is a trust anchor".into()))?;
    let answer = signet_pki::ocsp::check_certificate(fetch, clock, signer, issuer, None, policy)?;
    if answer.status != signet_pki::ocsp::CertificateStatus::Good {
        return Err(SignError::NotGood(format!("{:?}", answer.status)));
    }
    let mut crls: Vec<Vec<u8>> = Vec::new();
    let mut certs: Vec<&[u8]> = vec![issuer.der()];
    let now = clock.now();
    let full: Vec<&Cert> = chain.iter().chain(above).collect();
    let anchor = chain.len().saturating_sub(1);
    for (i, pair) in full.windows(2).enumerate().skip(1) {
        let [ca, ca_issuer] = pair else { continue };
        let (ca, ca_issuer) = (*ca, *ca_issuer);
        if crls
            .iter()
            .any(|c| signet_pki::crl::verify(c, ca, ca_issuer, now, now).is_ok())
        {
            certs.push(ca.der());
            continue;
        }
        let crl = match signet_pki::crl::fetch_for(fetch, ca, ca_issuer, now, now) {
            Ok(crl) => crl,
            // Above the signer's own anchor: helpful to others, not required.
            Err(e) if i >= anchor => {
                tracing::warn!(ca = %ca.subject(), error = %e, "no CRL for a CA above the anchor: not embedded");
                break;
            }
            Err(e) => return Err(SignError::CaRevocation(format!("{}: {e}", ca.subject()))),
        };
        certs.push(ca.der());
        if let signet_pki::crl::CrlStatus::Revoked { time, .. } = crl.status {
            return Err(SignError::CaRevocation(format!(
                "{} was revoked on {}",
                ca.subject(),
                signet_pki::time::Utc(time)
            )));
        }
        crls.push(crl.der);
    }
    for (cert, issuer) in timestamps {
        if crls
            .iter()
            .any(|c| signet_pki::crl::verify(c, cert, issuer, now, now).is_ok())
        {
            continue;
        }
        match signet_pki::crl::fetch_for(fetch, cert, issuer, now, now) {
            Ok(crl) => crls.push(crl.der),
            Err(e) => {
                tracing::warn!(tsa = %cert.subject(), error = %e, "no CRL for the time-stamp's path: not embedded");
            }
        }
    }
    certs.dedup();
    let xml = embed_validation_data_with_crls(xml, &certs, &answer.der, &crls)?;
    Ok((xml, answer))
}

/// Adds CertificateValues and RevocationValues with the given certificates and OCSP response.
pub fn embed_validation_data(
    xml: &str,
    certificates: &[&[u8]],
    ocsp: &[u8],
) -> Result<String, SignError> {
    embed_validation_data_with_crls(xml, certificates, ocsp, &[])
}

/// Adds CertificateValues and RevocationValues with the given certificates, OCSP response and
/// CRLs (for CA certificates below the trust anchor; CRLValues precede OCSPValues in the XAdES
/// schema).
pub fn embed_validation_data_with_crls(
    xml: &str,
    certificates: &[&[u8]],
    ocsp: &[u8],
    crls: &[Vec<u8>],
) -> Result<String, SignError> {
    let doc = XmlDocument::parse(xml).map_err(xml_err)?;
    let id = signature_id(&doc)?;
    let certs: String = certificates
        .iter()
        .enumerate()
        .map(|(i, der)| {
            let suffix = if i == 0 { String::new() } else { i.to_string() };
            format!(
                "<xades:EncapsulatedX509Certificate Id=\"{id}-CA-CERT{suffix}\">{}</xades:EncapsulatedX509Certificate>",
                b64(der)
            )
        })
        .collect();
    let crl_values = if crls.is_empty() {
        String::new()
    } else {
        let values: String = crls
            .iter()
            .enumerate()
            .map(|(i, der)| {
                format!(
                    "<xades:EncapsulatedCRLValue Id=\"{id}-CRL{i}\">{}</xades:EncapsulatedCRLValue>",
                    b64(der)
                )
            })
            .collect();
        format!("<xades:CRLValues>{values}</xades:CRLValues>")
    };
    let element = format!(
        "<xades:CertificateValues>{certs}</xades:CertificateValues><xades:RevocationValues>{crl_values}<xades:OCSPValues><xades:EncapsulatedOCSPValue Id=\"N0\">{}</xades:EncapsulatedOCSPValue></xades:OCSPValues></xades:RevocationValues>",
        b64(ocsp)
    );
    insert_unsigned(xml, &element)
}

/// Feeds a data file's bytes (by its name in the container) to the sink.
pub type FeedFile<'a> = dyn FnMut(&str, &mut dyn FnMut(&[u8])) -> Result<(), String> + 'a;

/// B-LTA: time-stamps the archive digest (asice.md 2: the referenced data, SignedInfo,
/// SignatureValue, KeyInfo, then every unsigned signature property) and adds the
/// ArchiveTimeStamp.
pub fn add_archive_timestamp(
    xml: &str,
    fetch: &dyn Fetch,
    clock: &dyn Clock,
    url: &str,
    validator: &PathValidator<'_>,
    feed: &mut FeedFile<'_>,
) -> Result<(String, VerifiedTimestamp), SignError> {
    let doc = XmlDocument::parse(xml).map_err(xml_err)?;
    let root = doc.root().map_err(xml_err)?;
    let signature = *descendants(&doc, root, DS, "Signature")
        .first()
        .ok_or_else(|| SignError::Xml("no Signature".to_owned()))?;
    let digest = super::verify::archive_digest(&doc, signature, C14nMode::Inclusive11, None, feed)
        .map_err(SignError::Data)?;
    let ts =
        signet_pki::tsp::request_timestamp(fetch, clock, url, HashAlg::Sha256, &digest, validator)?;
    let id = signature_id(&doc)?;
    let element = format!(
        "<xades141:ArchiveTimeStamp xmlns:xades141=\"http://uri.etsi.org/01903/v1.4.1#\" Id=\"{id}-A0\"><ds:CanonicalizationMethod Algorithm=\"{C14N11}\"/><xades:EncapsulatedTimeStamp>{}</xades:EncapsulatedTimeStamp></xades141:ArchiveTimeStamp>",
        b64(&ts.token)
    );
    Ok((insert_unsigned(xml, &element)?, ts))
}

/// The services a signature above B-B needs.
#[derive(Debug)]
pub struct Services<'a> {
    /// The network.
    pub fetch: &'a dyn Fetch,
    /// The time.
    pub clock: &'a dyn Clock,
    /// The time-stamping authority (from B-T).
    pub tsa_url: Option<&'a str>,
    /// Validates the TSA's certificate and finds the signer's issuer.
    pub validator: &'a PathValidator<'a>,
    /// The OCSP policy (nonce required, fresh answers; responders a list names).
    pub ocsp_policy: OcspPolicy,
}

/// Raises a freshly finished B-B signature to `level`: the time-stamp first, then the OCSP
/// answer (so it is produced after the time-stamp), then the archive time-stamp.
pub fn extend_to(
    xml: String,
    level: signet_core::BaselineLevel,
    signer: &Cert,
    services: &Services<'_>,
    feed: &mut FeedFile<'_>,
) -> Result<String, SignError> {
    use signet_core::BaselineLevel as L;
    if level == L::B_B {
        return Ok(xml);
    }
    let tsa = services.tsa_url.ok_or_else(|| {
        SignError::Data("a time-stamping authority (--tsa URL) is needed from level B-T".to_owned())
    })?;
    let (mut xml, ts) = add_signature_timestamp(
        &xml,
        services.fetch,
        services.clock,
        tsa,
        services.validator,
    )?;
    tracing::info!(gen_time = %signet_pki::time::Utc(ts.gen_time), "signature time-stamped");
    if level == L::B_T {
        return Ok(xml);
    }
    xml = add_long_term(&xml, signer, services)?;
    if level == L::B_LT {
        return Ok(xml);
    }
    let (xml, _) = add_archive_timestamp(
        &xml,
        services.fetch,
        services.clock,
        tsa,
        services.validator,
        feed,
    )?;
    Ok(xml)
}

/// B-LT over a time-stamped signature: finds the signer's path, asks its OCSP responder (now,
/// so after the time-stamp) and embeds the answer, the CA certificates and their CRLs
/// ([`add_validation_data_with_crls`]).
pub fn add_long_term(
    xml: &str,
    signer: &Cert,
    services: &Services<'_>,
) -> Result<String, SignError> {
    let path = services.validator.validate(
        signer,
        signet_pki::Purpose::Signature,
        signet_pki::ValidationTime::Current(services.clock.now()),
    );
    path.issuer().ok_or_else(|| {
        SignError::NoIssuer(format!(
            "no path from the signing certificate to a trusted CA ({})",
            path.findings
                .first()
                .map(|f| f.problem.to_string())
                .unwrap_or_default()
        ))
    })?;
    let above = path
        .chain
        .last()
        .map(|anchor| services.validator.issuers_above(anchor))
        .unwrap_or_default();
    let timestamps = timestamp_path(xml, services);
    let (xml, answer) = add_validation_data_covering(
        xml,
        services.fetch,
        services.clock,
        signer,
        &path.chain,
        &above,
        &services.ocsp_policy,
        &timestamps,
    )?;
    tracing::info!(produced_at = %signet_pki::time::Utc(answer.produced_at), "OCSP answer embedded");
    Ok(xml)
}

/// The signature time-stamp's TSA path in `xml` — each certificate with its issuer, from the
/// TSA up to a self-issued root, the issuers taken from the token's own certificates and the
/// validator's path — whose CRLs B-LT embeds; empty when the time-stamp cannot be read.
fn timestamp_path(xml: &str, services: &Services<'_>) -> Vec<(Cert, Cert)> {
    let token = xml
        .find("<xades:SignatureTimeStamp")
        .map(|at| &xml[at..])
        .and_then(|rest| {
            let open = rest.find("<xades:EncapsulatedTimeStamp")?;
            let body = &rest[open..];
            let start = body.find('>')? + 1;
            let end = body.find("</xades:EncapsulatedTimeStamp>")?;
            super::unb64(body.get(start..end)?)
        })
        .map(|t| signet_pki::ber::to_der(&t).unwrap_or(t));
    let Some(Ok(signed)) = token.map(|t| signet_pki::signed_data::verify(&t, &[])) else {
        return Vec::new();
    };
    let path = services.validator.validate(
        &signed.signer,
        signet_pki::Purpose::TimeStamping,
        signet_pki::ValidationTime::Current(services.clock.now()),
    );
    let pool: Vec<&Cert> = signed.certificates.iter().chain(&path.chain).collect();
    let mut out = Vec::new();
    let mut cert = signed.signer.clone();
    while !cert.is_self_issued() && out.len() < 8 {
        let Some(issuer) = pool
            .iter()
            .find(|c| c.subject() == cert.issuer() && cert.verify_signed_by(c).is_ok())
        else {
            break;
        };
        out.push((cert.clone(), (*issuer).clone()));
        cert = (*issuer).clone();
    }
    out
}
