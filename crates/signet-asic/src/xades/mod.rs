//! XAdES baseline signatures (ETSI EN 319 132-1) as libdigidocpp writes and checks them
//! (asice.md sections 2 and 3): [`sign`] builds them, [`verify`] validates them.
//!
//! ```text
//! <asic:XAdESSignatures>
//!   <ds:Signature Id="S0">
//!     <ds:SignedInfo>  C14N 1.1; ecdsa-sha384 | rsa-sha256
//!       <ds:Reference Id="S0-RefId0" URI="hello.txt"> sha256 of the file
//!       <ds:Reference Id="S0-RefId1" Type="…#SignedProperties" URI="#S0-SignedProperties"> C14N 1.1
//!     <ds:SignatureValue Id="S0-SIG">  raw r‖s for ECDSA
//!     <ds:KeyInfo><ds:X509Data><ds:X509Certificate>  the signer only
//!     <ds:Object><xades:QualifyingProperties Target="#S0">
//!       <xades:SignedProperties Id="S0-SignedProperties">
//!         SigningTime, SigningCertificateV2, DataObjectFormat per file
//!       <xades:UnsignedProperties><xades:UnsignedSignatureProperties>
//!         SignatureTimeStamp (B-T), CertificateValues + RevocationValues (B-LT),
//!         xades141:ArchiveTimeStamp (B-LTA)
//! ```

pub mod sign;
pub mod verify;

use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use signet_pki::xmldsig::XmlDocument;
use uppsala::NodeId;

/// XML-DSig.
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// XAdES 1.3.2.
pub const XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// XAdES 1.4.1 (ArchiveTimeStamp).
pub const XADES141: &str = "http://uri.etsi.org/01903/v1.4.1#";
/// ASiC (XAdESSignatures).
pub const ASIC: &str = "http://uri.etsi.org/02918/v1.2.1#";
/// The Type of the reference to SignedProperties.
pub const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
/// C14N 1.1.
pub const C14N11: &str = "http://www.w3.org/2006/12/xml-c14n11";
/// SHA-256 as a DigestMethod.
pub const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// The BDOC 2.1 time-mark policy identifiers (asice.md section 4).
pub const BDOC_TM_POLICIES: [&str; 2] = [
    "urn:oid:1.3.6.1.4.1.10015.1000.3.2.1",
    "urn:oid:1.3.6.1.4.1.10015.1000.3.2.3",
];

/// Every element `ns:local` under `root` (the root included), in document order.
pub(crate) fn descendants(
    doc: &XmlDocument<'_>,
    root: NodeId,
    ns: &str,
    local: &str,
) -> Vec<NodeId> {
    let dom = doc.dom();
    let mut out = Vec::new();
    if dom
        .element(root)
        .is_some_and(|e| e.name.matches(Some(ns), local))
    {
        out.push(root);
    }
    out.extend(dom.descendants(root).into_iter().filter(|&n| {
        dom.element(n)
            .is_some_and(|e| e.name.matches(Some(ns), local))
    }));
    out
}

/// The canonical form of the subtree at `node` (comments removed unless the mode keeps them).
pub(crate) fn c14n_element(
    doc: &XmlDocument<'_>,
    node: NodeId,
    mode: C14nMode,
) -> Result<Vec<u8>, String> {
    let set = if mode.with_comments() {
        NodeSet::tree_with_comments(node, doc.dom())
    } else {
        NodeSet::tree_without_comments(node, doc.dom())
    };
    bergshamra_c14n::canonicalize_doc(doc.dom(), mode, Some(&set), &[] as &[String])
        .map_err(|e| format!("canonicalization failed: {e}"))
}

/// base64 without line breaks.
pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64ct::Encoding as _;
    base64ct::Base64::encode_string(bytes)
}

/// base64 without line breaks, for tests that build XML.
#[doc(hidden)]
pub fn b64_for_tests(bytes: &[u8]) -> String {
    b64(bytes)
}

/// base64 decoding that ignores whitespace (libxml2 writes line breaks).
pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    use base64ct::Encoding as _;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64ct::Base64::decode_vec(&compact).ok()
}

/// An xs:dateTime in UTC with `Z`.
pub(crate) fn xml_time(t: std::time::SystemTime) -> String {
    signet_pki::time::Utc(t).to_string()
}
