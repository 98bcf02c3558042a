//! The archive time-stamp's digest input (asice.md section 2, libdigidocpp's
//! `calcArchiveDigest`).

use super::*;

/// The archive time-stamp input (asice.md section 2, libdigidocpp's `calcArchiveDigest`): each
/// referenced object (data bytes, canonical SignedProperties), SignedInfo, SignatureValue and
/// KeyInfo, then every unsigned signature property before `until`, canonicalized with `mode`.
/// Data files are fed by `feed`. Returns the SHA-256 of it all.
pub fn archive_digest(
    doc: &XmlDocument<'_>,
    sig: NodeId,
    mode: C14nMode,
    until: Option<NodeId>,
    feed: &mut crate::xades::sign::FeedFile<'_>,
) -> Result<Vec<u8>, String> {
    archive_digest_with(doc, sig, mode, until, feed, HashAlg::Sha256)
}

fn archive_digest_with(
    doc: &XmlDocument<'_>,
    sig: NodeId,
    mode: C14nMode,
    until: Option<NodeId>,
    feed: &mut crate::xades::sign::FeedFile<'_>,
    hash: HashAlg,
) -> Result<Vec<u8>, String> {
    let mut hasher = hash.hasher();
    archive_input(
        doc,
        sig,
        mode,
        until,
        &mut |bytes| hasher.update(bytes),
        feed,
    )?;
    Ok(hasher.finish())
}

fn archive_input(
    doc: &XmlDocument<'_>,
    sig: NodeId,
    mode: C14nMode,
    until: Option<NodeId>,
    sink: &mut dyn FnMut(&[u8]),
    feed: &mut crate::xades::sign::FeedFile<'_>,
) -> Result<(), String> {
    let one = |parent: NodeId, ns: &str, local: &str| only(doc.children(parent, ns, local));
    let signed_info = one(sig, DS, "SignedInfo").ok_or("no SignedInfo")?;
    let qp = one(sig, DS, "Object")
        .and_then(|o| one(o, XADES, "QualifyingProperties"))
        .ok_or("no QualifyingProperties")?;
    let sp = one(qp, XADES, "SignedProperties").ok_or("no SignedProperties")?;
    for r in doc.children(signed_info, DS, "Reference") {
        let uri = doc.attribute(r, "URI").unwrap_or("");
        if doc.attribute(r, "Type") == Some(SIGNED_PROPERTIES_TYPE) {
            sink(&c14n_element(doc, sp, mode)?);
        } else {
            let name = uri_decode(uri).ok_or("a reference URI cannot be decoded")?;
            feed(&name, sink)?;
        }
    }
    for local in ["SignedInfo", "SignatureValue", "KeyInfo"] {
        if let Some(n) = one(sig, DS, local) {
            sink(&c14n_element(doc, n, mode)?);
        }
    }
    if let Some(usp) = one(qp, XADES, "UnsignedProperties")
        .and_then(|u| one(u, XADES, "UnsignedSignatureProperties"))
    {
        for child in doc.dom().children(usp) {
            if doc.dom().element(child).is_none() {
                continue;
            }
            if Some(child) == until {
                break;
            }
            sink(&c14n_element(doc, child, mode)?);
        }
    }
    Ok(())
}

/// The archive time-stamp digest with the data files streamed from `container`.
pub(super) fn archive_digest_input(
    doc: &XmlDocument<'_>,
    sig: NodeId,
    mode: C14nMode,
    until: Option<NodeId>,
    container: &Container,
    hash: HashAlg,
) -> Result<Vec<u8>, String> {
    let mut feed = |name: &str, sink: &mut dyn FnMut(&[u8])| -> Result<(), String> {
        let mut r = container.open_entry(name).map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = std::io::Read::read(&mut r, &mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Ok(());
            }
            sink(&buf[..n]);
        }
    };
    archive_digest_with(doc, sig, mode, until, &mut feed, hash)
}
