//! A test EU list of trusted lists (LOTL): pointers to national lists with the certificates
//! allowed to sign them, a pointer to itself announcing its own signers, and pivot URIs in
//! SchemeInformationURI; signed like the test trusted list. With [`MemoryFetch`], the tests walk
//! LOTL → pivots → national lists without a network.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use base64ct::Encoding as _;
use signet_core::{Fetch, FetchError, FetchResponse};

use crate::TestkitError;
use crate::keys::TestKey;
use crate::pki::whole_seconds;
use crate::tsl::{sign, signer, xml_time};

/// A key and self-signed certificate that signs lists (a LOTL, a pivot or a national list).
#[derive(Debug)]
pub struct ListSigner {
    key: TestKey,
    /// The certificate (DER).
    pub cert: Vec<u8>,
}

impl ListSigner {
    /// A new P-384 signer named `cn`, valid from 30 days before `now` for a year.
    pub fn new(cn: &str, now: SystemTime, serial: u64) -> Result<Self, TestkitError> {
        let (key, cert) = signer(cn, whole_seconds(now), serial)?;
        Ok(Self { key, cert })
    }

    /// Signs `body` (an unsigned TrustServiceStatusList) enveloped with this key.
    pub fn sign(&self, body: &str) -> Result<String, TestkitError> {
        sign(body, &self.key, &self.cert)
    }
}

/// A pointer of the LOTL (OtherTSLPointer).
#[derive(Debug, Clone)]
pub struct TestPointer {
    /// TSLLocation.
    pub location: String,
    /// SchemeTerritory of the list pointed to.
    pub territory: String,
    /// The certificates (DER) allowed to sign it.
    pub signers: Vec<Vec<u8>>,
    /// MimeType (`application/vnd.etsi.tsl+xml` or `application/pdf`).
    pub mime_type: String,
}

impl TestPointer {
    /// A pointer to the XML list of `territory` at `location`, signed by `signers`.
    pub fn xml(location: &str, territory: &str, signers: &[&[u8]]) -> Self {
        Self {
            location: location.to_owned(),
            territory: territory.to_owned(),
            signers: signers.iter().map(|s| s.to_vec()).collect(),
            mime_type: "application/vnd.etsi.tsl+xml".to_owned(),
        }
    }
}

/// What the test LOTL says.
#[derive(Debug, Clone)]
pub struct LotlSpec {
    /// TSLSequenceNumber.
    pub sequence: u64,
    /// ListIssueDateTime.
    pub issued: SystemTime,
    /// NextUpdate.
    pub next_update: SystemTime,
    /// The pointers, the LOTL's own (territory `EU`) among them to announce its signers.
    pub pointers: Vec<TestPointer>,
    /// SchemeInformationURI entries (pivot URIs newest first, as the EU lists them).
    pub scheme_uris: Vec<String>,
}

/// The unsigned LOTL `spec` describes.
pub fn lotl_body(spec: &LotlSpec) -> Result<String, TestkitError> {
    let uris: String = spec
        .scheme_uris
        .iter()
        .map(|u| format!("<URI xml:lang=\"en\">{u}</URI>"))
        .collect();
    let mut pointers = String::new();
    for p in &spec.pointers {
        let ids: String = p
            .signers
            .iter()
            .map(|der| {
                format!(
                    "<ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity>",
                    base64ct::Base64::encode_string(der)
                )
            })
            .collect();
        pointers.push_str(&format!(
            "<OtherTSLPointer><ServiceDigitalIdentities>{ids}</ServiceDigitalIdentities>\
<TSLLocation>{}</TSLLocation><AdditionalInformation>\
<OtherInformation><TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType></OtherInformation>\
<OtherInformation><SchemeTerritory>{}</SchemeTerritory></OtherInformation>\
<OtherInformation><ns3:MimeType xmlns:ns3=\"http://uri.etsi.org/02231/v2/additionaltypes#\">{}</ns3:MimeType></OtherInformation>\
</AdditionalInformation></OtherTSLPointer>",
            p.location, p.territory, p.mime_type
        ));
    }
    Ok(format!(
        "<TrustServiceStatusList xmlns=\"http://uri.etsi.org/02231/v2#\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"signet-test-lotl\" TSLTag=\"http://uri.etsi.org/19612/TSLTag\">\
<SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>{}</TSLSequenceNumber>\
<TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists</TSLType>\
<SchemeOperatorName><Name xml:lang=\"en\">Signet Test Commission</Name></SchemeOperatorName>\
<SchemeInformationURI>{uris}</SchemeInformationURI>\
<SchemeTerritory>EU</SchemeTerritory>\
<PointersToOtherTSL>{pointers}</PointersToOtherTSL>\
<ListIssueDateTime>{}</ListIssueDateTime><NextUpdate><dateTime>{}</dateTime></NextUpdate></SchemeInformation>\
</TrustServiceStatusList>",
        spec.sequence,
        xml_time(spec.issued)?,
        xml_time(spec.next_update)?,
    ))
}

/// The LOTL `spec` describes, signed by `signer`.
pub fn lotl(spec: &LotlSpec, signer: &ListSigner) -> Result<String, TestkitError> {
    signer.sign(&lotl_body(spec)?)
}

/// A [`Fetch`] answering GETs from a map of URL → body (404 for anything else), counting the
/// requests. Tests use it to serve lists at `https://…` addresses without a network.
#[derive(Debug, Default)]
pub struct MemoryFetch {
    bodies: Mutex<HashMap<String, Vec<u8>>>,
    requests: Mutex<Vec<String>>,
}

impl MemoryFetch {
    /// Serves `body` at `url` from now on.
    pub fn put(&self, url: &str, body: impl Into<Vec<u8>>) {
        self.lock_bodies().insert(url.to_owned(), body.into());
    }

    /// Stops serving `url`.
    pub fn remove(&self, url: &str) {
        self.lock_bodies().remove(url);
    }

    /// The URLs asked for, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn lock_bodies(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        self.bodies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Fetch for MemoryFetch {
    fn get(&self, url: &str, _accept: &str) -> Result<FetchResponse, FetchError> {
        self.requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(url.to_owned());
        Ok(match self.lock_bodies().get(url) {
            Some(body) => FetchResponse {
                status: 200,
                content_type: Some("application/xml".to_owned()),
                body: body.clone(),
            },
            None => FetchResponse {
                status: 404,
                content_type: None,
                body: Vec::new(),
            },
        })
    }

    fn post(&self, url: &str, _: &str, _: &[u8]) -> Result<FetchResponse, FetchError> {
        Err(FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: "the memory fetch only answers GET".to_owned(),
        })
    }
}

/// Where the test LOTL is served ([`TrustWorld`]).
pub const TEST_LOTL_URL: &str = "https://lotl.signet.test/eu-lotl.xml";
/// Where the test LOTL's pivot is served.
pub const TEST_PIVOT_URL: &str = "https://lotl.signet.test/eu-lotl-pivot-10.xml";
/// Where the test national list (territory EE) is served.
pub const TEST_EE_URL: &str = "https://tsl.signet.test/ee-tsl.xml";
/// The Official Journal reference the test LOTL names before its pivot.
pub const TEST_OJ_URI: &str = "https://eur-lex.signet.test/oj/C/2019/276";

/// The EU trust chain of the tests, served by [`TrustWorld::fetch`]:
///
/// - `oj`: the LOTL signer "published in the Official Journal" (pin this one);
/// - the pivot LOTL (number 10), signed by `oj`, announcing `lotl_signer`;
/// - the current LOTL (number 11), signed by `lotl_signer`, naming the pivot and pointing to the
///   EE list, signed by `ee_signer`;
/// - the EE list: [`crate::TestPki::trusted_list`]'s content signed by `ee_signer`.
#[derive(Debug)]
pub struct TrustWorld {
    /// The pinned LOTL signer (the Official Journal's).
    pub oj: ListSigner,
    /// The LOTL signer the pivot announces.
    pub lotl_signer: ListSigner,
    /// The signer of the EE list.
    pub ee_signer: ListSigner,
    /// Serves the LOTL, the pivot and the EE list at their URLs.
    pub fetch: MemoryFetch,
    now: SystemTime,
}

impl TrustWorld {
    pub(crate) fn new(
        now: SystemTime,
        ee_xml: &str,
        ee_signer: ListSigner,
    ) -> Result<Self, TestkitError> {
        let world = Self {
            oj: ListSigner::new("Signet Test OJ LOTL Signer", now, 0x7101)?,
            lotl_signer: ListSigner::new("Signet Test LOTL Signer 2", now, 0x7102)?,
            ee_signer,
            fetch: MemoryFetch::default(),
            now,
        };
        let pivot = lotl(&world.lotl_spec(10, &[]), &world.oj)?;
        world.fetch.put(TEST_PIVOT_URL, pivot);
        let current = lotl(&world.lotl_spec(11, &[TEST_PIVOT_URL]), &world.lotl_signer)?;
        world.fetch.put(TEST_LOTL_URL, current);
        world.fetch.put(TEST_EE_URL, ee_xml);
        Ok(world)
    }

    /// A LOTL numbered `sequence`, issued a day before the PKI's now, announcing `lotl_signer`
    /// for itself and `ee_signer` for EE, naming `pivots` (newest first) then the OJ notice of
    /// `oj` (the pivots were published after it, as the EU lists them).
    pub fn lotl_spec(&self, sequence: u64, pivots: &[&str]) -> LotlSpec {
        let day = std::time::Duration::from_secs(86_400);
        let mut scheme_uris: Vec<String> = pivots.iter().map(|p| (*p).to_owned()).collect();
        scheme_uris.push(TEST_OJ_URI.to_owned());
        LotlSpec {
            sequence,
            issued: self.now - day,
            next_update: self.now + 180 * day,
            pointers: vec![
                TestPointer::xml(TEST_LOTL_URL, "EU", &[&self.lotl_signer.cert]),
                TestPointer::xml(TEST_EE_URL, "EE", &[&self.ee_signer.cert]),
                TestPointer {
                    mime_type: "application/pdf".to_owned(),
                    ..TestPointer::xml(
                        "https://tsl.signet.test/ee-tsl.pdf",
                        "EE",
                        &[&self.ee_signer.cert],
                    )
                },
            ],
            scheme_uris,
        }
    }
}
