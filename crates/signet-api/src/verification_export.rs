//! Saving a verification report: the engine's report ([`VerifiedFiles`], `docs/verify-json.md`)
//! as JSON, exactly as `signet verify --json` prints it, or as a PDF a person reads — written by
//! the one report writer ([`crate::report_pdf`]) in the person's language (Estonian, English or
//! Russian; the engine's own remarks, such as what failed, are in English).
//!
//! The window and `signet verify --report-pdf/--report-json` both call [`save_report`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use signet_core::Code;

use crate::ApiError;
use crate::output::Placement;
use crate::report_pdf::{Block, ReportDocument, Tone};
use crate::verification::{
    ChangeView, DocumentFormat, SignatureView, Verdict, VerifiedFile, VerifiedFiles,
};

/// The kind of report file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ReportFormat {
    /// A PDF a person reads.
    Pdf,
    /// The engine's report as JSON (`docs/verify-json.md`).
    Json,
}

impl ReportFormat {
    fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Json => "json",
        }
    }
}

/// The language of a PDF report's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ReportLanguage {
    /// Estonian.
    Et,
    /// English.
    #[default]
    En,
    /// Russian.
    Ru,
}

/// Where a report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportPlace {
    /// Beside the first file verified, as `NAME.verification.pdf` (or `.json`), numbered when
    /// that name is taken.
    Beside,
    /// In this folder, under the same name, numbered when taken.
    Folder(PathBuf),
    /// Exactly this file, which must not exist yet (the command line's `--report-pdf FILE`).
    File(PathBuf),
}

/// The report as the JSON of `signet verify --json`, pretty-printed.
pub fn report_json(report: &VerifiedFiles) -> Result<Vec<u8>, ApiError> {
    let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| {
        ApiError::new(
            Code::Internal,
            format!("the report could not be written as JSON: {e}"),
        )
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The report as a PDF, in `language`.
pub fn report_pdf(report: &VerifiedFiles, language: ReportLanguage) -> Result<Vec<u8>, ApiError> {
    crate::report_pdf::render(&document(report, language))
}

/// The error for a report file named by the caller that exists already.
pub fn report_exists(path: &Path) -> ApiError {
    ApiError::new(
        Code::InvalidInput,
        format!(
            "{} exists already: Signet does not replace it",
            path.display()
        ),
    )
    .recommend("Give the report another file name, or move the old one away.")
}

/// Writes the report as `format` to `place`, atomically and never over an existing file;
/// returns the file written.
pub fn save_report(
    report: &VerifiedFiles,
    format: ReportFormat,
    language: ReportLanguage,
    place: &ReportPlace,
) -> Result<PathBuf, ApiError> {
    let bytes = match format {
        ReportFormat::Pdf => report_pdf(report, language)?,
        ReportFormat::Json => report_json(report)?,
    };
    let mut write = |f: &mut std::fs::File| std::io::Write::write_all(f, &bytes);
    let written = match place {
        ReportPlace::File(path) => {
            if path.exists() {
                return Err(report_exists(path));
            }
            crate::output::write_atomically(path, Placement::New, write).map_err(|e| {
                if e.code == Code::InvalidInput && path.exists() {
                    report_exists(path)
                } else {
                    e
                }
            })?;
            path.clone()
        }
        ReportPlace::Beside | ReportPlace::Folder(_) => {
            let first = report.files.first().map(|f| Path::new(&f.path));
            let folder = match place {
                ReportPlace::Folder(dir) => dir.clone(),
                _ => first
                    .and_then(Path::parent)
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
            };
            let stem = first
                .and_then(Path::file_stem)
                .map_or_else(|| "signatures".into(), |s| s.to_string_lossy().into_owned());
            let name = format!("{stem}.verification.{}", format.extension());
            crate::output::write_numbered(&folder, &name, &mut write)?
        }
    };
    tracing::info!(format = ?format, bytes = bytes.len(), "verification report saved");
    Ok(written)
}

/// The words of a report, in one language.
struct Words {
    title: &'static str,
    footer: &'static str,
    validation_time: &'static str,
    trust_data: &'static str,
    no_trust_data: &'static str,
    trusted_list: &'static str,
    summaries: [&'static str; 4],
    files: &'static str,
    path: &'static str,
    format: &'static str,
    pdf: &'static str,
    container: &'static str,
    verdict: &'static str,
    verdicts: [&'static str; 4],
    indication: &'static str,
    problem: &'static str,
    removed: &'static str,
    data_files: &'static str,
    no_signatures: &'static str,
    signature: &'static str,
    document_timestamp: &'static str,
    signer: &'static str,
    unknown: &'static str,
    subject: &'static str,
    proven_time: &'static str,
    by_tsa: &'static str,
    claimed_time: &'static str,
    not_proven: &'static str,
    archive_time: &'static str,
    level: &'static str,
    qualification: &'static str,
    qualifications: [&'static str; 3],
    trust_service: &'static str,
    reason: &'static str,
    location: &'static str,
    covers: &'static str,
    chain: &'static str,
    revocation: &'static str,
    errors: &'static str,
    warnings: &'static str,
    changes: &'static str,
    revision: &'static str,
    page: &'static str,
    allowed: &'static str,
    not_allowed: &'static str,
}

const EN: Words = Words {
    title: "Signature verification report",
    footer: "Verification report",
    validation_time: "Checked at",
    trust_data: "Trust data",
    no_trust_data: "No trusted list was used.",
    trusted_list: "Trusted list ({territory}) of {date}",
    summaries: [
        "Every signature is valid and the document has not changed since signing.",
        "The signatures are valid; read the remarks below.",
        "Signet could not establish every fact a verdict needs (trust, revocation or time). It is not proven invalid, but not proven valid either.",
        "Do not rely on this document: a signature is not valid or the document was changed after signing (see below). Ask the sender for the original signed file.",
    ],
    files: "Files",
    path: "File",
    format: "Format",
    pdf: "PDF",
    container: "Container (ASiC)",
    verdict: "Verdict",
    verdicts: [
        "Valid",
        "Valid, with remarks",
        "Cannot tell yet",
        "Not valid",
    ],
    indication: "Result (EN 319 102-1)",
    problem: "Problem",
    removed: "Removed by a later revision",
    data_files: "Files in the container",
    no_signatures: "The file has no signature.",
    signature: "Signature",
    document_timestamp: "Document time-stamp",
    signer: "Signed by",
    unknown: "unknown",
    subject: "Certificate subject",
    proven_time: "Signed no later than",
    by_tsa: "time-stamp by",
    claimed_time: "Signing time (as claimed)",
    not_proven: "not proven by a time-stamp",
    archive_time: "Archive time-stamp",
    level: "Level",
    qualification: "Kind of signature",
    qualifications: [
        "Qualified electronic signature (QES)",
        "Advanced signature with a qualified certificate (AdES/QC)",
        "Advanced electronic signature (AdES), not qualified",
    ],
    trust_service: "Certificate issued by (trusted list)",
    reason: "Reason",
    location: "Location",
    covers: "Covers",
    chain: "Certificate chain",
    revocation: "Revocation check",
    errors: "Problems",
    warnings: "Remarks",
    changes: "Changes after signing",
    revision: "Revision",
    page: "page",
    allowed: "allowed",
    not_allowed: "NOT ALLOWED",
};

const ET: Words = Words {
    title: "Allkirjade kontrolli aruanne",
    footer: "Kontrolliaruanne",
    validation_time: "Kontrollitud",
    trust_data: "Usaldusandmed",
    no_trust_data: "Usaldusnimekirja ei kasutatud.",
    trusted_list: "Usaldusnimekiri ({territory}) seisuga {date}",
    summaries: [
        "Kõik allkirjad kehtivad ja dokumenti pole pärast allkirjastamist muudetud.",
        "Allkirjad kehtivad; loe allpool olevaid märkusi.",
        "Signet ei suutnud tuvastada kõiki otsuseks vajalikke asjaolusid (usaldus, tühistamine või aeg). Allkiri pole tõendatult kehtetu, aga ka mitte tõendatult kehtiv.",
        "Ära sellele dokumendile tugine: allkiri ei kehti või dokumenti muudeti pärast allkirjastamist (vaata allpool). Küsi saatjalt algne allkirjastatud fail.",
    ],
    files: "Faile",
    path: "Fail",
    format: "Vorming",
    pdf: "PDF",
    container: "Konteiner (ASiC)",
    verdict: "Otsus",
    verdicts: [
        "Kehtiv",
        "Kehtiv, märkustega",
        "Veel ei saa öelda",
        "Ei kehti",
    ],
    indication: "Tulemus (EN 319 102-1)",
    problem: "Probleem",
    removed: "Hilisem versioon eemaldas",
    data_files: "Konteineris olevad failid",
    no_signatures: "Failil pole allkirja.",
    signature: "Allkiri",
    document_timestamp: "Dokumendi ajatempel",
    signer: "Allkirjastaja",
    unknown: "teadmata",
    subject: "Sertifikaadi subjekt",
    proven_time: "Allkirjastatud hiljemalt",
    by_tsa: "ajatempel:",
    claimed_time: "Allkirjastamise aeg (väidetav)",
    not_proven: "ajatempliga tõendamata",
    archive_time: "Arhiiviajatempel",
    level: "Tase",
    qualification: "Allkirja liik",
    qualifications: [
        "Kvalifitseeritud e-allkiri (QES)",
        "Täiustatud e-allkiri kvalifitseeritud sertifikaadiga (AdES/QC)",
        "Täiustatud e-allkiri (AdES), mitte kvalifitseeritud",
    ],
    trust_service: "Sertifikaadi väljastaja (usaldusnimekiri)",
    reason: "Põhjus",
    location: "Koht",
    covers: "Hõlmab",
    chain: "Sertifikaadiahel",
    revocation: "Tühistamise kontroll",
    errors: "Probleemid",
    warnings: "Märkused",
    changes: "Muudatused pärast allkirjastamist",
    revision: "Versioon",
    page: "lehekülg",
    allowed: "lubatud",
    not_allowed: "LUBAMATU",
};

const RU: Words = Words {
    title: "Отчёт о проверке подписей",
    footer: "Отчёт о проверке",
    validation_time: "Проверено",
    trust_data: "Данные доверия",
    no_trust_data: "Список доверия не использовался.",
    trusted_list: "Доверенный список ({territory}) от {date}",
    summaries: [
        "Все подписи действительны, и документ не изменялся после подписания.",
        "Подписи действительны; прочитайте замечания ниже.",
        "Signet не смог установить все факты, нужные для вывода (доверие, отзыв или время). Подпись не доказана недействительной, но и не доказана действительной.",
        "Не полагайтесь на этот документ: подпись недействительна или документ изменён после подписания (см. ниже). Попросите у отправителя исходный подписанный файл.",
    ],
    files: "Файлов",
    path: "Файл",
    format: "Формат",
    pdf: "PDF",
    container: "Контейнер (ASiC)",
    verdict: "Вывод",
    verdicts: [
        "Действительна",
        "Действительна, с замечаниями",
        "Пока нельзя определить",
        "Недействительна",
    ],
    indication: "Результат (EN 319 102-1)",
    problem: "Проблема",
    removed: "Удалена более поздней версией",
    data_files: "Файлы в контейнере",
    no_signatures: "В файле нет подписи.",
    signature: "Подпись",
    document_timestamp: "Метка времени документа",
    signer: "Подписант",
    unknown: "неизвестен",
    subject: "Субъект сертификата",
    proven_time: "Подписано не позднее",
    by_tsa: "метка времени:",
    claimed_time: "Время подписи (заявленное)",
    not_proven: "не подтверждено меткой времени",
    archive_time: "Архивная метка времени",
    level: "Уровень",
    qualification: "Вид подписи",
    qualifications: [
        "Квалифицированная электронная подпись (QES)",
        "Усиленная подпись с квалифицированным сертификатом (AdES/QC)",
        "Усиленная электронная подпись (AdES), не квалифицированная",
    ],
    trust_service: "Сертификат выдан (список доверия)",
    reason: "Причина",
    location: "Место",
    covers: "Охватывает",
    chain: "Цепочка сертификатов",
    revocation: "Проверка отзыва",
    errors: "Проблемы",
    warnings: "Замечания",
    changes: "Изменения после подписания",
    revision: "Версия",
    page: "страница",
    allowed: "допустимо",
    not_allowed: "НЕДОПУСТИМО",
};

fn words(language: ReportLanguage) -> &'static Words {
    match language {
        ReportLanguage::Et => &ET,
        ReportLanguage::En => &EN,
        ReportLanguage::Ru => &RU,
    }
}

/// An RFC 3339 time as a person reads it: `2026-12-06 10:00:01 UTC`.
fn time(rfc3339: &str) -> String {
    match rfc3339
        .strip_suffix('Z')
        .or_else(|| rfc3339.strip_suffix("+00:00"))
    {
        Some(utc) => format!("{} UTC", utc.replacen('T', " ", 1)),
        None => rfc3339.replacen('T', " ", 1),
    }
}

fn verdict_words(w: &Words, verdict: Verdict) -> (&'static str, Tone) {
    match verdict {
        Verdict::Valid => (w.verdicts[0], Tone::Good),
        Verdict::ValidWithWarnings => (w.verdicts[1], Tone::Caution),
        Verdict::CannotTell => (w.verdicts[2], Tone::Caution),
        Verdict::NotValid => (w.verdicts[3], Tone::Alert),
    }
}

fn change_line(w: &Words, c: &ChangeView) -> String {
    let mut line = format!("{} {}", w.revision, c.revision);
    if let Some(page) = c.page {
        line.push_str(&format!(", {} {page}", w.page));
    }
    line.push_str(&format!(
        ": {} ({})",
        c.detail,
        if c.allowed { w.allowed } else { w.not_allowed }
    ));
    if c.old_value.is_some() || c.new_value.is_some() {
        line.push_str(&format!(
            ": “{}” → “{}”",
            c.old_value.as_deref().unwrap_or(""),
            c.new_value.as_deref().unwrap_or("")
        ));
    }
    line
}

fn signature_blocks(w: &Words, n: usize, s: &SignatureView, out: &mut Vec<Block>) {
    let kind = if s.kind == "documentTimestamp" {
        w.document_timestamp
    } else {
        w.signature
    };
    let id = s.id.as_deref().map(|i| format!(" {i}")).unwrap_or_default();
    out.push(Block::Subheading(format!("{kind} {n}: {}{id}", s.name)));
    let (verdict, tone) = verdict_words(w, s.verdict);
    out.push(Block::toned_row(w.verdict, verdict, tone));
    out.push(Block::row(
        w.signer,
        s.signer.as_deref().unwrap_or(w.unknown),
    ));
    if let Some(subject) = &s.signer_subject {
        out.push(Block::toned_row(w.subject, subject, Tone::Muted));
    }
    match (&s.proven_time, &s.claimed_time) {
        (Some(proven), _) => {
            let by = s
                .timestamp_authority
                .as_deref()
                .map(|tsa| format!(" ({} {tsa})", w.by_tsa))
                .unwrap_or_default();
            out.push(Block::row(w.proven_time, format!("{}{by}", time(proven))));
        }
        (None, Some(claimed)) => out.push(Block::row(
            w.claimed_time,
            format!("{} ({})", time(claimed), w.not_proven),
        )),
        (None, None) => {}
    }
    if let Some(archive) = &s.archive_time {
        out.push(Block::row(w.archive_time, time(archive)));
    }
    if let Some(level) = &s.level {
        out.push(Block::row(w.level, level));
    }
    if let Some(code) = &s.qualification {
        let words = match code.as_str() {
            "QES" => w.qualifications[0],
            "AdES/QC" => w.qualifications[1],
            _ => w.qualifications[2],
        };
        out.push(Block::row(w.qualification, words));
    }
    let optional = [
        (w.trust_service, &s.trust_service),
        (w.reason, &s.reason),
        (w.location, &s.location),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            out.push(Block::row(key, v));
        }
    }
    out.push(Block::toned_row(
        w.indication,
        match &s.sub_indication {
            Some(sub) => format!("{} / {sub}", s.indication),
            None => s.indication.to_string(),
        },
        Tone::Muted,
    ));
    let lists = [
        (w.covers, &s.covers, Tone::Normal),
        (w.chain, &s.chain, Tone::Muted),
        (w.revocation, &s.revocation, Tone::Muted),
        (w.errors, &s.errors, Tone::Alert),
        (w.warnings, &s.warnings, Tone::Caution),
    ];
    for (key, items, tone) in lists {
        if !items.is_empty() {
            out.push(Block::toned_row(key, items.join("\n"), tone));
        }
    }
    if !s.changes.is_empty() {
        let tone = if s.changes.iter().any(|c| !c.allowed) {
            Tone::Alert
        } else {
            Tone::Normal
        };
        let lines: Vec<String> = s.changes.iter().map(|c| change_line(w, c)).collect();
        out.push(Block::toned_row(w.changes, lines.join("\n"), tone));
    }
}

fn file_blocks(w: &Words, f: &VerifiedFile, out: &mut Vec<Block>) {
    out.push(Block::Heading(f.name.clone()));
    out.push(Block::toned_row(w.path, &f.path, Tone::Muted));
    out.push(Block::row(
        w.format,
        match f.format {
            DocumentFormat::Pdf => w.pdf,
            DocumentFormat::Container => w.container,
        },
    ));
    let (verdict, tone) = verdict_words(w, f.verdict);
    out.push(Block::toned_row(w.verdict, verdict, tone));
    out.push(Block::toned_row(
        w.indication,
        f.indication.to_string(),
        Tone::Muted,
    ));
    let summary = match f.verdict {
        Verdict::Valid => w.summaries[0],
        Verdict::ValidWithWarnings => w.summaries[1],
        Verdict::CannotTell => w.summaries[2],
        Verdict::NotValid => w.summaries[3],
    };
    out.push(Block::toned(summary, tone));
    for problem in &f.problems {
        out.push(Block::toned_row(w.problem, problem, Tone::Alert));
    }
    for removed in &f.removed_signatures {
        out.push(Block::toned_row(w.removed, removed, Tone::Alert));
    }
    if !f.data_files.is_empty() {
        out.push(Block::row(w.data_files, f.data_files.join("\n")));
    }
    if f.signatures.is_empty() {
        out.push(Block::toned(w.no_signatures, Tone::Alert));
    }
    for (i, s) in f.signatures.iter().enumerate() {
        signature_blocks(w, i + 1, s, out);
    }
}

/// The report as a document for the report writer.
pub fn document(report: &VerifiedFiles, language: ReportLanguage) -> ReportDocument {
    let w = words(language);
    let mut blocks = vec![Block::row(w.validation_time, time(&report.validation_time))];
    blocks.push(match &report.trust_data {
        Some(list) => Block::row(
            w.trust_data,
            w.trusted_list
                .replace("{territory}", &list.territory)
                .replace("{date}", &time(&list.issued)),
        ),
        None => Block::toned_row(w.trust_data, w.no_trust_data, Tone::Muted),
    });
    blocks.push(Block::row(w.files, report.files.len().to_string()));
    for f in &report.files {
        file_blocks(w, f, &mut blocks);
    }
    ReportDocument {
        title: w.title.to_owned(),
        language: match language {
            ReportLanguage::Et => "et",
            ReportLanguage::En => "en",
            ReportLanguage::Ru => "ru",
        }
        .to_owned(),
        footer: format!("{} · Signet {}", w.footer, env!("CARGO_PKG_VERSION")),
        blocks,
    }
}

#[cfg(test)]
mod tests;
