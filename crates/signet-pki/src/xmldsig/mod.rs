//! XML-DSig verification (W3C XML Signature Syntax and Processing 1.1, section 3.2 "Core
//! Validation"), the core that trusted lists and, later, XAdES build on.
//!
//! ```text
//! <Signature ID?>
//!   <SignedInfo>
//!     <CanonicalizationMethod Algorithm/>       C14N 1.0, 1.1 or exclusive, with or without comments
//!     <SignatureMethod Algorithm/>              rsa-sha256/384/512, ecdsa-sha256/384/512
//!     (<Reference URI? Type?>
//!        (<Transforms>enveloped-signature, C14N</Transforms>)?
//!        <DigestMethod Algorithm/>             sha256/384/512
//!        <DigestValue/>
//!     </Reference>)+
//!   </SignedInfo>
//!   <SignatureValue/>
//!   (<KeyInfo><X509Data><X509Certificate/>…</X509Data></KeyInfo>)?
//! </Signature>
//! ```
//!
//! Core validation, in order: every Reference is dereferenced, transformed and digested and the
//! digest compared with DigestValue (reference validation, 3.2.1); then SignedInfo is
//! canonicalized with its CanonicalizationMethod and the SignatureValue verified with the
//! signer's key (signature validation, 3.2.2). The result says which elements each reference
//! covered, so that callers use only signed content (the defence against signature wrapping:
//! "what is signed" is answered by the references, never by where an element sits).
//!
//! Hardening: documents with a DOCTYPE are refused before parsing (no DTD, so no entity
//! expansion of any kind); duplicate ID values anywhere in the document are refused; only
//! same-document references (`""`, `#id`) and, for detached signatures, references the caller
//! resolves are followed; SHA-1 and unknown algorithms are refused. Canonicalization is
//! `bergshamra-c14n` on an `uppsala` DOM.

mod algorithms;

use std::collections::HashMap;

use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use uppsala::{Document, NodeId};

use crate::cert::Cert;
use crate::crypto::CryptoError;

pub use algorithms::{SignatureMethod, digest_method};

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The enveloped-signature transform (section 6.6.4).
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// The exclusive C14N namespace (InclusiveNamespaces).
const EXC_C14N_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// The largest XML document parsed (the EU LOTL is about 1 MiB, national lists a few).
pub const MAX_XML_BYTES: usize = 32 * 1024 * 1024;

/// Why an XML signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlDsigError {
    /// The bytes are not well-formed UTF-8 XML.
    #[error("not well-formed XML: {0}")]
    Malformed(String),
    /// A DOCTYPE (and so possible entity declarations) is present.
    #[error("the XML document has a DOCTYPE, which Signet refuses (no DTDs, no entities)")]
    Doctype,
    /// The document is larger than [`MAX_XML_BYTES`].
    #[error("the XML document has {size} bytes, more than the {limit} accepted")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A required element is missing or repeated.
    #[error("the signature's {0} element is missing or repeated")]
    Structure(&'static str),
    /// Two elements carry the same ID value: references by ID would be ambiguous.
    #[error("the ID “{0}” appears on more than one element")]
    DuplicateId(String),
    /// An algorithm that is unknown or refused (SHA-1).
    #[error("the algorithm {0} is not accepted")]
    Algorithm(String),
    /// A Reference cannot be followed.
    #[error("the reference “{uri}” cannot be followed: {reason}")]
    Dereference {
        /// The URI.
        uri: String,
        /// Why.
        reason: String,
    },
    /// A reference's digest does not match: the referenced content was changed.
    #[error("the digest of the reference “{uri}” does not match: the signed content was changed")]
    DigestMismatch {
        /// The URI.
        uri: String,
    },
    /// Base64 content does not decode.
    #[error("{element} is not valid base64")]
    Base64 {
        /// The element.
        element: &'static str,
    },
    /// Canonicalization failed.
    #[error("canonicalization failed: {0}")]
    Canonicalization(String),
    /// The SignatureValue does not verify with the key.
    #[error("the signature value does not verify: {0}")]
    Signature(CryptoError),
    /// KeyInfo holds no usable certificate.
    #[error("the signature's KeyInfo holds no X.509 certificate Signet can read: {0}")]
    KeyInfo(String),
}

/// A parsed XML document, refused when it has a DOCTYPE.
#[derive(Debug)]
pub struct XmlDocument<'a> {
    doc: Document<'a>,
}

impl<'a> XmlDocument<'a> {
    /// Parses `text` (UTF-8 XML without a DOCTYPE).
    pub fn parse(text: &'a str) -> Result<Self, XmlDsigError> {
        if text.len() > MAX_XML_BYTES {
            return Err(XmlDsigError::TooLarge {
                size: text.len(),
                limit: MAX_XML_BYTES,
            });
        }
        // Conservative: any "<!DOCTYPE", even inside a comment, refuses the document.
        if text.contains("<!DOCTYPE") {
            return Err(XmlDsigError::Doctype);
        }
        let doc = uppsala::parse(text).map_err(|e| XmlDsigError::Malformed(e.to_string()))?;
        Ok(Self { doc })
    }

    /// The DOM.
    pub fn dom(&self) -> &Document<'a> {
        &self.doc
    }

    /// The root element.
    pub fn root(&self) -> Result<NodeId, XmlDsigError> {
        self.doc
            .document_element()
            .ok_or(XmlDsigError::Malformed("no root element".to_owned()))
    }

    /// The child elements of `parent` named `local` in namespace `ns`.
    pub fn children(&self, parent: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
        self.doc.child_elements_by_name_ns(parent, ns, local)
    }

    /// The only child element `ns:local` of `parent`.
    pub fn child(&self, parent: NodeId, ns: &str, local: &str) -> Option<NodeId> {
        match self.children(parent, ns, local).as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The text of `node`, whitespace-trimmed (all text descendants).
    pub fn text(&self, node: NodeId) -> String {
        self.doc.text_content_deep(node).trim().to_owned()
    }

    /// An attribute of `node` by local name.
    pub fn attribute(&self, node: NodeId, name: &str) -> Option<&str> {
        self.doc.get_attribute(node, name)
    }

    fn ids(&self) -> Result<HashMap<String, NodeId>, XmlDsigError> {
        let mut ids = HashMap::new();
        for node in self.doc.descendants(self.doc.root()) {
            let Some(element) = self.doc.element(node) else {
                continue;
            };
            for attr in &element.attributes {
                let local = attr.name.local_name.as_ref();
                if matches!(local, "Id" | "ID" | "id") && attr.name.namespace_uri.is_none() {
                    let value = attr.value.to_string();
                    if ids.insert(value.clone(), node).is_some() {
                        return Err(XmlDsigError::DuplicateId(value));
                    }
                }
            }
        }
        Ok(ids)
    }
}

/// What one Reference covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReference {
    /// The URI as written.
    pub uri: String,
    /// The Type attribute, when given.
    pub kind: Option<String>,
    /// The element the reference covers (the document element for `""`), `None` for a
    /// reference the caller resolved.
    pub element: Option<NodeId>,
    /// Whether the enveloped-signature transform removed the signature from it.
    pub enveloped: bool,
}

/// A signature whose references and value verified.
#[derive(Debug, Clone)]
pub struct VerifiedSignature {
    /// The signer's certificate (from KeyInfo, or the one given).
    pub signer: Cert,
    /// The other certificates in KeyInfo.
    pub certificates: Vec<Cert>,
    /// The references, in order.
    pub references: Vec<VerifiedReference>,
    /// The signature method.
    pub method: SignatureMethod,
}

impl VerifiedSignature {
    /// Whether a reference covers the whole document (`""` or `#id` of the document element).
    pub fn covers_document(&self, doc: &XmlDocument<'_>) -> bool {
        let root = doc.root().ok();
        self.references
            .iter()
            .any(|r| r.element.is_some() && r.element == root)
    }
}

fn base64(text: &str, element: &'static str) -> Result<Vec<u8>, XmlDsigError> {
    use base64ct::Encoding as _;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64ct::Base64::decode_vec(&compact).map_err(|_| XmlDsigError::Base64 { element })
}

fn c14n(
    doc: &XmlDocument<'_>,
    mode: C14nMode,
    set: &NodeSet,
    prefixes: &[String],
) -> Result<Vec<u8>, XmlDsigError> {
    bergshamra_c14n::canonicalize_doc(doc.dom(), mode, Some(set), prefixes)
        .map_err(|e| XmlDsigError::Canonicalization(e.to_string()))
}

/// A C14N algorithm element (CanonicalizationMethod or Transform) with its PrefixList.
fn c14n_method(doc: &XmlDocument<'_>, node: NodeId) -> Option<(C14nMode, Vec<String>)> {
    let mode = C14nMode::from_uri(doc.attribute(node, "Algorithm")?)?;
    let prefixes = doc
        .child(node, EXC_C14N_NS, "InclusiveNamespaces")
        .and_then(|n| doc.attribute(n, "PrefixList"))
        .map(|list| {
            list.split_ascii_whitespace()
                .map(|p| {
                    if p == "#default" {
                        String::new()
                    } else {
                        p.to_owned()
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Some((mode, prefixes))
}

fn required(
    doc: &XmlDocument<'_>,
    parent: NodeId,
    local: &'static str,
) -> Result<NodeId, XmlDsigError> {
    doc.child(parent, DSIG_NS, local)
        .ok_or(XmlDsigError::Structure(local))
}

/// Bytes for references outside the document (detached signatures: ASiC data files).
pub trait Resolver {
    /// The content of `uri`, or `None` when it is not known.
    fn resolve(&self, uri: &str) -> Option<Vec<u8>>;
}

/// No references outside the document.
#[derive(Debug, Clone, Copy)]
pub struct SameDocumentOnly;

impl Resolver for SameDocumentOnly {
    fn resolve(&self, _uri: &str) -> Option<Vec<u8>> {
        None
    }
}

/// The `ds:Signature` elements that are children of the document element (an enveloped
/// signature, as trusted lists carry it).
pub fn enveloped_signatures(doc: &XmlDocument<'_>) -> Result<Vec<NodeId>, XmlDsigError> {
    Ok(doc.children(doc.root()?, DSIG_NS, "Signature"))
}

/// Verifies the `ds:Signature` element `signature` of `doc`: every reference, then the
/// signature value with `key` when given, else with the first certificate of KeyInfo.
/// Trusting that certificate is the caller's decision.
pub fn verify(
    doc: &XmlDocument<'_>,
    signature: NodeId,
    key: Option<&Cert>,
    resolver: &dyn Resolver,
) -> Result<VerifiedSignature, XmlDsigError> {
    let ids = doc.ids()?;
    let signed_info = required(doc, signature, "SignedInfo")?;
    let c14n_node = required(doc, signed_info, "CanonicalizationMethod")?;
    let (mode, prefixes) = c14n_method(doc, c14n_node).ok_or_else(|| {
        XmlDsigError::Algorithm(
            doc.attribute(c14n_node, "Algorithm")
                .unwrap_or("")
                .to_owned(),
        )
    })?;
    let method_node = required(doc, signed_info, "SignatureMethod")?;
    let method = SignatureMethod::from_uri(doc.attribute(method_node, "Algorithm").unwrap_or(""))?;
    let reference_nodes = doc.children(signed_info, DSIG_NS, "Reference");
    if reference_nodes.is_empty() {
        return Err(XmlDsigError::Structure("Reference"));
    }
    let mut references = Vec::new();
    for node in reference_nodes {
        references.push(verify_reference(doc, signature, node, &ids, resolver)?);
    }

    let mut certificates = Vec::new();
    if let Some(key_info) = doc.child(signature, DSIG_NS, "KeyInfo") {
        for data in doc.children(key_info, DSIG_NS, "X509Data") {
            for cert in doc.children(data, DSIG_NS, "X509Certificate") {
                let der = base64(&doc.text(cert), "X509Certificate")?;
                certificates
                    .push(Cert::from_der(&der).map_err(|e| XmlDsigError::KeyInfo(e.to_string()))?);
            }
        }
    }
    let signer = match key {
        Some(cert) => cert.clone(),
        None if !certificates.is_empty() => certificates.remove(0),
        None => return Err(XmlDsigError::KeyInfo("no X509Certificate".to_owned())),
    };

    let signed_bytes = c14n(
        doc,
        mode,
        &NodeSet::tree_without_comments(signed_info, doc.dom()),
        &prefixes,
    )?;
    let value = base64(
        &doc.text(required(doc, signature, "SignatureValue")?),
        "SignatureValue",
    )?;
    method
        .verify(&signer, &signed_bytes, &value)
        .map_err(XmlDsigError::Signature)?;
    tracing::debug!(
        references = references.len(),
        method = ?method,
        signer_issuer = %signer.issuer_for_logs(),
        "XML signature verified"
    );
    Ok(VerifiedSignature {
        signer,
        certificates,
        references,
        method,
    })
}

fn verify_reference(
    doc: &XmlDocument<'_>,
    signature: NodeId,
    node: NodeId,
    ids: &HashMap<String, NodeId>,
    resolver: &dyn Resolver,
) -> Result<VerifiedReference, XmlDsigError> {
    let uri = doc.attribute(node, "URI").unwrap_or("").to_owned();
    let kind = doc.attribute(node, "Type").map(str::to_owned);
    let digest_node = required(doc, node, "DigestMethod")?;
    let hash = digest_method(doc.attribute(digest_node, "Algorithm").unwrap_or(""))?;
    let expected = base64(
        &doc.text(required(doc, node, "DigestValue")?),
        "DigestValue",
    )?;
    let transforms: Vec<NodeId> = doc
        .child(node, DSIG_NS, "Transforms")
        .map(|t| doc.children(t, DSIG_NS, "Transform"))
        .unwrap_or_default();
    let fail = |reason: &str| XmlDsigError::Dereference {
        uri: uri.clone(),
        reason: reason.to_owned(),
    };

    let (element, mut set) = if uri.is_empty() {
        // Section 4.4.3.3: the whole document without comments.
        let root = doc.root()?;
        (Some(root), NodeSet::all_without_comments(doc.dom()))
    } else if let Some(id) = uri.strip_prefix('#') {
        let target = *ids.get(id).ok_or_else(|| fail("no element has this ID"))?;
        (
            Some(target),
            NodeSet::tree_without_comments(target, doc.dom()),
        )
    } else {
        if !transforms.is_empty() {
            return Err(fail("transforms on a detached reference are not supported"));
        }
        let bytes = resolver
            .resolve(&uri)
            .ok_or_else(|| fail("it is not in this document, and not a known file"))?;
        if hash.digest(&bytes) != expected {
            return Err(XmlDsigError::DigestMismatch { uri });
        }
        return Ok(VerifiedReference {
            uri,
            kind,
            element: None,
            enveloped: false,
        });
    };

    let mut enveloped = false;
    let mut mode = C14nMode::Inclusive;
    let mut prefixes = Vec::new();
    for (i, transform) in transforms.iter().enumerate() {
        let algorithm = doc.attribute(*transform, "Algorithm").unwrap_or("");
        if algorithm == ENVELOPED {
            set = set.subtract(&NodeSet::tree_with_comments(signature, doc.dom()));
            enveloped = true;
        } else if let Some((m, p)) = c14n_method(doc, *transform) {
            // A canonicalization turns the node set into octets: it must come last.
            if i + 1 != transforms.len() {
                return Err(fail("a canonicalization transform must be the last"));
            }
            mode = m;
            prefixes = p;
        } else {
            return Err(XmlDsigError::Algorithm(algorithm.to_owned()));
        }
    }
    // Section 4.4.3.2: a node set left at the end is converted with C14N 1.0 (no comments).
    let bytes = c14n(doc, mode, &set, &prefixes)?;
    if hash.digest(&bytes) != expected {
        return Err(XmlDsigError::DigestMismatch { uri });
    }
    Ok(VerifiedReference {
        uri,
        kind,
        element,
        enveloped,
    })
}
