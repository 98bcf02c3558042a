//! `signet asice list|extract|add`: the container operations of signet-api, printed for people
//! or as JSON.

use std::path::{Path, PathBuf};

use signet_api::ApiError;
use signet_api::asice::TrustFiles;
use signet_api::cert::{FileBytes, TrustedListFiles};

use crate::args::AsiceCommand;
use crate::exit::Status;
use crate::report;

fn read(path: &Path) -> Result<FileBytes, ApiError> {
    let bytes = std::fs::read(path).map_err(|e| {
        let mut err = ApiError::from(e);
        err.message = format!("{}: {}", path.display(), err.message);
        err
    })?;
    Ok(FileBytes {
        name: path.display().to_string(),
        bytes,
    })
}

pub(crate) fn trust_files(
    trust: &[PathBuf],
    tsl: Option<&PathBuf>,
    tsl_signers: &[PathBuf],
) -> Result<TrustFiles, ApiError> {
    Ok(TrustFiles {
        trust: trust.iter().map(|p| read(p)).collect::<Result<_, _>>()?,
        list: match tsl {
            Some(list) => Some(TrustedListFiles {
                list: read(list)?,
                signers: tsl_signers
                    .iter()
                    .map(|p| read(p))
                    .collect::<Result<_, _>>()?,
            }),
            None => None,
        },
    })
}

/// `signet asice …`.
pub(crate) fn run(command: &AsiceCommand, json: bool) -> Status {
    match command {
        AsiceCommand::List { container } => match signet_api::asice::asice_list(container) {
            Ok(listing) if json => report::print_json(&listing),
            Ok(listing) => {
                let mut text = String::new();
                for f in &listing.data_files {
                    text.push_str(&format!("{}\t{}\t{}\n", f.name, f.media_type, f.size));
                }
                for s in &listing.signatures {
                    text.push_str(&format!("{s}\t(signature)\n"));
                }
                for p in &listing.problems {
                    text.push_str(&format!("problem: {p}\n"));
                }
                report::text(&text)
            }
            Err(err) => report::error(&err, json),
        },
        AsiceCommand::Extract {
            container,
            names,
            out_dir,
        } => match signet_api::asice::asice_extract(container, names, out_dir) {
            Ok(paths) if json => report::print_json(&serde_json::json!({
                "extracted": paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()
            })),
            Ok(paths) => report::text(
                &paths
                    .iter()
                    .map(|p| format!("{}\n", p.display()))
                    .collect::<String>(),
            ),
            Err(err) => report::error(&err, json),
        },
        AsiceCommand::Add { container, files } => {
            let context = signet_api::Context::for_this_user();
            match signet_api::asice::asice_add(&context, container, files) {
                Ok(()) if json => report::print_json(&serde_json::json!({
                    "container": container.display().to_string(),
                    "added": files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()
                })),
                Ok(()) => report::text(&format!(
                    "added {} to {}\n",
                    report::counted(files.len(), "file"),
                    container.display()
                )),
                Err(err) => report::error(&err, json),
            }
        }
    }
}
