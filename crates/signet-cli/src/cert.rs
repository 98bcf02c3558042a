//! `signet cert …`: inspect and validate certificates.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::SystemTime;

use clap::{Args, Subcommand, ValueEnum};
use signet_api::cert::{
    CertReport, CertVerifyRequest, FileBytes, RevocationMode, TrustedListFiles,
};
use signet_api::{ApiError, Context};
use signet_core::Indication;

use crate::exit::Status;
use crate::report;

/// `signet cert`.
#[derive(Debug, Args)]
pub(crate) struct CertArgs {
    #[command(subcommand)]
    pub(crate) command: CertCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CertCommand {
    /// Validate a certificate: who it belongs to, its issuer chain, its qualification and the
    /// verdict with the reason. Exit 0 TOTAL-PASSED, 1 TOTAL-FAILED, 2 INDETERMINATE.
    Verify(VerifyArgs),
}

/// What a certificate is checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PurposeArg {
    /// Electronic signatures: keyUsage nonRepudiation.
    Signature,
    /// Client authentication: digitalSignature, clientAuth.
    Authentication,
    /// Signing time-stamps: critical EKU timeStamping.
    TimeStamping,
    /// Signing OCSP responses: EKU OCSPSigning.
    OcspSigning,
    /// No key usage requirement.
    Any,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The certificate: DER, or PEM with the certificate first and its untrusted intermediate
    /// CA certificates after it.
    #[arg(value_name = "CERT")]
    cert: PathBuf,
    /// A file of trusted CA certificates (DER or PEM, several per PEM file); repeatable.
    #[arg(long, value_name = "FILE")]
    trust: Vec<PathBuf>,
    /// A trusted list (ETSI TS 119 612 XML): its qualified CA, OCSP and TSA services are trust
    /// anchors at the time judged, and it says whether the issuer is qualified.
    #[arg(long, value_name = "FILE", requires = "tsl_signer")]
    tsl: Option<PathBuf>,
    /// A certificate allowed to sign the trusted list (DER or PEM); repeatable.
    #[arg(long, value_name = "FILE", requires = "tsl")]
    tsl_signer: Vec<PathBuf>,
    /// Judge at this time (RFC 3339, e.g. 2025-03-01T12:00:00Z) instead of the present; a
    /// certificate expired or revoked before it is TOTAL-FAILED.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<SystemTime>,
    /// What the certificate is for [default: from its key usage].
    #[arg(long, value_enum)]
    purpose: Option<PurposeArg>,
    /// Ask the OCSP responder named in the certificate whether it is revoked.
    #[arg(long, conflicts_with = "offline")]
    ocsp: bool,
    /// Use no network: revocation status is then unknown, so the verdict is at best
    /// INDETERMINATE.
    #[arg(long)]
    offline: bool,
}

pub(crate) fn parse_time(text: &str) -> Result<SystemTime, String> {
    signet_api::cert::parse_time(text)
}

fn read(path: &PathBuf) -> Result<FileBytes, ApiError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let mut err = ApiError::from(e);
        err.message = format!("{name}: {}", err.message);
        err
    })?;
    Ok(FileBytes { name, bytes })
}

fn request(args: &VerifyArgs) -> Result<CertVerifyRequest, ApiError> {
    use signet_api::cert::Purpose;
    Ok(CertVerifyRequest {
        cert: read(&args.cert)?,
        trust: args.trust.iter().map(read).collect::<Result<_, _>>()?,
        at: args.at,
        purpose: args.purpose.map(|p| match p {
            PurposeArg::Signature => Purpose::Signature,
            PurposeArg::Authentication => Purpose::Authentication,
            PurposeArg::TimeStamping => Purpose::TimeStamping,
            PurposeArg::OcspSigning => Purpose::OcspSigning,
            PurposeArg::Any => Purpose::Any,
        }),
        trusted_list: match &args.tsl {
            Some(list) => Some(TrustedListFiles {
                list: read(list)?,
                signers: args.tsl_signer.iter().map(read).collect::<Result<_, _>>()?,
            }),
            None => None,
        },
        revocation: if args.offline {
            RevocationMode::Offline
        } else if args.ocsp {
            RevocationMode::Ocsp
        } else {
            RevocationMode::NotChecked
        },
    })
}

/// Runs `signet cert …`.
pub(crate) fn run(context: &Context, args: &CertArgs, json: bool) -> Status {
    match &args.command {
        CertCommand::Verify(verify) => {
            let fetch = signet_api::http::HttpFetch::default();
            let outcome = request(verify)
                .and_then(|request| signet_api::cert::cert_verify(context, &fetch, &request));
            match outcome {
                Ok(cert_report) => {
                    let printed = if json {
                        report::print_json(&cert_report)
                    } else {
                        report::print_text(&text(&cert_report))
                    };
                    match printed {
                        Status::Success => status(cert_report.indication),
                        failure => failure,
                    }
                }
                Err(err) => report::error(&err, json),
            }
        }
    }
}

fn status(indication: Indication) -> Status {
    match indication {
        Indication::TotalPassed => Status::Success,
        Indication::TotalFailed => Status::Failed,
        Indication::Indeterminate => Status::Indeterminate,
    }
}

/// The report for people.
fn text(report: &CertReport) -> String {
    let mut out = String::new();
    let holder = &report.holder;
    let name = [&holder.given_name, &holder.surname]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let who = [
        (!name.is_empty()).then_some(name),
        holder.organization.clone(),
        holder.serial_number.clone(),
        holder.country.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let who = if who.is_empty() {
        holder
            .common_name
            .clone()
            .unwrap_or_else(|| "(no name in the subject)".to_owned())
    } else {
        who.join(", ")
    };
    // Writing to a String cannot fail.
    let _ = writeln!(out, "Holder:        {who}");
    out.push_str("Chain:\n");
    for (i, cert) in report.chain.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. {}{}\n     serial {}, valid {} to {}",
            i + 1,
            cert.subject,
            if cert.trust_anchor {
                "  (trust anchor)"
            } else {
                ""
            },
            cert.serial,
            signet_api::localtime::local_times_in(&cert.not_before),
            signet_api::localtime::local_times_in(&cert.not_after)
        );
    }
    if report.chain.len() == 1 && !report.chain[0].trust_anchor {
        let _ = writeln!(out, "     issued by {}", report.chain[0].issuer);
    }
    let qualification = &report.qualification;
    let _ = writeln!(
        out,
        "Qualification: {} ({})",
        qualification.summary,
        if qualification.source == "trusted list" {
            "as its issuer's CA/QC service in the trusted list qualifies what the certificate declares"
        } else {
            "as the certificate declares"
        }
    );
    if !qualification.qualifiers.is_empty() {
        let _ = writeln!(
            out,
            "List qualifiers: {}",
            qualification.qualifiers.join(", ")
        );
    }
    if let Some(service) = &qualification.service {
        let _ = writeln!(out, "Listed issuer: {service}");
    }
    if let Some(list) = &report.trusted_list {
        let _ = writeln!(
            out,
            "Trusted list:  {} no. {}, issued {}, next update {}{}",
            list.territory,
            list.sequence_number,
            signet_api::localtime::local_times_in(&list.issued),
            list.next_update
                .as_deref()
                .map_or("none".to_owned(), signet_api::localtime::local_times_in),
            if list.fresh {
                String::new()
            } else {
                " (stale at the time judged: its services are not used)".to_owned()
            }
        );
    }
    let _ = writeln!(out, "Checked for:   {}", report.purpose);
    let _ = writeln!(
        out,
        "At:            {}{}",
        signet_api::localtime::local_times_in(&report.validation_time),
        if report.time_kind == "present" {
            " (the present)"
        } else {
            ""
        }
    );
    let revocation = &report.revocation;
    let status = match (revocation.mode, revocation.status) {
        ("not-checked", _) => "not checked (ask with --ocsp)".to_owned(),
        ("offline", None) => "unknown: offline, and no stored OCSP answer".to_owned(),
        (_, None) => "no usable OCSP answer".to_owned(),
        (_, Some(status)) => {
            let mut line = status.to_owned();
            if let Some(at) = &revocation.revoked_at {
                let _ = write!(line, " on {}", signet_api::localtime::local_times_in(at));
            }
            if let Some(reason) = &revocation.reason {
                let _ = write!(line, " ({reason})");
            }
            if let (Some(produced), Some(responder)) =
                (&revocation.produced_at, &revocation.responder)
            {
                let _ = write!(
                    line,
                    "; OCSP answer of {} signed by {responder}",
                    signet_api::localtime::local_times_in(produced)
                );
            }
            line
        }
    };
    let _ = writeln!(out, "Revocation:    {status}");
    for ca in &revocation.ca_crls {
        let state = match &ca.revoked_at {
            None => "not revoked".to_owned(),
            Some(at) => format!(
                "revoked on {}, after the time judged",
                signet_api::localtime::local_times_in(at)
            ),
        };
        let _ = writeln!(
            out,
            "CA status:     {}: {state} (CRL of {}, next {})",
            ca.subject,
            signet_api::localtime::local_times_in(&ca.this_update),
            signet_api::localtime::local_times_in(&ca.next_update)
        );
    }
    let _ = writeln!(
        out,
        "Verdict:       {}{}",
        report.indication,
        report
            .sub_indication
            .map(|s| format!(" / {}", s.as_str()))
            .unwrap_or_default()
    );
    for reason in &report.reasons {
        let _ = writeln!(out, "  - {}", reason.message);
    }
    out
}
