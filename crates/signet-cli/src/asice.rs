//! `signet asice list|extract|add`: the container operations of signet-api, printed for people
//! or as JSON.

use crate::args::AsiceCommand;
use crate::exit::Status;
use crate::report;

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
