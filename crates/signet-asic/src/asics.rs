//! ASiC-S containers with a time-stamp token (ETSI EN 319 162-1 clause 4.3; what DigiDoc4 makes
//! when it archives an old document, libdigidocpp's `ASiC_S`): mimetype
//! `application/vnd.etsi.asic-s+zip`, one data file, and `META-INF/timestamp.tst`, an RFC 3161
//! token whose message imprint is the hash of the data file's bytes.
//!
//! Validation: the ZIP layer as for ASiC-E ([`crate::zip::scan`]), the mimetype, exactly one
//! data file, the token's CMS signature, its imprint over the data file (a changed file is
//! TOTAL-FAILED / HASH_FAILURE), and the time-stamping authority's certificate path at the
//! token's genTime, through a trusted list's TSA/QTST services or the anchors given (a TSA
//! trusted through anchors must have a CRL saying it is not revoked; the container carries none,
//! so unless the anchor is the TSA certificate itself, that is INDETERMINATE). A TSA
//! certificate expired by the validation time is a warning: the time-stamp should be renewed.
//!
//! Not handled (refused with the reason): ASiC-S with a XAdES or CAdES signature, and several
//! time-stamps chained by an `ASiCArchiveManifest.xml` (DigiDoc4j's renewal).

use std::fs::File;
use std::io::Read as _;
use std::path::Path;

use der::Decode as _;
use signet_core::{Indication, SubIndication};
use signet_pki::crypto::HashAlg;
use signet_pki::time::Utc;
use signet_pki::{PathValidator, TrustAnchors};

use crate::DataFile;
use crate::container::{AsicError, io_err};
use crate::xades::verify::{SignatureReport, Trust};
use crate::zip::{self, Entry, EntryReader, Limits};

/// The ASiC-S media type.
pub const MIMETYPE: &str = "application/vnd.etsi.asic-s+zip";
/// The time-stamp token's entry.
pub const TIMESTAMP: &str = "META-INF/timestamp.tst";
/// The `level` given to a time-stamp token in the report.
pub const TST_LEVEL: &str = "TST";
/// The largest token read.
const MAX_TOKEN: u64 = 1 << 20;

/// An ASiC-S container's result, in the words of the ASiC-E report.
#[derive(Debug, Clone)]
pub struct AsicsReport {
    /// The verdict.
    pub indication: Indication,
    /// The deciding sub-indication.
    pub sub_indication: Option<SubIndication>,
    /// The data file.
    pub data_files: Vec<DataFile>,
    /// The time-stamp token, reported as a signature: `file` META-INF/timestamp.tst, `level`
    /// [`TST_LEVEL`], `signer` the TSA, `timestampTime` its genTime, `covers` the data file.
    pub signatures: Vec<SignatureReport>,
}

fn first_entry(entries: &[Entry]) -> Option<&Entry> {
    entries.iter().min_by_key(|e| e.header_offset)
}

fn read_entry(path: &Path, entry: &Entry, max: u64) -> Result<Vec<u8>, AsicError> {
    if entry.size > max {
        return Err(AsicError::NotAllowed(format!(
            "“{}” has {} bytes, more than the {max} Signet reads into memory",
            entry.name, entry.size
        )));
    }
    let mut out = Vec::new();
    open_entry(path, entry)?
        .read_to_end(&mut out)
        .map_err(io_err(path))?;
    Ok(out)
}

fn open_entry(
    path: &Path,
    entry: &Entry,
) -> Result<EntryReader<std::io::BufReader<File>>, AsicError> {
    use std::io::Seek as _;
    let mut file = File::open(path).map_err(io_err(path))?;
    file.seek(std::io::SeekFrom::Start(entry.data_offset))
        .map_err(io_err(path))?;
    Ok(EntryReader::new(
        std::io::BufReader::with_capacity(256 * 1024, file),
        entry,
    ))
}

/// The entries of `path` when it is a ZIP whose first entry is an ASiC-S `mimetype`; `None`
/// when it is not ASiC-S (an ASiC-E container, or not a container: the caller says why).
pub fn open(path: &Path) -> Result<Option<Vec<Entry>>, AsicError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let len = file.metadata().map_err(io_err(path))?.len();
    let Ok(entries) = zip::scan(&mut file, len, &Limits::default()) else {
        return Ok(None);
    };
    let Some(first) = first_entry(&entries).filter(|e| e.name == "mimetype") else {
        return Ok(None);
    };
    if first.size > 256 {
        return Ok(None);
    }
    let content = read_entry(path, first, 256)?;
    let trimmed = content.strip_suffix(b"\n").unwrap_or(&content);
    Ok((trimmed == MIMETYPE.as_bytes()).then_some(entries))
}

/// Whether the file at `path` is an ASiC-S container.
pub fn is_asics(path: &Path) -> bool {
    matches!(open(path), Ok(Some(_)))
}

fn refused(why: String) -> AsicError {
    AsicError::Mimetype(why)
}

/// The one data file among an ASiC-S container's entries, at its root.
fn the_data_entry(entries: &[Entry]) -> Result<&Entry, AsicError> {
    let data: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.name != "mimetype" && !e.is_dir() && !e.name.starts_with("META-INF/"))
        .collect();
    let [data] = data.as_slice() else {
        return Err(refused(format!(
            "an ASiC-S container holds exactly one data file; this one holds {}",
            data.len()
        )));
    };
    if data.name.contains('/') {
        return Err(refused(format!(
            "the data file “{}” is in a folder; ASiC-S keeps its one data file at the root (libdigidocpp: subfolders are not supported)",
            data.name
        )));
    }
    Ok(data)
}

/// The one data file of the ASiC-S container at `path` (as [`validate`] finds it, without
/// judging the time-stamp) and a reader of its bytes, decompressed and checked against the
/// entry's CRC and size as it is read. `Err` when `path` is not an ASiC-S container or does not
/// hold exactly one data file at its root.
pub fn data_file(
    path: &Path,
) -> Result<(DataFile, EntryReader<std::io::BufReader<File>>), AsicError> {
    let Some(entries) = open(path)? else {
        return Err(refused(format!("the mimetype is not {MIMETYPE}")));
    };
    let data = the_data_entry(&entries)?;
    Ok((
        DataFile {
            name: data.name.clone(),
            media_type: crate::container::media_type_for(&data.name).to_owned(),
            size: data.size,
        },
        open_entry(path, data)?,
    ))
}

/// Validates the ASiC-S container at `path`. `Err` when it is refused (the ZIP layer, the
/// mimetype, not exactly one data file, no token, a kind Signet does not handle).
pub fn validate(path: &Path, trust: &Trust<'_>) -> Result<AsicsReport, AsicError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let len = file.metadata().map_err(io_err(path))?.len();
    let entries = zip::scan(&mut file, len, &Limits::default())?;
    let Some(first) = first_entry(&entries).filter(|e| e.name == "mimetype") else {
        return Err(refused(
            "the container has no mimetype as its first entry".to_owned(),
        ));
    };
    if first.method != zip::METHOD_STORED || first.has_extra {
        return Err(refused(
            "the mimetype entry is compressed or carries an extra field; ASiC requires it STORED and bare".to_owned(),
        ));
    }
    if open(path)?.is_none() {
        return Err(refused(format!("the mimetype is not {MIMETYPE}")));
    }
    let data = the_data_entry(&entries)?;
    let meta: Vec<&str> = entries
        .iter()
        .filter(|e| e.name.starts_with("META-INF/") && !e.is_dir())
        .map(|e| e.name.as_str())
        .collect();
    if let Some(other) = meta.iter().find(|n| {
        let lower = n.to_ascii_lowercase();
        lower.contains("signature") || lower.ends_with(".p7s") || lower.contains("archivemanifest")
    }) {
        return Err(AsicError::NotAllowed(format!(
            "{other}: Signet validates ASiC-S containers with one time-stamp token only, not with signatures or renewed (ASiCArchiveManifest) time-stamps"
        )));
    }
    let Some(token_entry) = entries.iter().find(|e| e.name == TIMESTAMP) else {
        return Err(AsicError::NotAllowed(format!(
            "the ASiC-S container has no {TIMESTAMP}: Signet validates time-stamped ASiC-S containers only"
        )));
    };
    let token = read_entry(path, token_entry, MAX_TOKEN)?;
    let token = signet_pki::ber::to_der(&token).unwrap_or(token);
    let mut report = SignatureReport {
        file: TIMESTAMP.to_owned(),
        id: None,
        indication: Indication::TotalPassed,
        sub_indication: None,
        level: Some(TST_LEVEL.to_owned()),
        malformed: false,
        signer: None,
        signer_serial: None,
        signer_issuer: None,
        signing_time: None,
        timestamp_time: None,
        ocsp_produced_at: None,
        archive_timestamp_time: None,
        revocation: Vec::new(),
        qualification: None,
        covers: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    judge(path, data, &token, trust, &mut report);
    let data_files = vec![DataFile {
        name: data.name.clone(),
        media_type: crate::container::media_type_for(&data.name).to_owned(),
        size: data.size,
    }];
    tracing::info!(indication = %report.indication, "ASiC-S validated");
    Ok(AsicsReport {
        indication: report.indication,
        sub_indication: report.sub_indication,
        data_files,
        signatures: vec![report],
    })
}

fn fail(report: &mut SignatureReport, indication: Indication, sub: SubIndication, why: String) {
    report.indication = indication;
    report.sub_indication = Some(sub);
    report.errors.push(why);
}

fn judge(path: &Path, data: &Entry, token: &[u8], trust: &Trust<'_>, report: &mut SignatureReport) {
    use Indication::{Indeterminate, TotalFailed};
    let signed = match signet_pki::signed_data::verify(token, &[]) {
        Ok(s) => s,
        Err(e) => {
            return fail(
                report,
                TotalFailed,
                SubIndication::SigCryptoFailure,
                format!("the time-stamp token's signature is not valid: {e}"),
            );
        }
    };
    report.signer = Some(signed.signer.subject().to_string());
    report.signer_serial = Some(signed.signer.serial_hex());
    let Ok(info) = x509_tsp::TstInfo::from_der(&signed.content) else {
        return fail(
            report,
            Indeterminate,
            SubIndication::FormatFailure,
            "Signet cannot read the time-stamp's TSTInfo".to_owned(),
        );
    };
    let Some(hash) = HashAlg::from_oid(info.message_imprint.hash_algorithm.oid) else {
        return fail(
            report,
            Indeterminate,
            SubIndication::CryptoConstraintsFailure,
            "the imprint's hash algorithm is not accepted".to_owned(),
        );
    };
    let mut hasher = hash.hasher();
    let digest = (|| -> Result<Vec<u8>, AsicError> {
        let mut r = open_entry(path, data)?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = r.read(&mut buf).map_err(io_err(path))?;
            if n == 0 {
                return Ok(hasher.finish());
            }
            hasher.update(&buf[..n]);
        }
    })();
    let digest = match digest {
        Ok(d) => d,
        Err(e) => {
            return fail(
                report,
                TotalFailed,
                SubIndication::FormatFailure,
                format!("{} cannot be read: {e}", data.name),
            );
        }
    };
    if info.message_imprint.hashed_message.as_bytes() != digest.as_slice() {
        return fail(
            report,
            TotalFailed,
            SubIndication::HashFailure,
            format!(
                "the time-stamp's message imprint does not match {}: the file was changed after it was time-stamped",
                data.name
            ),
        );
    }
    report.covers.push(data.name.clone());
    // The time the token claims, shown even when its authority is not trusted (then the
    // verdict says so).
    report.timestamp_time = Some(Utc(gen_time_of(&info)).to_string());
    let result = match trust.list {
        Some(list) => {
            let r = signet_pki::tsp::verify_with_trusted_list(
                token,
                hash,
                &digest,
                list,
                &[],
                gen_time_of(&info),
            );
            if r.is_err() && trust.anchors.iter().next().is_some() {
                by_anchors(token, hash, &digest, &trust.anchors, &info)
            } else {
                r
            }
        }
        None => by_anchors(token, hash, &digest, &trust.anchors, &info),
    };
    match result {
        Ok(verified) => {
            if let Some(q) = &verified.qualified {
                report.qualification = Some(format!("qualified time-stamp ({})", q.service));
            }
            if signed.signer.not_after() < trust.now {
                report.warnings.push(format!(
                    "the time-stamping authority's certificate expired on {}: renew the time-stamp (a new ASiC-S around this one) while its algorithms are still strong",
                    Utc(signed.signer.not_after())
                ));
            }
        }
        Err(signet_pki::tsp::TspError::TsaRevocationUnknown {
            subject,
            reason,
            sub_indication,
        }) => {
            fail(
                report,
                Indeterminate,
                sub_indication,
                format!(
                    "the revocation status of the time-stamping authority's certificate {subject} is unknown: CRL {reason}"
                ),
            );
        }
        Err(e @ signet_pki::tsp::TspError::Signature(_)) => {
            fail(
                report,
                TotalFailed,
                SubIndication::SigCryptoFailure,
                e.to_string(),
            );
        }
        Err(e) => fail(
            report,
            Indeterminate,
            SubIndication::NoPoe,
            format!("the time-stamping authority is not trusted: {e}"),
        ),
    }
}

fn gen_time_of(info: &x509_tsp::TstInfo) -> std::time::SystemTime {
    info.gen_time.to_system_time()
}

/// Trust through anchors: the TSA's path at genTime, then its revocation by CRLs (none are in
/// an ASiC-S container; a TSA certificate that is itself an anchor needs none).
fn by_anchors(
    token: &[u8],
    hash: HashAlg,
    digest: &[u8],
    anchors: &TrustAnchors,
    info: &x509_tsp::TstInfo,
) -> Result<signet_pki::tsp::VerifiedTimestamp, signet_pki::tsp::TspError> {
    let gen_time = gen_time_of(info);
    let v = PathValidator::new(anchors, []);
    let verified = signet_pki::tsp::verify(token, hash, digest, &v, gen_time)?;
    let crls = signet_pki::crl::CrlSource {
        stored: &[],
        online: None,
        now: gen_time,
    };
    signet_pki::tsp::check_tsa_revocation(token, &v, &crls, gen_time)?;
    Ok(verified)
}
