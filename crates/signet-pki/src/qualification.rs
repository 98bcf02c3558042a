//! The qualification of a certificate according to a trusted list: what the certificate says
//! of itself (its qcStatements, ETSI EN 319 412-5 clause 4.2: QcCompliance, QcSSCD, QcType),
//! then what the CA/QC service that issued it says, through the qualifications extension of
//! ETSI TS 119 612 clause 5.5.9.2, applied as ETSI TS 119 615 describes (trust.md sections 2
//! and 6): the list can overrule the certificate.
//!
//! ```text
//! <Extension Critical="true"><ecc:Qualifications>
//!   <ecc:QualificationElement>
//!     <ecc:Qualifiers><ecc:Qualifier uri="…/SvcInfoExt/QCWithQSCD"/></ecc:Qualifiers>
//!     <ecc:CriteriaList assert="all|atLeastOne|none">
//!       <ecc:KeyUsage><ecc:KeyUsageBit name="nonRepudiation">true</ecc:KeyUsageBit></ecc:KeyUsage>
//!       <ecc:PolicySet><ecc:PolicyIdentifier><xades:Identifier>urn:oid:…</…></…></ecc:PolicySet>
//!       <ecc:CriteriaList …/>                       (nested)
//!       <ecc:otherCriteriaList>…</…>                (not evaluated: makes the result unknown)
//!     </ecc:CriteriaList>
//!   </ecc:QualificationElement>
//! </ecc:Qualifications></Extension>
//! ```

use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use uppsala::NodeId;
use x509_cert::ext::pkix::KeyUsages;

use crate::cert::{Cert, oid};
use crate::tsl::{SVC_CA_QC, Service};
use crate::xmldsig::XmlDocument;

const QUALIFIER_PREFIX: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/";
const ASI_PREFIX: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/";

/// A qualifier of TS 119 612 clause 5.5.9.2 (the pre-eIDAS SSCD names read as their QSCD
/// equivalents).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Qualifier {
    /// QCStatement: qualified even without QcCompliance.
    QcStatement,
    /// NotQualified: not qualified whatever the certificate says.
    NotQualified,
    /// QCWithQSCD (QCWithSSCD): the key is in a QSCD.
    WithQscd,
    /// QCNoQSCD (QCNoSSCD): the key is not in a QSCD.
    NoQscd,
    /// QCQSCDStatusAsInCert (QCSSCDStatusAsInCert): as QcSSCD says.
    QscdAsInCert,
    /// QCQSCDManagedOnBehalf: in a QSCD managed by a QTSP for the signer.
    QscdManagedOnBehalf,
    /// QCForESig: a certificate for electronic signatures.
    ForESig,
    /// QCForESeal: a certificate for electronic seals.
    ForESeal,
    /// QCForWSA: a certificate for website authentication.
    ForWsa,
    /// QCForLegalPerson: issued to a legal person.
    ForLegalPerson,
    /// Another URI.
    Other(String),
}

impl Qualifier {
    /// The qualifier a URI names.
    pub fn from_uri(uri: &str) -> Self {
        match uri.strip_prefix(QUALIFIER_PREFIX).unwrap_or(uri) {
            "QCStatement" => Self::QcStatement,
            "NotQualified" => Self::NotQualified,
            "QCWithQSCD" | "QCWithSSCD" => Self::WithQscd,
            "QCNoQSCD" | "QCNoSSCD" => Self::NoQscd,
            "QCQSCDStatusAsInCert" | "QCSSCDStatusAsInCert" => Self::QscdAsInCert,
            "QCQSCDManagedOnBehalf" => Self::QscdManagedOnBehalf,
            "QCForESig" => Self::ForESig,
            "QCForESeal" => Self::ForESeal,
            "QCForWSA" => Self::ForWsa,
            "QCForLegalPerson" => Self::ForLegalPerson,
            _ => Self::Other(uri.to_owned()),
        }
    }

    /// Its name in TS 119 612.
    pub fn name(&self) -> &str {
        match self {
            Self::QcStatement => "QCStatement",
            Self::NotQualified => "NotQualified",
            Self::WithQscd => "QCWithQSCD",
            Self::NoQscd => "QCNoQSCD",
            Self::QscdAsInCert => "QCQSCDStatusAsInCert",
            Self::QscdManagedOnBehalf => "QCQSCDManagedOnBehalf",
            Self::ForESig => "QCForESig",
            Self::ForESeal => "QCForESeal",
            Self::ForWsa => "QCForWSA",
            Self::ForLegalPerson => "QCForLegalPerson",
            Self::Other(uri) => uri,
        }
    }
}

/// How a CriteriaList combines its criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Assert {
    /// Every criterion holds.
    All,
    /// At least one holds.
    AtLeastOne,
    /// None holds.
    None,
}

/// One criterion of a CriteriaList.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Criterion {
    /// KeyUsage: each bit has the value given (true set, false clear).
    KeyUsage(Vec<(KeyUsages, bool)>),
    /// PolicySet: the certificate carries every policy.
    PolicySet(Vec<ObjectIdentifier>),
    /// A nested CriteriaList.
    List(Criteria),
    /// A criterion Signet does not evaluate (otherCriteriaList, an unknown bit or OID).
    Unsupported(String),
}

/// A CriteriaList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria {
    /// The assert attribute.
    pub assert: Assert,
    /// The criteria.
    pub criteria: Vec<Criterion>,
}

impl Criteria {
    /// Whether `cert` meets the criteria; `None` when an unsupported criterion decides.
    pub fn matches(&self, cert: &Cert) -> Option<bool> {
        let results: Vec<Option<bool>> = self.criteria.iter().map(|c| c.matches(cert)).collect();
        let any = |v: Option<bool>| results.contains(&v);
        match self.assert {
            Assert::All if any(Some(false)) => Some(false),
            Assert::All => (!any(None)).then_some(true),
            Assert::AtLeastOne if any(Some(true)) => Some(true),
            Assert::AtLeastOne => (!any(None)).then_some(false),
            Assert::None if any(Some(true)) => Some(false),
            Assert::None => (!any(None)).then_some(true),
        }
    }
}

impl Criterion {
    fn matches(&self, cert: &Cert) -> Option<bool> {
        match self {
            Self::KeyUsage(bits) => {
                let set = |bit: KeyUsages| cert.key_usage().is_some_and(|ku| ku.0.contains(bit));
                Some(bits.iter().all(|(bit, value)| set(*bit) == *value))
            }
            Self::PolicySet(policies) => Some(policies.iter().all(|p| cert.policies().contains(p))),
            Self::List(criteria) => criteria.matches(cert),
            Self::Unsupported(_) => None,
        }
    }
}

/// A QualificationElement: qualifiers for the certificates meeting the criteria.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationElement {
    /// The qualifiers.
    pub qualifiers: Vec<Qualifier>,
    /// The criteria.
    pub criteria: Criteria,
}

fn local_children(doc: &XmlDocument<'_>, node: NodeId, local: &str) -> Vec<NodeId> {
    let dom = doc.dom();
    dom.children(node)
        .into_iter()
        .filter(|n| dom.element(*n).is_some_and(|e| e.name.local_name == local))
        .collect()
}

fn element_children(doc: &XmlDocument<'_>, node: NodeId) -> Vec<(NodeId, String)> {
    let dom = doc.dom();
    dom.children(node)
        .into_iter()
        .filter_map(|n| dom.element(n).map(|e| (n, e.name.local_name.to_string())))
        .collect()
}

fn key_usage_bit(name: &str) -> Option<KeyUsages> {
    Some(match name {
        "digitalSignature" => KeyUsages::DigitalSignature,
        "nonRepudiation" | "contentCommitment" => KeyUsages::NonRepudiation,
        "keyEncipherment" => KeyUsages::KeyEncipherment,
        "dataEncipherment" => KeyUsages::DataEncipherment,
        "keyAgreement" => KeyUsages::KeyAgreement,
        "keyCertSign" => KeyUsages::KeyCertSign,
        "crlSign" => KeyUsages::CRLSign,
        "encipherOnly" => KeyUsages::EncipherOnly,
        "decipherOnly" => KeyUsages::DecipherOnly,
        _ => return None,
    })
}

/// How deep CriteriaLists may nest before the rest is left unevaluated (a bound for hostile
/// lists; real ones nest one or two levels).
const MAX_DEPTH: usize = 8;

fn parse_criteria(doc: &XmlDocument<'_>, node: NodeId, depth: usize) -> Criteria {
    if depth > MAX_DEPTH {
        return Criteria {
            assert: Assert::All,
            criteria: vec![Criterion::Unsupported(
                "CriteriaList nested too deep".to_owned(),
            )],
        };
    }
    let assert = match doc.attribute(node, "assert") {
        Some("all") => Assert::All,
        Some("atLeastOne") => Assert::AtLeastOne,
        Some("none") => Assert::None,
        // An unknown assert cannot be evaluated: fail to "unknown", never to a match.
        other => {
            return Criteria {
                assert: Assert::All,
                criteria: vec![Criterion::Unsupported(format!("assert={other:?}"))],
            };
        }
    };
    let mut criteria = Vec::new();
    for (child, local) in element_children(doc, node) {
        let criterion = match local.as_str() {
            "Description" => continue,
            "KeyUsage" => {
                let bits: Option<Vec<_>> = local_children(doc, child, "KeyUsageBit")
                    .into_iter()
                    .map(|bit| {
                        let usage = key_usage_bit(doc.attribute(bit, "name")?)?;
                        let value = match doc.text(bit).trim() {
                            "true" | "1" => true,
                            "false" | "0" => false,
                            _ => return None,
                        };
                        Some((usage, value))
                    })
                    .collect();
                bits.map_or_else(
                    || Criterion::Unsupported("a KeyUsageBit".to_owned()),
                    Criterion::KeyUsage,
                )
            }
            "PolicySet" => {
                let dom = doc.dom();
                let oids: Option<Vec<_>> = dom
                    .descendants(child)
                    .into_iter()
                    .filter(|n| {
                        dom.element(*n)
                            .is_some_and(|e| e.name.local_name == "Identifier")
                    })
                    .map(|n| {
                        let text = doc.text(n);
                        let text = text.trim();
                        let text = text.strip_prefix("urn:oid:").unwrap_or(text);
                        ObjectIdentifier::new(text).ok()
                    })
                    .collect();
                oids.map_or_else(
                    || Criterion::Unsupported("a PolicyIdentifier".to_owned()),
                    Criterion::PolicySet,
                )
            }
            "CriteriaList" => Criterion::List(parse_criteria(doc, child, depth + 1)),
            other => Criterion::Unsupported(other.to_owned()),
        };
        criteria.push(criterion);
    }
    Criteria { assert, criteria }
}

/// The QualificationElements below a ServiceInformationExtensions element.
pub(crate) fn parse(doc: &XmlDocument<'_>, extensions: NodeId) -> Vec<QualificationElement> {
    let dom = doc.dom();
    dom.descendants(extensions)
        .into_iter()
        .filter(|n| {
            dom.element(*n)
                .is_some_and(|e| e.name.local_name == "QualificationElement")
        })
        .map(|element| {
            let qualifiers = local_children(doc, element, "Qualifiers")
                .into_iter()
                .flat_map(|q| local_children(doc, q, "Qualifier"))
                .filter_map(|q| doc.attribute(q, "uri").map(Qualifier::from_uri))
                .collect();
            let criteria = local_children(doc, element, "CriteriaList").first().map_or(
                Criteria {
                    assert: Assert::All,
                    criteria: vec![Criterion::Unsupported("no CriteriaList".to_owned())],
                },
                |c| parse_criteria(doc, *c, 0),
            );
            QualificationElement {
                qualifiers,
                criteria,
            }
        })
        .collect()
}

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QcPurpose {
    /// Electronic signatures (QcType esign, QCForESig, ForeSignatures).
    ESig,
    /// Electronic seals.
    ESeal,
    /// Website authentication.
    Wsa,
}

/// The qualification of a certificate under a CA/QC service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// Qualified: `None` when it cannot be determined (conflicting qualifiers, criteria Signet
    /// cannot evaluate).
    pub qualified: Option<bool>,
    /// Key in a QSCD: `None` when it cannot be determined.
    pub qscd: Option<bool>,
    /// What it is qualified for.
    pub purposes: Vec<QcPurpose>,
    /// The qualifiers of the elements whose criteria the certificate meets.
    pub applied: Vec<Qualifier>,
    /// Why, in a few words, when the list decided against the certificate or could not decide.
    pub notes: Vec<String>,
}

impl Assessment {
    /// A qualified certificate for electronic signatures with the key in a QSCD (what a QES
    /// needs).
    pub fn qualified_esig_in_qscd(&self) -> bool {
        self.qualified == Some(true)
            && self.qscd == Some(true)
            && self.purposes.contains(&QcPurpose::ESig)
    }
}

fn cert_purposes(cert: &Cert) -> Vec<QcPurpose> {
    let types = cert
        .qc_statements()
        .map(|s| s.types.clone())
        .unwrap_or_default();
    if types.is_empty() {
        // Without QcType, a qualified certificate is read as one for signatures, as
        // QcStatements::qualified_esign_in_qscd does.
        return vec![QcPurpose::ESig];
    }
    types
        .iter()
        .filter_map(|t| match *t {
            oid::QCT_ESIGN => Some(QcPurpose::ESig),
            oid::QCT_ESEAL => Some(QcPurpose::ESeal),
            oid::QCT_WEB => Some(QcPurpose::Wsa),
            _ => None,
        })
        .collect()
}

/// The qualification of `cert`, issued under the CA/QC `service`, at `at`: the service must be
/// granted both when the certificate was issued (its notBefore) and at `at`; then the
/// qualifiers of every QualificationElement whose criteria `cert` meets overrule its
/// qcStatements.
pub fn assess(cert: &Cert, service: &Service, at: SystemTime) -> Assessment {
    let statements = cert.qc_statements().cloned().unwrap_or_default();
    let mut result = Assessment {
        qualified: Some(statements.compliance),
        qscd: Some(statements.sscd),
        purposes: cert_purposes(cert),
        applied: Vec::new(),
        notes: Vec::new(),
    };
    if service.service_type != SVC_CA_QC {
        result.qualified = Some(false);
        result
            .notes
            .push("the issuer's service is not a CA/QC service".to_owned());
        return result;
    }
    for (when, time) in [
        ("at issuance", cert.not_before()),
        ("at the time judged", at),
    ] {
        if !service.active_at(time) {
            result.qualified = Some(false);
            result.notes.push(format!(
                "the CA/QC service was {} {when}, not granted",
                service.status_at(time).unwrap_or("not yet listed")
            ));
        }
    }
    if result.qualified == Some(false) && !result.notes.is_empty() {
        return result;
    }
    for element in &service.qualifications {
        match element.criteria.matches(cert) {
            Some(true) => result.applied.extend(element.qualifiers.iter().cloned()),
            Some(false) => {}
            None => {
                result.qualified = None;
                result.notes.push(format!(
                    "criteria Signet cannot evaluate decide whether {} apply",
                    names(&element.qualifiers)
                ));
            }
        }
    }
    let has = |q: &Qualifier| result.applied.contains(q);
    // Qualification.
    if has(&Qualifier::NotQualified) && has(&Qualifier::QcStatement) {
        result.qualified = None;
        result
            .notes
            .push("the list says both QCStatement and NotQualified".to_owned());
    } else if has(&Qualifier::NotQualified) {
        result.qualified = Some(false);
        result.notes.push("the list says NotQualified".to_owned());
    } else if has(&Qualifier::QcStatement) && result.qualified.is_some() {
        result.qualified = Some(true);
    }
    // QSCD.
    let with = has(&Qualifier::WithQscd) || has(&Qualifier::QscdManagedOnBehalf);
    let without = has(&Qualifier::NoQscd);
    result.qscd = match (with, without) {
        (true, true) => {
            result
                .notes
                .push("the list says both QCWithQSCD and QCNoQSCD".to_owned());
            None
        }
        (true, false) => Some(true),
        (false, true) => Some(false),
        (false, false) => Some(statements.sscd),
    };
    // Purpose.
    let overrides: Vec<QcPurpose> = [
        (Qualifier::ForESig, QcPurpose::ESig),
        (Qualifier::ForESeal, QcPurpose::ESeal),
        (Qualifier::ForWsa, QcPurpose::Wsa),
    ]
    .into_iter()
    .filter(|(q, _)| has(q))
    .map(|(_, p)| p)
    .collect();
    match overrides.len() {
        0 => {}
        1 => result.purposes = overrides,
        _ => {
            result.qualified = None;
            result
                .notes
                .push("the list gives more than one of QCForESig, QCForESeal, QCForWSA".to_owned());
        }
    }
    // The service's additionalServiceInformation (TS 119 612 clause 5.5.9.4) limits what its
    // qualified certificates are for.
    let allowed: Vec<QcPurpose> = service
        .additional_information
        .iter()
        .filter_map(|uri| match uri.strip_prefix(ASI_PREFIX)? {
            "ForeSignatures" => Some(QcPurpose::ESig),
            "ForeSeals" => Some(QcPurpose::ESeal),
            "ForWebSiteAuthentication" => Some(QcPurpose::Wsa),
            _ => None,
        })
        .collect();
    if !allowed.is_empty() && result.qualified == Some(true) {
        result.purposes.retain(|p| allowed.contains(p));
        if result.purposes.is_empty() {
            result.qualified = Some(false);
            result.notes.push(
                "the certificate's purpose is not one the CA/QC service issues qualified certificates for"
                    .to_owned(),
            );
        }
    }
    result
}

fn names(qualifiers: &[Qualifier]) -> String {
    qualifiers
        .iter()
        .map(Qualifier::name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deeply_nested_criteria_are_bounded_and_unknown() {
        let mut xml = String::from(
            "<E><QualificationElement><Qualifiers><Qualifier uri=\"http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/NotQualified\"/></Qualifiers>",
        );
        for _ in 0..100 {
            xml.push_str("<CriteriaList assert=\"all\">");
        }
        for _ in 0..100 {
            xml.push_str("</CriteriaList>");
        }
        xml.push_str("</QualificationElement></E>");
        let doc = XmlDocument::parse(&xml).unwrap();
        let parsed = parse(&doc, doc.root().unwrap());
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].qualifiers, vec![Qualifier::NotQualified]);
        let mut criteria = &parsed[0].criteria;
        let mut depth = 0;
        while let [Criterion::List(inner)] = criteria.criteria.as_slice() {
            criteria = inner;
            depth += 1;
        }
        assert_eq!(depth, MAX_DEPTH + 1);
        assert!(matches!(
            criteria.criteria.as_slice(),
            [Criterion::Unsupported(_)]
        ));
    }

    #[test]
    fn assert_combinations() {
        let unknown = Criterion::Unsupported("x".to_owned());
        let never = Criterion::PolicySet(vec![oid::QCT_ESIGN]);
        let always = Criterion::KeyUsage(Vec::new());
        let cert = Cert::from_der(include_bytes!("fuzzing/tsl-signer.der")).unwrap();
        let list = |assert, criteria: Vec<Criterion>| Criteria { assert, criteria }.matches(&cert);
        assert_eq!(
            list(Assert::All, vec![always.clone(), never.clone()]),
            Some(false)
        );
        assert_eq!(
            list(Assert::All, vec![always.clone(), unknown.clone()]),
            None
        );
        assert_eq!(
            list(Assert::AtLeastOne, vec![never.clone(), always.clone()]),
            Some(true)
        );
        assert_eq!(
            list(Assert::AtLeastOne, vec![never.clone(), unknown.clone()]),
            None
        );
        assert_eq!(list(Assert::None, vec![never.clone()]), Some(true));
        assert_eq!(list(Assert::None, vec![always, unknown]), Some(false));
    }
}
