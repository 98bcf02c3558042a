//! EU trusted lists (ETSI TS 119 612 v2): parse a list, verify its enveloped XML signature
//! against pinned signer certificates, and use its services as trust anchors with their
//! qualification.
//!
//! ```text
//! <TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" Id? TSLTag>
//!   <SchemeInformation>
//!     <TSLVersionIdentifier/> <TSLSequenceNumber/> <TSLType/> <SchemeTerritory/>
//!     <ListIssueDateTime/> <NextUpdate><dateTime/>?</NextUpdate>
//!     <PointersToOtherTSL><OtherTSLPointer>                      (the LOTL's pointers)
//!       <ServiceDigitalIdentities>…<X509Certificate/>…</ServiceDigitalIdentities>
//!       <TSLLocation/> <AdditionalInformation>…<SchemeTerritory/>…</AdditionalInformation>
//!     </OtherTSLPointer></PointersToOtherTSL>?
//!   </SchemeInformation>
//!   <TrustServiceProviderList><TrustServiceProvider>
//!     <TSPInformation><TSPName><Name/></TSPName></TSPInformation>
//!     <TSPServices><TSPService>
//!       <ServiceInformation>
//!         <ServiceTypeIdentifier/> <ServiceName><Name/></ServiceName>
//!         <ServiceDigitalIdentity><DigitalId><X509Certificate/></DigitalId></ServiceDigitalIdentity>
//!         <ServiceStatus/> <StatusStartingTime/>
//!         <ServiceInformationExtensions>… AdditionalServiceInformation/URI, ecc:Qualifier@uri …</…>?
//!       </ServiceInformation>
//!       <ServiceHistory><ServiceHistoryInstance>…</ServiceHistoryInstance></ServiceHistory>?
//!     </TSPService></TSPServices>
//!   </TrustServiceProvider></TrustServiceProviderList>?
//!   <ds:Signature/>
//! </TrustServiceStatusList>
//! ```
//!
//! A list is believed only when its signature verifies, was made by one of the pinned
//! certificates (for a national list, those the LOTL names for it; TS 119 612 clause 5.7.1)
//! and a reference with the enveloped-signature transform covers the whole document. The
//! status of a service is read at the time asked, from its current status and its history
//! (TS 119 612 clause 5.5.9 and 5.6): a CA, OCSP or TSA service counts only while `granted`
//! (or, before eIDAS, `undersupervision`, `accredited` or `supervisionincessation`).

use std::time::SystemTime;

use uppsala::NodeId;

use crate::cert::Cert;
use crate::path::TrustAnchors;
use crate::time::parse_rfc3339;
use crate::xmldsig::{self, SameDocumentOnly, XmlDocument, XmlDsigError};

/// The TS 119 612 namespace.
pub const TSL_NS: &str = "http://uri.etsi.org/02231/v2#";

/// Service type `CA/QC`: a CA issuing qualified certificates.
pub const SVC_CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
/// Service type `Certstatus/OCSP/QC`: an OCSP responder for qualified certificates.
pub const SVC_OCSP_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/Certstatus/OCSP/QC";
/// Service type `TSA/QTST`: a qualified time-stamping authority.
pub const SVC_TSA_QTST: &str = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST";

const STATUS_PREFIX: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/";
const ACTIVE_STATUSES: [&str; 4] = [
    "granted",
    "undersupervision",
    "accredited",
    "supervisionincessation",
];

/// Why a trusted list was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TslError {
    /// The bytes are not UTF-8.
    #[error("the trusted list is not UTF-8 text")]
    NotUtf8,
    /// The XML or its signature is unusable.
    #[error("trusted list: {0}")]
    Xml(#[from] XmlDsigError),
    /// The root is not a TrustServiceStatusList.
    #[error("the document is not an ETSI TS 119 612 TrustServiceStatusList")]
    NotATrustedList,
    /// A required element is missing or does not read.
    #[error("the trusted list's {element} is missing or unreadable")]
    Field {
        /// The element.
        element: &'static str,
    },
    /// The list is not signed.
    #[error("the trusted list is not signed")]
    Unsigned,
    /// The signature verifies but no reference covers the whole list.
    #[error("the trusted list's signature does not cover the whole list")]
    NotCovered,
    /// The signer is none of the pinned certificates.
    #[error("the trusted list is signed by {subject}, which is not a pinned signer")]
    UnknownSigner {
        /// The signer's subject.
        subject: String,
    },
}

/// A service of a trust service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// ServiceTypeIdentifier (e.g. [`SVC_CA_QC`]).
    pub service_type: String,
    /// ServiceName (the English one when several).
    pub name: String,
    /// The certificates of ServiceDigitalIdentity that Signet can read.
    pub certificates: Vec<Cert>,
    /// The status history, newest first: (status name such as `granted`, since).
    pub statuses: Vec<(String, SystemTime)>,
    /// AdditionalServiceInformation URIs (ForeSignatures, ForeSeals, …).
    pub additional_information: Vec<String>,
    /// Qualifier URIs of the qualifications extension (QCWithQSCD, NotQualified, …), of every
    /// element whatever its criteria.
    pub qualifiers: Vec<String>,
    /// The qualifications extension (TS 119 612 clause 5.5.9.2): qualifiers with the criteria
    /// saying which certificates they apply to ([`crate::qualification::assess`]).
    pub qualifications: Vec<crate::qualification::QualificationElement>,
}

impl Service {
    /// The status at `at`: the newest status that started no later than `at`.
    pub fn status_at(&self, at: SystemTime) -> Option<&str> {
        self.statuses
            .iter()
            .filter(|(_, since)| *since <= at)
            .max_by_key(|(_, since)| *since)
            .map(|(status, _)| status.as_str())
    }

    /// Whether the service was active (granted) at `at`.
    pub fn active_at(&self, at: SystemTime) -> bool {
        self.status_at(at)
            .is_some_and(|status| ACTIVE_STATUSES.contains(&status))
    }
}

/// A trust service provider.
#[derive(Debug, Clone)]
pub struct Provider {
    /// TSPName (the English one when several).
    pub name: String,
    /// Its services.
    pub services: Vec<Service>,
}

/// A pointer to another list (in the LOTL: the national lists).
#[derive(Debug, Clone)]
pub struct Pointer {
    /// TSLLocation.
    pub location: String,
    /// SchemeTerritory of the list pointed to, when given.
    pub territory: Option<String>,
    /// The certificates allowed to sign it.
    pub signers: Vec<Cert>,
    /// The MimeType of AdditionalInformation (`application/vnd.etsi.tsl+xml` for the XML form,
    /// `application/pdf` for the human-readable one), when given.
    pub mime_type: Option<String>,
}

/// A parsed trusted list.
#[derive(Debug, Clone)]
pub struct TrustedList {
    /// TSLVersionIdentifier (5 or 6).
    pub version: u32,
    /// TSLSequenceNumber.
    pub sequence_number: u64,
    /// TSLType URI.
    pub tsl_type: String,
    /// SchemeTerritory (EE, EU).
    pub territory: String,
    /// ListIssueDateTime.
    pub issued: SystemTime,
    /// NextUpdate; `None` when the scheme has ceased.
    pub next_update: Option<SystemTime>,
    /// The providers and their services.
    pub providers: Vec<Provider>,
    /// Pointers to other lists.
    pub pointers: Vec<Pointer>,
    /// SchemeInformationURI (in the LOTL: the Official Journal publication and the pivot LOTLs).
    pub scheme_information_uris: Vec<String>,
    /// Service certificates that could not be read (kept out of every anchor set).
    pub unreadable_certificates: usize,
    /// The verified signer, when the list was verified.
    pub signer: Option<Cert>,
}

/// A service acting as a trust anchor, with what the list says about it.
#[derive(Debug, Clone)]
pub struct TrustedService<'a> {
    /// The provider.
    pub provider: &'a str,
    /// The service.
    pub service: &'a Service,
    /// The certificate.
    pub certificate: &'a Cert,
}

impl TrustedList {
    /// Parses a list without verifying its signature (for showing a list, or lists whose
    /// signature is checked elsewhere). Never use the result as trust anchors.
    pub fn parse_unverified(xml: &[u8]) -> Result<Self, TslError> {
        let text = std::str::from_utf8(xml).map_err(|_| TslError::NotUtf8)?;
        let doc = XmlDocument::parse(text)?;
        parse_document(&doc)
    }

    /// Parses a list whose enveloped signature verifies, was made by one of `signers` and
    /// covers the whole list.
    pub fn verify(xml: &[u8], signers: &[Cert]) -> Result<Self, TslError> {
        let text = std::str::from_utf8(xml).map_err(|_| TslError::NotUtf8)?;
        let doc = XmlDocument::parse(text)?;
        let signatures = xmldsig::enveloped_signatures(&doc)?;
        let [signature] = signatures.as_slice() else {
            return Err(TslError::Unsigned);
        };
        let verified = xmldsig::verify(&doc, *signature, None, &SameDocumentOnly)?;
        if !signers.contains(&verified.signer) {
            return Err(TslError::UnknownSigner {
                subject: verified.signer.subject().to_string(),
            });
        }
        let covered = verified
            .references
            .iter()
            .any(|r| r.enveloped && r.element.is_some() && r.element == doc.root().ok());
        if !covered {
            return Err(TslError::NotCovered);
        }
        let mut list = parse_document(&doc)?;
        tracing::info!(
            territory = %list.territory,
            sequence = list.sequence_number,
            providers = list.providers.len(),
            "trusted list verified"
        );
        list.signer = Some(verified.signer);
        Ok(list)
    }

    /// Whether `at` is before NextUpdate (a list past it is stale: TS 119 612 clause 5.3.15).
    pub fn is_fresh_at(&self, at: SystemTime) -> bool {
        self.next_update.is_some_and(|next| at < next)
    }

    /// Every service certificate of `service_type` active at `at`.
    pub fn services(&self, service_type: &str, at: SystemTime) -> Vec<TrustedService<'_>> {
        let mut found = Vec::new();
        for provider in &self.providers {
            for service in &provider.services {
                if service.service_type == service_type && service.active_at(at) {
                    for certificate in &service.certificates {
                        found.push(TrustedService {
                            provider: &provider.name,
                            service,
                            certificate,
                        });
                    }
                }
            }
        }
        found
    }

    /// The CA/QC, OCSP/QC and TSA/QTST service certificates active at `at`, as anchors for
    /// path validation. Empty for a list that was not verified, and for a list that is stale at
    /// `at` (past its NextUpdate: an expired list is parsed, never trusted).
    pub fn anchors(&self, at: SystemTime) -> TrustAnchors {
        let mut anchors = TrustAnchors::default();
        if self.signer.is_none() || !self.is_fresh_at(at) {
            return anchors;
        }
        for kind in [SVC_CA_QC, SVC_OCSP_QC, SVC_TSA_QTST] {
            for service in self.services(kind, at) {
                anchors.push(service.certificate.clone());
            }
        }
        anchors
    }

    /// Whether the list may be used as a trust source at `at`: its signature was verified
    /// against a pinned signer and `at` is before its NextUpdate.
    pub fn usable_at(&self, at: SystemTime) -> bool {
        self.signer.is_some() && self.is_fresh_at(at)
    }

    /// Every certificate of a `service_type` service, whatever its status (the status is
    /// judged later, at the time that matters: genTime, producedAt).
    pub fn certificates_of(&self, service_type: &str) -> Vec<Cert> {
        self.providers
            .iter()
            .flat_map(|p| &p.services)
            .filter(|s| s.service_type == service_type)
            .flat_map(|s| s.certificates.iter().cloned())
            .collect()
    }

    /// The `service_type` service whose certificate is `cert`, when there is one.
    pub fn service_of_type(&self, cert: &Cert, service_type: &str) -> Option<TrustedService<'_>> {
        self.providers.iter().find_map(|provider| {
            provider
                .services
                .iter()
                .filter(|s| s.service_type == service_type)
                .find_map(|service| {
                    service
                        .certificates
                        .iter()
                        .find(|c| *c == cert)
                        .map(|certificate| TrustedService {
                            provider: &provider.name,
                            service,
                            certificate,
                        })
                })
        })
    }

    /// The service whose certificate is `cert`, when there is one.
    pub fn service_of(&self, cert: &Cert) -> Option<TrustedService<'_>> {
        self.providers.iter().find_map(|provider| {
            provider.services.iter().find_map(|service| {
                service
                    .certificates
                    .iter()
                    .find(|c| *c == cert)
                    .map(|certificate| TrustedService {
                        provider: &provider.name,
                        service,
                        certificate,
                    })
            })
        })
    }
}

struct Reader<'d, 'a> {
    doc: &'d XmlDocument<'a>,
    unreadable: usize,
}

impl Reader<'_, '_> {
    fn child(&self, parent: NodeId, local: &str) -> Option<NodeId> {
        self.doc.children(parent, TSL_NS, local).first().copied()
    }

    fn children(&self, parent: NodeId, local: &str) -> Vec<NodeId> {
        self.doc.children(parent, TSL_NS, local)
    }

    fn text(&self, parent: NodeId, local: &str) -> Option<String> {
        self.child(parent, local).map(|n| self.doc.text(n))
    }

    fn time(&self, parent: NodeId, local: &'static str) -> Result<SystemTime, TslError> {
        self.text(parent, local)
            .and_then(|t| parse_rfc3339(&t).ok())
            .ok_or(TslError::Field { element: local })
    }

    /// The English Name of a multilingual list, else the first.
    fn name(&self, parent: Option<NodeId>) -> String {
        let names = parent.map(|p| self.children(p, "Name")).unwrap_or_default();
        let english = names
            .iter()
            .find(|n| self.doc.attribute(**n, "lang") == Some("en"));
        english
            .or(names.first())
            .map(|n| self.doc.text(*n))
            .unwrap_or_default()
    }

    /// Every element named `local` (any namespace) below `node`.
    fn descendants(&self, node: NodeId, local: &str) -> Vec<NodeId> {
        let dom = self.doc.dom();
        dom.descendants(node)
            .into_iter()
            .filter(|n| dom.element(*n).is_some_and(|e| e.name.local_name == local))
            .collect()
    }

    fn certificates(&mut self, node: NodeId) -> Vec<Cert> {
        let mut certs = Vec::new();
        for element in self.descendants(node, "X509Certificate") {
            use base64ct::Encoding as _;
            let text: String = self
                .doc
                .text(element)
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            match base64ct::Base64::decode_vec(&text)
                .ok()
                .and_then(|der| Cert::from_der(&der).ok())
            {
                Some(cert) => certs.push(cert),
                None => self.unreadable += 1,
            }
        }
        certs
    }

    fn service(&mut self, node: NodeId) -> Result<Service, TslError> {
        let info = self
            .child(node, "ServiceInformation")
            .ok_or(TslError::Field {
                element: "ServiceInformation",
            })?;
        let status = |reader: &Self, at: NodeId| -> Result<(String, SystemTime), TslError> {
            let uri = reader.text(at, "ServiceStatus").ok_or(TslError::Field {
                element: "ServiceStatus",
            })?;
            let name = uri.strip_prefix(STATUS_PREFIX).unwrap_or(&uri).to_owned();
            Ok((name, reader.time(at, "StatusStartingTime")?))
        };
        let mut statuses = vec![status(self, info)?];
        if let Some(history) = self.child(node, "ServiceHistory") {
            for instance in self.children(history, "ServiceHistoryInstance") {
                statuses.push(status(self, instance)?);
            }
        }
        let identity = self.child(info, "ServiceDigitalIdentity");
        let certificates = identity.map(|i| self.certificates(i)).unwrap_or_default();
        let extensions = self.child(info, "ServiceInformationExtensions");
        let additional_information = extensions
            .map(|e| {
                self.descendants(e, "AdditionalServiceInformation")
                    .into_iter()
                    .filter_map(|a| self.text(a, "URI"))
                    .collect()
            })
            .unwrap_or_default();
        let qualifiers = extensions
            .map(|e| {
                self.descendants(e, "Qualifier")
                    .into_iter()
                    .filter_map(|q| self.doc.attribute(q, "uri").map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Service {
            service_type: self
                .text(info, "ServiceTypeIdentifier")
                .ok_or(TslError::Field {
                    element: "ServiceTypeIdentifier",
                })?,
            name: self.name(self.child(info, "ServiceName")),
            certificates,
            statuses,
            additional_information,
            qualifiers,
            qualifications: extensions
                .map(|e| crate::qualification::parse(self.doc, e))
                .unwrap_or_default(),
        })
    }
}

fn parse_document(doc: &XmlDocument<'_>) -> Result<TrustedList, TslError> {
    let root = doc.root()?;
    let is_list = doc
        .dom()
        .element(root)
        .is_some_and(|e| e.matches_name_ns(TSL_NS, "TrustServiceStatusList"));
    if !is_list {
        return Err(TslError::NotATrustedList);
    }
    let mut reader = Reader { doc, unreadable: 0 };
    let scheme = reader
        .child(root, "SchemeInformation")
        .ok_or(TslError::Field {
            element: "SchemeInformation",
        })?;
    let number = |reader: &Reader<'_, '_>, local: &'static str| -> Result<u64, TslError> {
        reader
            .text(scheme, local)
            .and_then(|t| t.parse().ok())
            .ok_or(TslError::Field { element: local })
    };
    let version =
        u32::try_from(number(&reader, "TSLVersionIdentifier")?).map_err(|_| TslError::Field {
            element: "TSLVersionIdentifier",
        })?;
    let sequence_number = number(&reader, "TSLSequenceNumber")?;
    let next_update = reader
        .child(scheme, "NextUpdate")
        .and_then(|n| reader.text(n, "dateTime"))
        .map(|t| {
            parse_rfc3339(&t).map_err(|_| TslError::Field {
                element: "NextUpdate",
            })
        })
        .transpose()?;
    let mut pointers = Vec::new();
    if let Some(list) = reader.child(scheme, "PointersToOtherTSL") {
        for pointer in reader.children(list, "OtherTSLPointer") {
            let signers = reader
                .child(pointer, "ServiceDigitalIdentities")
                .map(|n| reader.certificates(n))
                .unwrap_or_default();
            pointers.push(Pointer {
                location: reader.text(pointer, "TSLLocation").unwrap_or_default(),
                territory: reader
                    .descendants(pointer, "SchemeTerritory")
                    .first()
                    .map(|n| doc.text(*n)),
                signers,
                mime_type: reader
                    .descendants(pointer, "MimeType")
                    .first()
                    .map(|n| doc.text(*n).trim().to_owned()),
            });
        }
    }
    let mut providers = Vec::new();
    if let Some(list) = reader.child(root, "TrustServiceProviderList") {
        for provider in reader.children(list, "TrustServiceProvider") {
            let name = reader.name(
                reader
                    .child(provider, "TSPInformation")
                    .and_then(|i| reader.child(i, "TSPName")),
            );
            let mut services = Vec::new();
            if let Some(list) = reader.child(provider, "TSPServices") {
                for service in reader.children(list, "TSPService") {
                    services.push(reader.service(service)?);
                }
            }
            providers.push(Provider { name, services });
        }
    }
    let scheme_information_uris = reader
        .child(scheme, "SchemeInformationURI")
        .map(|n| {
            reader
                .children(n, "URI")
                .into_iter()
                .map(|u| doc.text(u).trim().to_owned())
                .collect()
        })
        .unwrap_or_default();
    Ok(TrustedList {
        version,
        scheme_information_uris,
        sequence_number,
        tsl_type: reader.text(scheme, "TSLType").unwrap_or_default(),
        territory: reader
            .text(scheme, "SchemeTerritory")
            .ok_or(TslError::Field {
                element: "SchemeTerritory",
            })?,
        issued: reader.time(scheme, "ListIssueDateTime")?,
        next_update,
        providers,
        pointers,
        unreadable_certificates: reader.unreadable,
        signer: None,
    })
}
