//! What Signet proposes before anything is signed: the format by the one rule, the outputs by
//! the one naming rule, what the files are.

use std::path::{Path, PathBuf};

use signet_core::Code;

use super::{
    FormatReason, InputKind, PageSize, ProposedFile, SignFilesRequest, SignFormat, SignProposal,
    facts_of_file,
};
use crate::input::{FileKind, file_kind};
use crate::{ApiError, Context};

/// The most pages a proposal describes (a visible signature goes on one of them).
const MAX_PAGES: usize = 5_000;

fn number(o: &signet_pdf::Object) -> Option<f64> {
    match o {
        signet_pdf::Object::Int(i) => Some(*i as f64),
        signet_pdf::Object::Real(r) => std::str::from_utf8(r).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// The size of every page of the PDF `bytes` (A4 where a page names no usable MediaBox, also
/// through its parents).
fn page_sizes(bytes: &[u8]) -> Vec<PageSize> {
    let Ok(doc) = signet_pdf::Document::open(bytes) else {
        return Vec::new();
    };
    let Ok(pages) = doc.pages() else {
        return Vec::new();
    };
    pages
        .into_iter()
        .take(MAX_PAGES)
        .map(|page| {
            let mut node = doc.get(page).ok().and_then(|o| o.as_dict().cloned());
            for _ in 0..32 {
                let Some(dict) = node else { break };
                if let Some(Ok(boxed)) = dict.get("MediaBox").map(|m| doc.resolve(m))
                    && let Some(v) = boxed.as_array()
                    && let [x1, y1, x2, y2] = v.iter().filter_map(number).collect::<Vec<_>>()[..]
                    && (x2 - x1).abs() > 1.0
                    && (y2 - y1).abs() > 1.0
                {
                    return PageSize {
                        width: (x2 - x1).abs(),
                        height: (y2 - y1).abs(),
                    };
                }
                node = doc.resolve_dict(dict.get("Parent")).ok().flatten();
            }
            PageSize {
                width: 595.0,
                height: 842.0,
            }
        })
        .collect()
}

/// The output of the PDF `input`: `NAME.signed.pdf` in `dir` (next to the input by default).
pub fn pades_output(input: &Path, dir: Option<&Path>) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "document".into(), |s| s.to_string_lossy().into_owned());
    let name = format!("{stem}.signed.pdf");
    match dir {
        Some(dir) => dir.join(name),
        None => input.with_file_name(name),
    }
}

/// The container for `files`: `NAME.asice` after the first file, in `dir` (next to it by
/// default).
pub fn asice_output(files: &[PathBuf], dir: Option<&Path>) -> Option<PathBuf> {
    let first = files.first()?;
    let stem = first
        .file_stem()
        .map_or_else(|| "container".into(), |s| s.to_string_lossy().into_owned());
    let name = format!("{stem}.asice");
    Some(match dir {
        Some(dir) => dir.join(name),
        None => first.with_file_name(name),
    })
}

/// The refusal of a PDF where a container is expected.
pub fn pdf_not_container(path: &Path) -> ApiError {
    ApiError::new(
        Code::InvalidInput,
        format!("{}: this is a PDF, not a container", path.display()),
    )
    .recommend("Verify a signed PDF with `signet verify`; put files into a container with `signet sign --format asice`.")
}

fn input_kind(path: &Path) -> Result<(InputKind, Vec<PageSize>), ApiError> {
    Ok(match file_kind(path)? {
        FileKind::Pdf => {
            // A PDF is also a file the reader opens; `%PDF-` alone is not enough. A damaged one
            // is a PDF too when its name says so, it carries a signature, or the normaliser can
            // rewrite it: signing it then says what is wrong (and rewrites it when the person
            // agreed), and never puts it into a container instead.
            let bytes = std::fs::read(path).map_err(|e| crate::input::unreadable(path, &e))?;
            match signet_pdf::Document::open(&bytes) {
                Ok(_) => (InputKind::Pdf, page_sizes(&bytes)),
                Err(signet_pdf::PdfError::Encrypted) => (InputKind::Pdf, Vec::new()),
                Err(_)
                    if FileKind::claimed_by(path) == Some(FileKind::Pdf)
                        || signet_pdf::normalise::looks_signed(&bytes)
                        || signet_pdf::normalise::rewrite(&bytes).is_ok() =>
                {
                    (InputKind::Pdf, Vec::new())
                }
                Err(_) => (InputKind::Other, Vec::new()),
            }
        }
        FileKind::Zip => (InputKind::Container, Vec::new()),
        FileKind::Other => (InputKind::Other, Vec::new()),
    })
}

fn refused(message: String, recommendation: &str) -> ApiError {
    ApiError::new(Code::InvalidInput, message).recommend(recommendation)
}

/// What Signet proposes for `files`: the format by the rule (or `format` when given), the outputs,
/// the level and the token by the settings.
pub fn propose(
    context: &Context,
    files: &[PathBuf],
    format: Option<SignFormat>,
    output_dir: Option<&Path>,
) -> Result<SignProposal, ApiError> {
    propose_for(
        context,
        &SignFilesRequest {
            files: files.to_vec(),
            format,
            output_dir: output_dir.map(Path::to_path_buf),
            ..SignFilesRequest::default()
        },
    )
}

/// What Signet proposes for `request`: [`propose`] with every choice the request makes (one
/// named output, a container to create or to add a signature to, the settings it gives).
pub fn propose_for(
    context: &Context,
    request: &SignFilesRequest,
) -> Result<SignProposal, ApiError> {
    let into_container = request.add_to.is_some() || request.container.is_some();
    if into_container && request.format == Some(SignFormat::Pades) {
        return Err(refused(
            "a PAdES signature goes into a PDF, not into a container".into(),
            "Leave out the format, or sign the PDFs without naming a container.",
        ));
    }
    if let Some(existing) = &request.add_to {
        // The files are in the container already; the container is what is signed.
        if file_kind(existing)? == FileKind::Pdf {
            return Err(pdf_not_container(existing));
        }
        let output = request.out.clone().unwrap_or_else(|| existing.clone());
        let in_place = output == *existing;
        return finish(
            context,
            request,
            (SignFormat::Asice, FormatReason::Chosen),
            vec![ProposedFile {
                facts: facts_of_file(existing)?,
                kind: InputKind::Container,
                pages: Vec::new(),
            }],
            vec![output],
            in_place,
        );
    }
    if request.files.is_empty() {
        return Err(refused(
            "no files to sign".into(),
            "Choose one or more files.",
        ));
    }
    let mut proposed = Vec::new();
    for path in &request.files {
        let (kind, pages) = input_kind(path)?;
        proposed.push(ProposedFile {
            facts: facts_of_file(path)?,
            kind,
            pages,
        });
    }
    let all_pdf = proposed.iter().all(|f| f.kind == InputKind::Pdf);
    let (format, reason) = match request.format {
        _ if into_container => (SignFormat::Asice, FormatReason::Chosen),
        Some(format) => (format, FormatReason::Chosen),
        None if all_pdf => (SignFormat::Pades, FormatReason::AllPdf),
        None => (SignFormat::Asice, FormatReason::NotAllPdf),
    };
    if format == SignFormat::Pades
        && let Some(not_pdf) = proposed.iter().find(|f| f.kind != InputKind::Pdf)
    {
        return Err(refused(
            format!(
                "{} is not a PDF: only PDFs can carry a PAdES signature",
                not_pdf.facts.name
            ),
            "Put the files into an ASiC-E container instead.",
        )
        .keyed(crate::MessageKey::NotAPdf)
        .param("file", &not_pdf.facts.name));
    }
    // The folder the request names, else the one in the person's settings, else beside the
    // input.
    let person = crate::settings::load(context);
    let dir = request.output_dir.as_deref().or(person.output_folder());
    let named = request.container.as_ref().or(request.out.as_ref());
    let outputs: Vec<PathBuf> = match (format, named) {
        (SignFormat::Pades, Some(out)) if request.files.len() == 1 => vec![out.clone()],
        (SignFormat::Pades, Some(_)) => {
            return Err(refused(
                "one output file was named for several PDFs, which get one signed file each".into(),
                "Name a folder for the signed files instead (--out-dir), or sign one PDF.",
            ));
        }
        (SignFormat::Pades, None) => request.files.iter().map(|f| pades_output(f, dir)).collect(),
        (SignFormat::Asice, Some(out)) => vec![out.clone()],
        (SignFormat::Asice, None) => asice_output(&request.files, dir).into_iter().collect(),
    };
    if let Some(output) = outputs.iter().find(|o| request.files.contains(o)) {
        return Err(refused(
            format!("the output {} would overwrite its input", output.display()),
            "Name another output file; Signet never changes the file it signs.",
        ));
    }
    finish(context, request, (format, reason), proposed, outputs, false)
}

fn finish(
    context: &Context,
    request: &SignFilesRequest,
    (format, reason): (SignFormat, FormatReason),
    files: Vec<ProposedFile>,
    outputs: Vec<PathBuf>,
    in_place: bool,
) -> Result<SignProposal, ApiError> {
    let settings = super::Settings::resolve_with(context, &request.overrides())?;
    Ok(SignProposal {
        format,
        reason,
        files,
        existing: outputs
            .iter()
            .filter(|o| !in_place && o.exists())
            .map(|o| o.display().to_string())
            .collect(),
        outputs: outputs.iter().map(|o| o.display().to_string()).collect(),
        level: settings.level,
        token: settings.token.to_string(),
    })
}
