//! Extending the signatures of an existing container (issue 17 item 7): B-B and B-T signatures
//! to B-LT (a time-stamp first when there is none, then the signer's OCSP answer, produced after
//! it, with the CA certificates and their CRLs), and B-LT to B-LTA (an
//! `xades141:ArchiveTimeStamp` over the data files and the canonical signature, as libdigidocpp
//! makes it: [`crate::xades::sign::add_archive_timestamp`], the code signing uses).
//!
//! Signatures already at the level asked for are left as they are; a BDOC 2.1 time-mark
//! signature is not extended. The new container is written whole to `out` (which may be the
//! container itself; it is replaced atomically) and checked by `before_place` right before it
//! is put in place.

use std::io::Read as _;
use std::path::Path;

use signet_core::BaselineLevel;
use signet_pki::Cert;
use signet_pki::xmldsig::XmlDocument;
use uppsala::NodeId;

use crate::container::{AsicError, Container, MAX_XML_ENTRY};
use crate::place::Placement;
use crate::session::SessionError;
use crate::xades::sign::{
    FeedFile, Services, SignError, add_archive_timestamp, add_long_term, extend_to,
};
use crate::xades::{DS, XADES, XADES141, descendants, unb64};

/// The level a signature was found at, for extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A baseline level.
    Baseline(BaselineLevel),
    /// A BDOC 2.1 time-mark signature (OCSP without a time-stamp, a signature policy).
    TimeMark,
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Baseline(l) => l.fmt(f),
            Self::TimeMark => f.write_str("LT-TM"),
        }
    }
}

/// What was done to one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extended {
    /// The signature entry (`META-INF/signatures0.xml`).
    pub entry: String,
    /// The signature's Id.
    pub id: Option<String>,
    /// The level it had.
    pub from: Found,
    /// Whether it was changed (false: it was at the level asked for already).
    pub changed: bool,
}

fn refuse(why: String) -> SessionError {
    SessionError::Container(AsicError::NotAllowed(why))
}

fn xml_err(e: impl std::fmt::Display) -> SessionError {
    SessionError::Sign(SignError::Xml(e.to_string()))
}

fn one(doc: &XmlDocument<'_>, parent: NodeId, ns: &str, local: &str) -> Option<NodeId> {
    match doc.children(parent, ns, local).as_slice() {
        [n] => Some(*n),
        _ => None,
    }
}

/// The level of the signature `sig` from the unsigned properties it carries.
pub fn level_of(doc: &XmlDocument<'_>, sig: NodeId) -> Found {
    let qp = one(doc, sig, DS, "Object").and_then(|o| one(doc, o, XADES, "QualifyingProperties"));
    let Some(qp) = qp else {
        return Found::Baseline(BaselineLevel::B_B);
    };
    let usp = one(doc, qp, XADES, "UnsignedProperties")
        .and_then(|u| one(doc, u, XADES, "UnsignedSignatureProperties"));
    let Some(usp) = usp else {
        return Found::Baseline(BaselineLevel::B_B);
    };
    let has = |ns: &str, local: &str| !doc.children(usp, ns, local).is_empty();
    let timestamped = has(XADES, "SignatureTimeStamp");
    let revocation = has(XADES, "RevocationValues");
    match (timestamped, revocation) {
        _ if timestamped && has(XADES141, "ArchiveTimeStamp") => {
            Found::Baseline(BaselineLevel::B_LTA)
        }
        (true, true) => Found::Baseline(BaselineLevel::B_LT),
        (true, false) => Found::Baseline(BaselineLevel::B_T),
        // OCSP without a time-stamp: a BDOC 2.1 time-mark (its policy is not required here).
        (false, true) => Found::TimeMark,
        (false, false) => Found::Baseline(BaselineLevel::B_B),
    }
}

/// Checks that the text insertion of [`crate::xades::sign`] is sound for this file: one
/// `ds:Signature` written with the `ds` prefix, its qualifying properties with `xades`, and
/// the closing tag the new properties go before appearing exactly once.
fn check_insertable(doc: &XmlDocument<'_>, text: &str, sig: NodeId) -> Result<(), String> {
    let dom = doc.dom();
    let prefix = |n: NodeId| {
        dom.element(n)
            .and_then(|e| e.name.prefix.as_deref().map(str::to_owned))
    };
    if prefix(sig).as_deref() != Some("ds") {
        return Err("its ds:Signature is not written with the prefix “ds”".to_owned());
    }
    let qp = one(doc, sig, DS, "Object")
        .and_then(|o| one(doc, o, XADES, "QualifyingProperties"))
        .ok_or("it has no single ds:Object/xades:QualifyingProperties")?;
    if prefix(qp).as_deref() != Some("xades") {
        return Err("its QualifyingProperties are not written with the prefix “xades”".to_owned());
    }
    let usp = one(doc, qp, XADES, "UnsignedProperties")
        .and_then(|u| one(doc, u, XADES, "UnsignedSignatureProperties"));
    let (tag, node) = match usp {
        Some(u) => ("</xades:UnsignedSignatureProperties>", u),
        None => ("</xades:QualifyingProperties>", qp),
    };
    if prefix(node).as_deref() != Some("xades") || text.matches(tag).count() != 1 {
        return Err(format!(
            "“{tag}” does not appear exactly once in it, as Signet and libdigidocpp write it"
        ));
    }
    Ok(())
}

/// The signer certificate of KeyInfo (the certificate SigningCertificateV2 binds, which
/// validation before extending checks).
fn key_info_cert(doc: &XmlDocument<'_>, sig: NodeId) -> Option<Cert> {
    let ki = one(doc, sig, DS, "KeyInfo")?;
    descendants(doc, ki, DS, "X509Certificate")
        .into_iter()
        .find_map(|c| unb64(&doc.text(c)).and_then(|der| Cert::from_der(&der).ok()))
}

/// Raises every signature of the container at `path` to `level` (B-LT or B-LTA) and writes the
/// result to `out`, placed as `placement` says once `before_place` agrees. Returns what was done
/// to each signature; when none needed a change, nothing is written.
pub fn extend_container(
    path: &Path,
    out: &Path,
    level: BaselineLevel,
    services: &Services<'_>,
    placement: Placement,
    before_place: &mut dyn FnMut() -> Result<(), AsicError>,
) -> Result<Vec<Extended>, SessionError> {
    if !level.has_validation_data() {
        return Err(refuse(format!("extend makes B-LT or B-LTA, not {level}")));
    }
    let container = Container::open(path)?;
    if let Some(problem) = container.problems().first() {
        return Err(refuse(format!(
            "the container is inconsistent, Signet does not extend it: {problem}"
        )));
    }
    if container.signature_names().is_empty() {
        return Err(refuse(format!(
            "{} has no signature to extend",
            path.display()
        )));
    }
    let mut feed = |name: &str, sink: &mut dyn FnMut(&[u8])| -> Result<(), String> {
        let mut r = container.open_entry(name).map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = r.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Ok(());
            }
            sink(&buf[..n]);
        }
    };
    let mut done = Vec::new();
    let mut replaced: Vec<(String, String)> = Vec::new();
    for name in container.signature_names() {
        let bytes = container.read_small(name, MAX_XML_ENTRY)?;
        let text = String::from_utf8(bytes).map_err(|_| refuse(format!("{name} is not UTF-8")))?;
        let (new_text, record) = extend_file(name, &text, level, services, &mut feed)?;
        if let Some(new_text) = new_text {
            replaced.push((name.clone(), new_text));
        }
        done.push(record);
    }
    if replaced.is_empty() {
        return Ok(done);
    }
    let names: Vec<String> = replaced.iter().map(|(n, _)| n.clone()).collect();
    container.rewrite(
        out,
        &|n| !names.iter().any(|r| r == n),
        &mut |w| {
            for (name, xml) in &replaced {
                w.add(name, &mut xml.as_bytes(), true, &mut |_| {})?;
            }
            Ok(())
        },
        None,
        services.clock.now(),
        (placement, before_place),
    )?;
    Ok(done)
}

/// Extends the one signature of a signature file; `None` when it is at `level` already.
fn extend_file(
    name: &str,
    text: &str,
    level: BaselineLevel,
    services: &Services<'_>,
    feed: &mut FeedFile<'_>,
) -> Result<(Option<String>, Extended), SessionError> {
    use BaselineLevel as L;
    let doc = XmlDocument::parse(text).map_err(xml_err)?;
    let root = doc.root().map_err(xml_err)?;
    let sig = match doc.children(root, DS, "Signature").as_slice() {
        [one] => *one,
        [] => return Err(refuse(format!("{name} holds no ds:Signature"))),
        _ => {
            return Err(refuse(format!(
                "{name} holds several signatures: Signet extends files of one signature each (as libdigidocpp writes them)"
            )));
        }
    };
    let from = level_of(&doc, sig);
    let record = |changed| Extended {
        entry: name.to_owned(),
        id: doc.attribute(sig, "Id").map(str::to_owned),
        from,
        changed,
    };
    let Found::Baseline(have) = from else {
        return Err(refuse(format!(
            "{name} is a BDOC 2.1 time-mark signature (LT-TM): Signet does not extend those"
        )));
    };
    if have >= level {
        return Ok((None, record(false)));
    }
    check_insertable(&doc, text, sig)
        .map_err(|why| refuse(format!("{name} cannot be extended by Signet: {why}")))?;
    let signer = key_info_cert(&doc, sig)
        .ok_or_else(|| refuse(format!("{name} carries no signing certificate in KeyInfo")))?;
    let tsa = || {
        services.tsa_url.ok_or_else(|| {
            SessionError::Sign(SignError::Data(
                "a time-stamping authority (--tsa URL) is needed".to_owned(),
            ))
        })
    };
    let xml = match have {
        L::B_B => extend_to(text.to_owned(), level, &signer, services, feed)?,
        L::B_T => {
            let xml = add_long_term(text, &signer, services)?;
            if level == L::B_LTA {
                let (xml, _) = add_archive_timestamp(
                    &xml,
                    services.fetch,
                    services.clock,
                    tsa()?,
                    services.validator,
                    feed,
                )?;
                xml
            } else {
                xml
            }
        }
        _ => {
            let (xml, ts) = add_archive_timestamp(
                text,
                services.fetch,
                services.clock,
                tsa()?,
                services.validator,
                feed,
            )?;
            tracing::info!(entry = name, gen_time = %signet_pki::time::Utc(ts.gen_time), "archive time-stamp added");
            xml
        }
    };
    Ok((Some(xml), record(true)))
}
