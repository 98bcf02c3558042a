//! The command line, as clap reads it.

use std::path::PathBuf;

use signet_api::token::TokenSpec;
use signet_api::verification_export::ReportLanguage;
use signet_core::BaselineLevel;

use clap::{Args, Parser, Subcommand};

const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    success; every signature judged is TOTAL-PASSED
  1    a signature is TOTAL-FAILED, or a file is not a signed document Signet can open
  2    a signature is INDETERMINATE (and none is TOTAL-FAILED)
  64   usage error: an unknown subcommand, option or argument; a PIN, password or passphrase
       needed with neither a terminal nor --pin-stdin
  65   input error: a file or value Signet cannot use
  66   an input file does not exist
  69   unavailable: the operation is not built yet, or a device or service it needs is missing
  70   internal error: a bug in Signet; please report it with the log file (`signet info`
       prints its folder)
  74   a file could not be read or written
  75   a network service did not answer; try again later
  130  cancelled
When one command judges several files, the worst verdict sets the status: 1 over 2 over 0.

PINs and passwords are never taken as arguments or environment variables: signet asks for them
on the terminal without echo, or reads them from standard input with --pin-stdin, one line per PIN.

Environment:
  SIGNET_PROFILE_DIR   use the profile in this folder (e.g. the demo profile that `cargo xtask demo`
                       writes to target/demo): its TSA, trusted list and data folder (nodes.json)
                       are the defaults for --tsa, --trust/--tsl and the data commands.";

/// Sign and verify documents with your ID card, and see who uses your data.
///
/// Signet signs PDFs (PAdES) and any files in ASiC-E containers (.asice, .bdoc) with an ID card,
/// another PKCS#11 token or a PKCS#12 file, and validates anyone's signatures with the verdicts of
/// ETSI EN 319 102-1: TOTAL-PASSED, INDETERMINATE or TOTAL-FAILED, and why.
#[derive(Debug, Parser)]
#[command(name = "signet", version, after_long_help = EXIT_STATUS_HELP, after_help = EXIT_STATUS_HELP, max_term_width = 100)]
pub(crate) struct Cli {
    /// Print one JSON document on standard output instead of text (JSON lines for streams).
    #[arg(long, global = true)]
    pub(crate) json: bool,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign documents: PDFs as PAdES, other files into an ASiC-E container.
    Sign(Box<SignArgs>),
    /// Validate the signatures of PDFs and ASiC-E containers and say why.
    Verify(VerifyArgs),
    /// Add validation data (B-LT) or an archive time-stamp (B-LTA) to signed documents.
    Extend(ExtendArgs),
    /// Look into and change ASiC-E containers: list, extract, add files.
    #[command(subcommand)]
    Asice(AsiceCommand),
    /// Sign many files after one review, with progress, resumable if the card is pulled.
    Batch(Box<crate::batch::BatchArgs>),
    /// Show the ID card and its certificates, PIN retries; sign a digest to test the card.
    #[command(subcommand)]
    Card(CardCommand),
    /// Inspect and validate certificates: chain, revocation, qualification.
    Cert(crate::cert::CertArgs),
    /// See what an agency's node holds about you and who used it, and verify its usage log.
    #[command(subcommand)]
    Data(crate::data::DataCommand),
    /// Keep the EU trusted lists up to date: download and verify them, show what is kept.
    #[command(subcommand)]
    Trust(crate::trust::TrustCommand),
    /// Show this build: version, build profile, the optional back ends compiled in and the log
    /// folder.
    Info,
}

impl Command {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Sign(_) => "sign",
            Self::Verify(_) => "verify",
            Self::Extend(_) => "extend",
            Self::Asice(_) => "asice",
            Self::Batch(_) => "batch",
            Self::Card(_) => "card",
            Self::Cert(_) => "cert",
            Self::Data(_) => "data",
            Self::Trust(_) => "trust",
            Self::Info => "info",
        }
    }
}

/// `signet card …`
#[derive(Debug, Subcommand)]
pub(crate) enum CardCommand {
    /// The reader, the card type, the holder's name and personal code, PIN tries left. Exits 0
    /// only when a card is ready.
    Status,
    /// The subjects of both certificates on the card.
    Certs,
    /// Sign a digest (hex; SHA-384, 48 bytes) with the card and print the signature.
    SignDigest(SignDigest),
    /// Change a PIN or the PUK, or unblock a PIN with the PUK.
    #[command(subcommand)]
    Pin(PinCommand),
}

/// `signet card pin …`
#[derive(Debug, Subcommand)]
pub(crate) enum PinCommand {
    /// Change PIN1, PIN2 or the PUK: asks for the current value (showing the tries left), then
    /// the new one.
    Change(PinArgs),
    /// Unblock PIN1 or PIN2 with the PUK: asks for the PUK, then the new PIN.
    Unblock(PinArgs),
}

/// The arguments of `signet card pin change|unblock`.
#[derive(Debug, Args)]
pub(crate) struct PinArgs {
    /// Which one: pin1, pin2 or puk (the PUK can be changed, not unblocked).
    #[arg(value_enum)]
    pub(crate) which: WhichPin,
    /// Read the secrets from standard input, one line each, in the order asked (current, then
    /// new; for unblock the PUK, then the new PIN). Without it, the terminal asks without echo.
    #[arg(long)]
    pub(crate) pin_stdin: bool,
}

/// A PIN of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum WhichPin {
    /// PIN1, the authentication PIN.
    Pin1,
    /// PIN2, the signing PIN.
    Pin2,
    /// The PUK, which unblocks PIN1 and PIN2.
    Puk,
}

/// `signet card sign-digest`
#[derive(Debug, Args)]
pub(crate) struct SignDigest {
    /// The digest to sign, hexadecimal.
    pub(crate) digest: String,
    /// Which key: `sign` (qualified signature, PIN2) or `auth` (authentication, PIN1).
    #[arg(long, value_enum, default_value_t = KeyChoice::Sign)]
    pub(crate) key: KeyChoice,
    /// Read the PIN from standard input, one line per PIN the card asks for. Without it, the
    /// terminal asks without echo.
    #[arg(long)]
    pub(crate) pin_stdin: bool,
    /// The signing device: pcsc[:READER] (default), pkcs11[:MODULE] or p12:FILE.
    #[arg(long, default_value = "pcsc")]
    pub(crate) token: TokenSpec,
}

/// The signature format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// PAdES: the signature inside the PDF.
    Pades,
    /// XAdES in an ASiC-E container (.asice, .bdoc), as DigiDoc4 makes.
    Asice,
}

/// `signet sign FILE…`
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The files to sign. PDFs are signed one by one (one output each, NAME.signed.pdf) unless
    /// `--format asice`; other files, or a mix, go together into one container (NAME.asice,
    /// after the first file). None with --add-to: the container's files are signed.
    #[arg(required_unless_present = "add_to")]
    pub(crate) files: Vec<PathBuf>,
    /// The format; by default PAdES for PDFs and ASiC-E for anything else.
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
    /// The baseline level: B-B, B-T, B-LT (default) or B-LTA. Levels from B-T need a TSA.
    #[arg(long, value_parser = parse_level)]
    pub(crate) level: Option<BaselineLevel>,
    /// The signing device: pcsc[:READER], pkcs11:MODULE or p12:FILE. By default the profile's,
    /// then the one in your settings, then pcsc (the ID card).
    #[arg(long)]
    pub(crate) token: Option<TokenSpec>,
    /// The time-stamping authority's URL (RFC 3161); by default the profile's, then the one in
    /// your settings.
    #[arg(long)]
    pub(crate) tsa: Option<String>,
    /// Read the PIN or password from standard input, one line per PIN asked; after a wrong one,
    /// the next line.
    #[arg(long)]
    pub(crate) pin_stdin: bool,
    /// Where the signed document goes (one input only). With --add-to: where the container
    /// with the new signature goes instead of changing it in place.
    #[arg(long, conflicts_with = "out_dir")]
    pub(crate) out: Option<PathBuf>,
    /// The folder for the signed documents (NAME.signed.pdf, NAME.asice).
    #[arg(long)]
    pub(crate) out_dir: Option<PathBuf>,
    /// PAdES: a visible signature on PAGE at X,Y with width W and height H, in PDF points.
    #[arg(long, value_name = "PAGE,X,Y,W,H")]
    pub(crate) visible: Option<String>,
    /// PAdES: the reason for signing.
    #[arg(long)]
    pub(crate) reason: Option<String>,
    /// PAdES: where the signature was made.
    #[arg(long)]
    pub(crate) location: Option<String>,
    /// PAdES: how to contact the signer.
    #[arg(long)]
    pub(crate) contact: Option<String>,
    /// PAdES: if an unsigned PDF cannot be updated safely, sign a rewritten (normalised) copy.
    /// A signed PDF is never rewritten; the input file is never changed.
    #[arg(long)]
    pub(crate) normalise: bool,
    /// Certificates completing the signer's chain (DER or PEM): PAdES embeds them; both formats
    /// use them for B-LT.
    #[arg(long)]
    pub(crate) chain: Vec<PathBuf>,
    /// ASiC-E: the container to create.
    #[arg(long, conflicts_with = "add_to")]
    pub(crate) container: Option<PathBuf>,
    /// ASiC-E: add a signature to this existing container (the files are already in it). The
    /// container is changed in place, atomically (the old one is replaced whole), unless --out
    /// names another file.
    #[arg(long)]
    pub(crate) add_to: Option<PathBuf>,
    /// Replace an output (signed PDF or container) that exists already. Without it Signet
    /// refuses before asking for the PIN, and never overwrites a file, even one that appears
    /// while signing.
    #[arg(long)]
    pub(crate) force: bool,
    #[command(flatten)]
    pub(crate) sign_trust: SignTrustArgs,
}

/// What signing trusts when it checks the time-stamp and OCSP answers and finds the signer's
/// issuer (levels from B-T), for PDFs and containers alike.
#[derive(Debug, Args)]
pub(crate) struct SignTrustArgs {
    /// Trust these CA certificates (DER or PEM); repeatable.
    #[arg(long)]
    pub(crate) trust: Vec<PathBuf>,
    /// A trusted list (ETSI TS 119 612 XML) whose CA/QC, OCSP/QC and TSA/QTST services are trusted.
    #[arg(long, value_name = "FILE", requires = "tsl_signer")]
    pub(crate) tsl: Option<PathBuf>,
    /// A certificate allowed to sign the trusted list (DER or PEM); repeatable.
    #[arg(long, value_name = "FILE", requires = "tsl")]
    pub(crate) tsl_signer: Vec<PathBuf>,
}

/// Trust and time options shared by `verify` and `extend`.
#[derive(Debug, Args)]
pub(crate) struct TrustArgs {
    /// Trust these certificates (DER or PEM) as anchors, in addition to the trusted list.
    #[arg(long)]
    pub(crate) trust: Vec<PathBuf>,
    /// A trusted list (ETSI TS 119 612 XML) to use instead of the configured one.
    #[arg(long)]
    pub(crate) tsl: Option<PathBuf>,
    /// A certificate allowed to sign the trusted list given with --tsl (DER or PEM); repeatable.
    #[arg(long, value_name = "FILE", requires = "tsl")]
    pub(crate) tsl_signer: Vec<PathBuf>,
    /// Validate as at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME", value_parser = crate::cert::parse_time)]
    pub(crate) at: Option<std::time::SystemTime>,
    /// Fetch nothing: use only the validation data in the document.
    #[arg(long)]
    pub(crate) offline: bool,
}

/// `signet verify FILE…`
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The signed documents: PDFs and ASiC-E or ASiC-S containers, in any mix, judged in one
    /// report (docs/verify-json.md).
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Also show each signer certificate's full subject (and issuer) beside the name; `--json`
    /// always has them.
    #[arg(long)]
    pub(crate) subjects: bool,
    /// Also save the report as a PDF a person reads, to FILE (a new file: an existing one is
    /// never replaced).
    #[arg(long, value_name = "FILE")]
    pub(crate) report_pdf: Option<PathBuf>,
    /// Also save the report as JSON, exactly what --json prints (docs/verify-json.md), to FILE
    /// (a new file: an existing one is never replaced).
    #[arg(long, value_name = "FILE")]
    pub(crate) report_json: Option<PathBuf>,
    /// The language of the PDF report: et, en or ru (the engine's remarks stay in English).
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_report_language)]
    pub(crate) report_language: ReportLanguage,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
}

fn parse_report_language(s: &str) -> Result<ReportLanguage, String> {
    match s {
        "et" => Ok(ReportLanguage::Et),
        "en" => Ok(ReportLanguage::En),
        "ru" => Ok(ReportLanguage::Ru),
        _ => Err(format!("“{s}” is not a report language: use et, en or ru")),
    }
}

/// `signet extend FILE… --level B-LT|B-LTA`
#[derive(Debug, Args)]
pub(crate) struct ExtendArgs {
    /// The signed documents to extend: PDFs and ASiC-E containers, in any mix. Each is changed
    /// in place, atomically: the extended file replaces it whole, and only if it did not change
    /// while it was being extended. The result is validated before it replaces the file, and
    /// the level printed is the level found: below the level asked for, nothing is written and
    /// the reason is given. A container is validated first too (a failing signature is not
    /// extended), and its result must be TOTAL-PASSED.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// The level to reach: B-LT or B-LTA. In a container, B-B and B-T signatures are taken
    /// through B-LT as signing does (a time-stamp first for B-B, then the signer's OCSP answer,
    /// produced after it); B-LT ones get an archive time-stamp for B-LTA; signatures already at
    /// the level are left alone; BDOC time-mark (LT-TM) signatures are refused.
    #[arg(long, value_parser = parse_extend_level)]
    pub(crate) level: BaselineLevel,
    /// The time-stamping authority's URL (RFC 3161), for B-LTA (and a container's B-B
    /// signatures); by default the profile's, else the person's settings'.
    #[arg(long)]
    pub(crate) tsa: Option<String>,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
}

/// `signet asice …`
#[derive(Debug, Subcommand)]
pub(crate) enum AsiceCommand {
    /// The files and signatures in a container.
    List {
        /// The container.
        container: PathBuf,
    },
    /// Copy the files out of a container, each under its own name in the folder; a name taken
    /// there is numbered (b-2.csv): no file is ever replaced.
    Extract {
        /// The container.
        container: PathBuf,
        /// Only these files (names as the container lists them).
        names: Vec<String>,
        /// The folder to extract to (created when missing).
        #[arg(long, default_value = ".")]
        out_dir: PathBuf,
    },
    /// Add files to a container that has no signature yet.
    Add {
        /// The container.
        container: PathBuf,
        /// The files to add.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn parse_level(text: &str) -> Result<BaselineLevel, String> {
    text.parse()
        .map_err(|_| format!("unknown level `{text}`: use B-B, B-T, B-LT or B-LTA"))
}

/// `extend`'s level: only B-LT and B-LTA add what extending adds (validation data).
fn parse_extend_level(text: &str) -> Result<BaselineLevel, String> {
    match text.parse::<BaselineLevel>() {
        Ok(level) if level.has_validation_data() => Ok(level),
        _ => Err(format!(
            "extend makes B-LT or B-LTA, not `{text}`: use --level B-LT or --level B-LTA"
        )),
    }
}

/// The card's two keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KeyChoice {
    /// The qualified signing key (PIN2).
    Sign,
    /// The authentication key (PIN1).
    Auth,
}

/// Whether `--json` is among the arguments (before a `--`), read before clap parses them.
pub(crate) fn json_in<I, T>(argv: I) -> bool
where
    I: IntoIterator<Item = T>,
    T: AsRef<std::ffi::OsStr>,
{
    argv.into_iter()
        .skip(1)
        .map_while(|arg| (arg.as_ref() != "--").then(|| arg.as_ref() == "--json"))
        .any(|json| json)
}

/// Reads the command line. clap's colours follow the rule of every Signet output
/// ([`signet_api::logging::colour_allowed`]): none with `--json`, `NO_COLOR` or `CLICOLOR=0`,
/// and none on a stream that is not a terminal (clap's `Auto` looks at each stream).
pub(crate) fn parse<I, T>(argv: I, json: bool) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory as _, FromArgMatches as _};
    let colour = if json || !signet_api::logging::colour_allowed(true) {
        clap::ColorChoice::Never
    } else {
        clap::ColorChoice::Auto
    };
    let mut command = Cli::command().color(colour);
    let mut matches = command.try_get_matches_from_mut(argv)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|err| err.format(&mut command))
}

/// The (sub)command a command line names, for a usage error's message and recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Named {
    /// `signet card pin change`.
    pub(crate) name: String,
    /// Its usage line, without "Usage: ".
    pub(crate) usage: String,
    /// Its subcommands, `help` left out.
    pub(crate) subcommands: Vec<String>,
}

/// The subcommand a command line names (`signet card pin change`), found by walking the
/// subcommands its words name.
pub(crate) fn command_named<I, T>(argv: I) -> Named
where
    I: IntoIterator<Item = T>,
    T: AsRef<std::ffi::OsStr>,
{
    use clap::CommandFactory as _;
    let mut command = Cli::command();
    let mut path = vec![command.get_name().to_owned()];
    for arg in argv.into_iter().skip(1) {
        let Some(word) = arg.as_ref().to_str() else {
            continue;
        };
        if word == "--" {
            break;
        }
        if let Some(sub) = command.find_subcommand(word).cloned() {
            path.push(sub.get_name().to_owned());
            command = sub;
        }
    }
    let mut command = command.bin_name(path.join(" "));
    let usage = command.render_usage().to_string();
    let usage = usage
        .trim()
        .strip_prefix("Usage: ")
        .unwrap_or(&usage)
        .to_owned();
    Named {
        name: path.join(" "),
        usage,
        subcommands: command
            .get_subcommands()
            .map(|sub| sub.get_name().to_owned())
            .filter(|name| name != "help")
            .collect(),
    }
}

impl Cli {
    /// Whether the output is JSON, wherever `--json` was written.
    pub(crate) fn json(&self) -> bool {
        self.json
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn json_is_accepted_before_and_after_the_subcommand() {
        assert!(
            Cli::try_parse_from(["signet", "--json", "info"])
                .unwrap()
                .json
        );
        assert!(
            Cli::try_parse_from(["signet", "info", "--json"])
                .unwrap()
                .json
        );
        assert!(!Cli::try_parse_from(["signet", "info"]).unwrap().json);
        let late = Cli::try_parse_from(["signet", "verify", "a.pdf", "--json"]).unwrap();
        assert!(late.json());
        let none = Cli::try_parse_from(["signet", "verify", "a.pdf"]).unwrap();
        assert!(!none.json());
    }

    #[test]
    fn the_command_named_is_found_for_its_usage_line() {
        let named = command_named(["signet", "--json", "card", "pin", "change", "pin3"]);
        assert_eq!(named.name, "signet card pin change");
        assert!(
            named.usage.starts_with("signet card pin change "),
            "{named:?}"
        );
        assert!(named.subcommands.is_empty());
        let named = command_named(["signet", "frob", "--x"]);
        assert_eq!(named.name, "signet");
        assert!(named.subcommands.contains(&"verify".to_owned()));
        assert_eq!(
            command_named(["signet", "card"]).subcommands,
            ["status", "certs", "sign-digest", "pin"]
        );
        // A file named like a subcommand is a file.
        assert_eq!(
            command_named(["signet", "verify", "card"]).name,
            "signet verify"
        );
    }

    #[test]
    fn json_is_seen_before_parsing_even_on_a_line_clap_refuses() {
        assert!(json_in(["signet", "--json", "info", "--no-such-flag"]));
        assert!(json_in(["signet", "verify", "--nope", "--json"]));
        assert!(!json_in(["signet", "verify", "--nope"]));
        // After `--` it is a file's name.
        assert!(!json_in(["signet", "verify", "--", "--json"]));
        // The program's own name is not an argument.
        assert!(!json_in(["--json", "info"]));
    }
}
