//! The binary's operator commands (part of `signet-node`, not of the library):
//! `signet-node correction list|accept|reject` and `signet-node report list`, on the node's
//! database ([`signet_node::operator::Operator`]). Each prints one JSON document.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use signet_core::{Clock as _, SystemClock};
use signet_data::Timestamp;
use signet_node::Database;
use signet_node::operator::Operator;

/// Which node's database: its configuration file, or the database itself.
#[derive(Debug, Args)]
pub(crate) struct DatabaseArgs {
    /// The node's configuration file (its `database` is used).
    #[arg(long, value_name = "FILE", conflicts_with = "database")]
    config: Option<PathBuf>,
    /// The node's database: an SQLite file (`signet-demo/rr.db`) or a `postgres://` URL.
    #[arg(long, value_name = "DATABASE")]
    database: Option<String>,
}

impl DatabaseArgs {
    fn open(&self) -> anyhow::Result<Operator> {
        let database = match (&self.config, &self.database) {
            (_, Some(d)) => Database::parse(d),
            (Some(path), None) => {
                #[derive(serde::Deserialize)]
                struct OnlyDatabase {
                    database: String,
                }
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let file: OnlyDatabase = serde_json::from_str(&text).with_context(|| {
                    format!(
                        "{} is not a node configuration with a database",
                        path.display()
                    )
                })?;
                Database::parse(&file.database)
            }
            (None, None) => bail!(
                "say which node: --config node.json, or --database with its SQLite file or postgres:// URL"
            ),
        };
        if let Database::Sqlite(path) = &database
            && !path.exists()
        {
            bail!(
                "{} does not exist: give the database of a node that has run (signet-demo/rr.db for the demo's Population Register)",
                path.display()
            );
        }
        Ok(Operator::open(&database)?)
    }
}

/// `signet-node correction …`
#[derive(Debug, Subcommand)]
pub(crate) enum CorrectionCommand {
    /// Every correction people asked for, with its status.
    List(DatabaseArgs),
    /// Accept a pending correction: the record's field takes the value (the proposed one unless
    /// --value says otherwise) when it can hold it; the person is told on their stream.
    Accept {
        /// The correction's id (`k-…`, from `list`).
        id: String,
        /// The value the agency holds now, when not the proposed one.
        #[arg(long)]
        value: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Reject a pending correction, saying why (shown to the person).
    Reject {
        /// The correction's id (`k-…`, from `list`).
        id: String,
        /// Why: the person reads it.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// `signet-node report …`
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Every misuse report people filed, for the data protection officer.
    List(DatabaseArgs),
}

fn print(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn now() -> Timestamp {
    Timestamp::from_system(SystemClock.now())
}

pub(crate) fn correction(command: &CorrectionCommand) -> anyhow::Result<()> {
    match command {
        CorrectionCommand::List(db) => print(&serde_json::json!({
            "corrections": db.open()?.corrections()?,
        })),
        CorrectionCommand::Accept {
            id,
            value,
            database,
        } => print(&database.open()?.accept(id, value.as_deref(), now())?),
        CorrectionCommand::Reject {
            id,
            reason,
            database,
        } => print(&database.open()?.reject(id, reason, now())?),
    }
}

pub(crate) fn report(command: &ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::List(db) => print(&serde_json::json!({"reports": db.open()?.reports()?})),
    }
}
