//! A signed test trusted list (ETSI TS 119 612 v2) naming the issuing CA (`CA/QC`), the
//! delegated OCSP responder (`Certstatus/OCSP/QC`) and the TSA (`TSA/QTST`) as granted
//! qualified services, enveloped-signed with ECDSA P-384 over exclusive C14N, as libdigidocpp's
//! test lists are (asice.md section 7.2).
//!
//! The signer is written by hand here (canonicalization from `bergshamra-c14n`), so that the
//! tests need no xmlsec1 to make a list; `xmlsec1 --verify` is the independent judge in the tests
//! when it is installed.

use std::time::SystemTime;

use base64ct::Encoding as _;
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use der::Encode as _;
use sha2::Digest as _;
use x509_cert::ext::pkix::KeyUsages;

use crate::TestkitError;
use crate::keys::TestKey;
use crate::pki::{Certificates, DAY, Role, org_name, spec, whole_seconds};
use crate::x509::{Extensions, issue};

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// What to change in the generated list. The default is the list [`crate::TestPki::trusted_list`]
/// makes: the issuing CA (CA/QC, ForeSignatures), the delegated OCSP responder (OCSP/QC) and the
/// TSA (TSA/QTST), all granted since a year before [`crate::TestPki::now`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TrustedListOptions {
    /// List the TSA as a TSA/QTST service (default true).
    pub tsa: bool,
    /// Further certificates to list as OCSP/QC services (e.g. [`Role::RogueOcspResponder`]).
    pub extra_ocsp: Vec<Role>,
    /// Further certificates to list as TSA/QTST services (e.g. [`Role::Root`], which the TSA's
    /// certificate chains to).
    pub extra_tsa: Vec<Role>,
    /// Qualifier URIs (TS 119 612 clause 5.5.9.2) for the CA/QC service, in one Qualification
    /// whose criteria are "at least one of" the policy QCP-n-qscd or the nonRepudiation bit.
    pub ca_qualifiers: Vec<String>,
    /// SchemeTerritory (default `EE`).
    pub territory: String,
    /// TSLSequenceNumber (default 1).
    pub sequence: u64,
    /// ListIssueDateTime (default a day before [`crate::TestPki::now`]).
    pub issued: Option<SystemTime>,
    /// NextUpdate (default 180 days after [`crate::TestPki::now`]).
    pub next_update: Option<SystemTime>,
}

impl Default for TrustedListOptions {
    fn default() -> Self {
        Self {
            tsa: true,
            extra_ocsp: Vec::new(),
            extra_tsa: Vec::new(),
            ca_qualifiers: Vec::new(),
            territory: "EE".to_owned(),
            sequence: 1,
            issued: None,
            next_update: None,
        }
    }
}

/// The qualifier URI for a short name such as `QCWithQSCD` or `NotQualified`.
pub fn qualifier_uri(name: &str) -> String {
    format!("http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/{name}")
}

/// A signed trusted list and the certificate that signed it.
#[derive(Debug)]
pub struct TestTrustedList {
    /// The signed XML.
    pub xml: String,
    /// The signer's certificate (DER): pin this one.
    pub signer: Vec<u8>,
    /// The same list signed by another key (its own certificate in KeyInfo).
    pub signed_by_another: String,
    /// The other key's certificate (DER).
    pub other_signer: Vec<u8>,
}

pub(crate) fn xml_time(t: SystemTime) -> Result<String, TestkitError> {
    let t = der::DateTime::from_system_time(t)?;
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minutes(),
        t.seconds()
    ))
}

fn service(kind: &str, name: &str, cert: &[u8], since: &str, extra: &str) -> String {
    format!(
        "<TSPService><ServiceInformation>\
<ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/{kind}</ServiceTypeIdentifier>\
<ServiceName><Name xml:lang=\"en\">{name}</Name></ServiceName>\
<ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity>\
<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</ServiceStatus>\
<StatusStartingTime>{since}</StatusStartingTime>{extra}\
</ServiceInformation></TSPService>",
        base64ct::Base64::encode_string(cert)
    )
}

/// The qualifications extension (TS 119 612 clause 5.5.9.2) with one Qualification.
fn qualifications(qualifiers: &[String]) -> String {
    if qualifiers.is_empty() {
        return String::new();
    }
    let list: String = qualifiers
        .iter()
        .map(|q| format!("<ecc:Qualifier uri=\"{q}\"/>"))
        .collect();
    format!(
        "<Extension Critical=\"true\"><ecc:Qualifications xmlns:ecc=\"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#\">\
<ecc:QualificationElement><ecc:Qualifiers>{list}</ecc:Qualifiers>\
<ecc:CriteriaList assert=\"atLeastOne\">\
<ecc:KeyUsage><ecc:KeyUsageBit name=\"nonRepudiation\">true</ecc:KeyUsageBit></ecc:KeyUsage>\
<ecc:PolicySet><ecc:PolicyIdentifier><xades:Identifier xmlns:xades=\"http://uri.etsi.org/01903/v1.3.2#\">urn:oid:0.4.0.194112.1.2</xades:Identifier></ecc:PolicyIdentifier></ecc:PolicySet>\
</ecc:CriteriaList></ecc:QualificationElement></ecc:Qualifications></Extension>"
    )
}

/// The unsigned list (no Signature element).
pub(crate) fn body(
    certs: &Certificates,
    options: &TrustedListOptions,
) -> Result<String, TestkitError> {
    let now = certs.now;
    let since = xml_time(now - 365 * DAY)?;
    let for_esig = format!(
        "<ServiceInformationExtensions><Extension Critical=\"false\">\
<AdditionalServiceInformation><URI xml:lang=\"en\">http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures</URI></AdditionalServiceInformation>\
</Extension>{}</ServiceInformationExtensions>",
        qualifications(&options.ca_qualifiers)
    );
    let mut others = String::new();
    for role in &options.extra_ocsp {
        others.push_str(&service(
            "Certstatus/OCSP/QC",
            &format!("Signet Test listed responder {role:?}"),
            certs.der(*role),
            &since,
            "",
        ));
    }
    for role in &options.extra_tsa {
        others.push_str(&service(
            "TSA/QTST",
            &format!("Signet Test listed TSA {role:?}"),
            certs.der(*role),
            &since,
            "",
        ));
    }
    if options.tsa {
        others.push_str(&service(
            "TSA/QTST",
            "Signet Test TSA",
            certs.der(Role::Tsa),
            &since,
            "",
        ));
    }
    Ok(format!(
        "<TrustServiceStatusList xmlns=\"http://uri.etsi.org/02231/v2#\" xmlns:ds=\"{DSIG}\" Id=\"signet-test-tl\" TSLTag=\"http://uri.etsi.org/19612/TSLTag\">\
<SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>{}</TSLSequenceNumber>\
<TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType>\
<SchemeOperatorName><Name xml:lang=\"en\">Signet Test Supervisor</Name></SchemeOperatorName>\
<SchemeTerritory>{}</SchemeTerritory>\
<ListIssueDateTime>{}</ListIssueDateTime><NextUpdate><dateTime>{}</dateTime></NextUpdate></SchemeInformation>\
<TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang=\"en\">Signet Test CA provider</Name></TSPName></TSPInformation><TSPServices>\
{}{}{}</TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>",
        options.sequence,
        options.territory,
        xml_time(options.issued.unwrap_or(now - DAY))?,
        xml_time(options.next_update.unwrap_or(now + 180 * DAY))?,
        service(
            "CA/QC",
            "Signet Test ESTEID2018",
            certs.der(Role::IssuingCa),
            &since,
            &for_esig
        ),
        service(
            "Certstatus/OCSP/QC",
            "Signet Test OCSP",
            certs.der(Role::OcspResponder),
            &since,
            ""
        ),
        others,
    ))
}

fn c14n_err(e: impl std::fmt::Display) -> TestkitError {
    TestkitError::Key(format!("XML canonicalization: {e}"))
}

/// Signs `body` (enveloped, URI="", exclusive C14N, ECDSA-SHA384) with `key`, naming `cert`.
pub(crate) fn sign(body: &str, key: &TestKey, cert: &[u8]) -> Result<String, TestkitError> {
    let doc = uppsala::parse(body).map_err(c14n_err)?;
    let empty: [&str; 0] = [];
    let canonical = bergshamra_c14n::canonicalize_doc(
        &doc,
        C14nMode::Exclusive,
        Some(&NodeSet::all_without_comments(&doc)),
        &empty,
    )
    .map_err(c14n_err)?;
    let digest = base64ct::Base64::encode_string(&sha2::Sha256::digest(&canonical));
    let signed_info = format!(
        "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"></ds:CanonicalizationMethod>\
<ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384\"></ds:SignatureMethod>\
<ds:Reference URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"{DSIG}enveloped-signature\"></ds:Transform>\
<ds:Transform Algorithm=\"{EXC_C14N}\"></ds:Transform></ds:Transforms>\
<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"></ds:DigestMethod>\
<ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"
    );
    let close = "</TrustServiceStatusList>";
    let with_signature = |value: &str| {
        body.replacen(
            close,
            &format!(
                "<ds:Signature Id=\"signet-test-tl-signature\">{signed_info}<ds:SignatureValue>{value}</ds:SignatureValue>\
<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>{close}",
                base64ct::Base64::encode_string(cert)
            ),
            1,
        )
    };
    let template = with_signature("");
    let doc = uppsala::parse(&template).map_err(c14n_err)?;
    let node = doc
        .get_elements_by_tag_name_ns(DSIG, "SignedInfo")
        .first()
        .copied()
        .ok_or_else(|| c14n_err("no SignedInfo in the template"))?;
    let to_sign = bergshamra_c14n::canonicalize_doc(
        &doc,
        C14nMode::Exclusive,
        Some(&NodeSet::tree_without_comments(node, &doc)),
        &empty,
    )
    .map_err(c14n_err)?;
    let der_signature = key.sign(&to_sign)?;
    // XML-DSig carries ECDSA as r‖s (XML Signature 1.1 section 6.4.3), not DER.
    let raw = p384::ecdsa::Signature::from_der(&der_signature)
        .map_err(|e| TestkitError::Key(e.to_string()))?
        .to_bytes();
    Ok(with_signature(&base64ct::Base64::encode_string(&raw)))
}

/// A self-signed P-384 list signer.
pub(crate) fn signer(
    cn: &str,
    now: SystemTime,
    serial: u64,
) -> Result<(TestKey, Vec<u8>), TestkitError> {
    let key = TestKey::p384();
    let name = org_name(cn)?;
    let mut ext = Extensions::default();
    ext.basic_constraints(false, None)?
        .key_usage(KeyUsages::DigitalSignature.into())?
        .subject_key_id(&key)?;
    let cert = issue(
        spec(name.clone(), serial, now - 30 * DAY, now + 365 * DAY, ext),
        &key.spki()?,
        &name,
        &key,
    )?;
    Ok((key, cert.to_der()?))
}

/// Generates and signs the test trusted list for `certs`.
pub(crate) fn generate(
    certs: &Certificates,
    options: &TrustedListOptions,
) -> Result<TestTrustedList, TestkitError> {
    let now = whole_seconds(certs.now);
    let body = body(certs, options)?;
    let (key, signer_der) = signer("Signet Test TSL Signer", now, 0x7001)?;
    let (other_key, other_der) = signer("Signet Test TSL Impostor", now, 0x7002)?;
    Ok(TestTrustedList {
        xml: sign(&body, &key, &signer_der)?,
        signer: signer_der,
        signed_by_another: sign(&body, &other_key, &other_der)?,
        other_signer: other_der,
    })
}
