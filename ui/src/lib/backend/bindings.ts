// This file is generated from the Rust types by `cargo xtask bindings`. Do not edit it by hand.
export type AccessEntryView = {
/**
 * The node whose log holds it.
 */
node: string,
/**
 * The agency.
 */
agency: string,
/**
 * Its index in that log.
 */
index: number,
/**
 * When (RFC 3339).
 */
time: string | null,
/**
 * Who received the data (organisation).
 */
receiver: string | null,
/**
 * The official, when disclosed.
 */
official: string | null,
/**
 * What was done.
 */
action: string | null,
/**
 * Why.
 */
purpose: string | null,
/**
 * On which legal basis.
 */
legalBasis: string | null,
/**
 * Until when the agency kept it hidden from the person (a query disclosed at that date;
 * nothing of it is served before).
 */
hiddenUntil: string | null,
/**
 * Its inclusion proof verified against a checkpoint the log's key signed, consistent with
 * every earlier one the person saw.
 */
verified: boolean,
/**
 * What came of it.
 */
outcome: EntryOutcome, };
export type AccessLogView = {
/**
 * The entries, newest first.
 */
entries: Array<AccessEntryView>,
/**
 * Logs that failed and nodes that did not answer.
 */
problems: Array<AccessProblem>,
/**
 * When this was read (RFC 3339).
 */
asOf: string, };
export type AccessProblem = {
/**
 * The node.
 */
node: string,
/**
 * The agency.
 */
agency: string,
/**
 * The log was rewritten or a proof failed (an alarm), rather than the node not answering.
 */
tampered: boolean,
/**
 * What happened and what to do.
 */
error: ApiError, };
export type AgencyConsents = {
/**
 * The node.
 */
node: string,
/**
 * The agency.
 */
agency: string,
/**
 * Its records.
 */
consents: Array<ConsentView>,
/**
 * Its data sets' terms.
 */
dataSets: Array<DataSetTermsView>,
/**
 * Why it did not answer.
 */
error: ApiError | null, };
export type AgencyState = "answered" | "cached" | "notCovered";
export type AgencyView = {
/**
 * The node's address.
 */
node: string,
/**
 * The agency's name.
 */
name: string,
/**
 * Whether it answered.
 */
state: AgencyState,
/**
 * Why it did not.
 */
error: ApiError | null,
/**
 * What it holds about the person.
 */
dataSets: Array<DataSetView>,
/**
 * When a cached answer was received (RFC 3339).
 */
cachedAt: string | null, };
export type ApiError = {
/**
 * What kind of trouble this is.
 */
code: Code,
/**
 * What happened, in English; the UI shows its own translation by code.
 */
message: string,
/**
 * What the person can do about it, in English.
 */
recommendation: string,
/**
 * Which message this is, for a translation (`general`: only the code says).
 */
key: MessageKey,
/**
 * The specifics the keyed message names, by name (`file`, `secret`, `triesLeft`, …).
 */
params: Record<string, string>, };
export type AppInfo = {
/**
 * The product name.
 */
name: string,
/**
 * The version, as in Cargo.toml (`0.1.0`).
 */
version: string,
/**
 * Debug or release build.
 */
profile: BuildProfile,
/**
 * The optional back ends and whether this build has them.
 */
backends: Array<OptionalBackend>,
/**
 * The folder holding the rotating log file a person can attach to a bug report.
 */
logDir: string | null,
/**
 * The profile in use (`demo`), when one is.
 */
profileName: string | null, };
export type AsiceListing = {
/**
 * The data files.
 */
dataFiles: Array<DataFile>,
/**
 * The signature entries.
 */
signatures: Array<string>,
/**
 * Disagreements between the manifest and the entries.
 */
problems: Array<string>, };
export type BaselineLevel = "B-B" | "B-T" | "B-LT" | "B-LTA";
export type BatchEvent = { "event": "plan" } & BatchPlan | { "event": "signed",
/**
 * Its position, from 1.
 */
n: number,
/**
 * The number of files.
 */
of: number,
/**
 * The input.
 */
input: string,
/**
 * The output written.
 */
output: string,
/**
 * The format.
 */
format: BatchFormat,
/**
 * The level.
 */
level: BaselineLevel,
/**
 * The output's SHA-256, hex.
 */
outputSha256: string,
/**
 * What the pre-sign check found (PAdES).
 */
warnings: Array<string>, } | { "event": "skipped",
/**
 * Its position.
 */
n: number,
/**
 * The number of files.
 */
of: number,
/**
 * The input.
 */
input: string,
/**
 * Its output, kept.
 */
output: string,
/**
 * Why.
 */
reason: string, } | { "event": "failed",
/**
 * Its position.
 */
n: number,
/**
 * The number of files.
 */
of: number,
/**
 * The input.
 */
input: string,
/**
 * The output it would have had (nothing written there).
 */
output: string,
/**
 * What happened and what to do.
 */
error: ApiError, } | { "event": "summary" } & BatchSummary;
export type BatchFormat = "pades" | "asice";
export type BatchOutcome = {
/**
 * The summary of the last run (the counts of the whole batch, journal included).
 */
summary: BatchSummary,
/**
 * How many times the batch waited for the card and went on.
 */
resumed: number,
/**
 * The per-file report (CSV) in the output folder.
 */
report: string | null, };
export type BatchPlan = {
/**
 * The output folder.
 */
outDir: string,
/**
 * The journal's path.
 */
journal: string,
/**
 * The level.
 */
level: BaselineLevel,
/**
 * The signing device (`pcsc`, `p12:FILE`, …).
 */
token: string,
/**
 * The signer, read from the token; `None` when it needs a secret first (PKCS#12).
 */
signer: SignerInfo | null,
/**
 * Number of files.
 */
count: number,
/**
 * Their total size in bytes.
 */
totalBytes: number,
/**
 * How many are to be signed now (the others are done or refused).
 */
toSign: number,
/**
 * Every file, in order.
 */
files: Array<PlannedFile>, };
export type BatchSummary = {
/**
 * Number of files.
 */
files: number,
/**
 * Signed in this run.
 */
signed: number,
/**
 * Skipped: signed by an earlier run.
 */
skipped: number,
/**
 * Could not be signed for their own reason.
 */
failed: number,
/**
 * Not attempted because the batch stopped.
 */
left: number,
/**
 * Why the batch stopped before the end, with what to do; `None` when it ran to the end.
 */
stopped: ApiError | null,
/**
 * The journal.
 */
journal: string, };
export type BuildProfile = "debug" | "release";
export type CaCrlFacts = {
/**
 * The CA's subject.
 */
subject: string,
/**
 * The CRL's thisUpdate (RFC 3339).
 */
thisUpdate: string,
/**
 * The CRL's nextUpdate (RFC 3339).
 */
nextUpdate: string,
/**
 * The revocation date when listed (after the validation time, since the path passed).
 */
revokedAt: string | null,
/**
 * The reason code, when listed with one.
 */
reason: string | null, };
export type CardCertificate = {
/**
 * `auth` or `sign`.
 */
key: string,
/**
 * The subject, RFC 4514.
 */
subject: string,
/**
 * The issuer, RFC 4514.
 */
issuer: string,
/**
 * The end of validity.
 */
notAfter: string,
/**
 * The certificate, DER, hex.
 */
derHex: string, };
export type CardEvent = { "kind": "readerAdded",
/**
 * Its name.
 */
reader: string, } | { "kind": "readerRemoved",
/**
 * Its name.
 */
reader: string, } | { "kind": "cardInserted",
/**
 * The reader.
 */
reader: string, } | { "kind": "cardRemoved",
/**
 * The reader.
 */
reader: string, } | { "kind": "serviceStopped" };
export type CardSignature = {
/**
 * `auth` or `sign`.
 */
key: string,
/**
 * Raw r ‖ s, hex (XAdES, Web eID).
 */
signatureHex: string,
/**
 * DER Ecdsa-Sig-Value, hex (CMS).
 */
signatureDerHex: string, };
export type CardStatus = {
/**
 * The reader's name.
 */
reader: string,
/**
 * The card type.
 */
card: string,
/**
 * The holder's surname.
 */
surname: string,
/**
 * The holder's given names.
 */
givenNames: string,
/**
 * The holder's personal identification code.
 */
personalCode: string,
/**
 * The document number.
 */
documentNumber: string,
/**
 * Expiry date as printed on the card.
 */
expiry: string,
/**
 * PIN1 tries left.
 */
pin1Retries: number,
/**
 * PIN2 tries left.
 */
pin2Retries: number,
/**
 * PUK tries left.
 */
pukRetries: number,
/**
 * False for a Thales card delivered locked: PIN2 must be changed before it signs.
 */
activated: boolean, };
export type CaseKind = "correction" | "misuseReport";
export type CaseProblem = {
/**
 * The node.
 */
node: string,
/**
 * The agency.
 */
agency: string,
/**
 * Why it did not answer.
 */
error: ApiError, };
export type CaseState = "pending" | "accepted" | "rejected" | "recorded";
export type CaseView = {
/**
 * The node.
 */
node: string,
/**
 * The agency.
 */
agency: string,
/**
 * Which kind.
 */
kind: CaseKind,
/**
 * Its id at the node.
 */
id: string,
/**
 * When it was filed (RFC 3339).
 */
filed: string,
/**
 * Where it stands.
 */
state: CaseState,
/**
 * A correction's data set.
 */
dataSet: string | null,
/**
 * A correction's field.
 */
field: string | null,
/**
 * The value the person proposed.
 */
proposedValue: string | null,
/**
 * The value the agency accepted.
 */
acceptedValue: string | null,
/**
 * Why the agency rejected it.
 */
reason: string | null,
/**
 * A misuse report's entry in the access log.
 */
usageIndex: number | null,
/**
 * The person's explanation or comment.
 */
comment: string,
/**
 * The log index of the receipt for its last change.
 */
logIndex: number | null, };
export type CasesView = {
/**
 * The cases.
 */
cases: Array<CaseView>,
/**
 * Agencies that did not answer.
 */
problems: Array<CaseProblem>,
/**
 * When read (RFC 3339).
 */
asOf: string, };
export type CertFacts = {
/**
 * The subject (RFC 4514).
 */
subject: string,
/**
 * The issuer (RFC 4514).
 */
issuer: string,
/**
 * The serial number in upper-case hex.
 */
serial: string,
/**
 * notBefore (RFC 3339).
 */
notBefore: string,
/**
 * notAfter (RFC 3339).
 */
notAfter: string,
/**
 * Whether it is one of the trusted certificates given.
 */
trustAnchor: boolean, };
export type CertReport = {
/**
 * The verdict.
 */
indication: Indication,
/**
 * Why, unless TOTAL-PASSED.
 */
subIndication: SubIndication | null,
/**
 * The reasons, the deciding one first; empty when TOTAL-PASSED.
 */
reasons: Array<Reason>,
/**
 * Who the certificate belongs to.
 */
holder: Holder,
/**
 * The certificate, then its issuers up to the trust anchor (only the certificate when no
 * path was found).
 */
chain: Array<CertFacts>,
/**
 * What the certificate declares about its qualification.
 */
qualification: Qualification,
/**
 * The purpose the key usage was checked for.
 */
purpose: string,
/**
 * The time judged at (RFC 3339).
 */
validationTime: string,
/**
 * `present` when no time was asked (an expired certificate is then INDETERMINATE),
 * `asked` for `--at`.
 */
timeKind: string,
/**
 * The revocation status and where it came from.
 */
revocation: RevocationFacts,
/**
 * The trusted list used, when one was given.
 */
trustedList: TrustedListFacts | null, };
export type ChangeView = {
/**
 * The revision that made it (1-based).
 */
revision: number,
/**
 * `form-fill`, `annotation`, `signature`, `dss`, `document-timestamp`, `metadata`,
 * `content`, `other`.
 */
kind: string,
/**
 * Whether the policy allows it.
 */
allowed: boolean,
/**
 * The page, for a change of what a page shows.
 */
page: number | null,
/**
 * What changed, in words.
 */
detail: string,
/**
 * A form field's value before the change.
 */
oldValue: string | null,
/**
 * A form field's value after the change.
 */
newValue: string | null, };
export type Code = "INTERNAL" | "NOT_IMPLEMENTED" | "INVALID_INPUT" | "FILE_NOT_FOUND" | "IO" | "NETWORK" | "CANCELLED" | "CARD_UNAVAILABLE" | "CARD_REMOVED" | "CARD_UNSUPPORTED" | "PIN_INCORRECT" | "PIN_BLOCKED" | "CARD_NOT_ACTIVATED" | "INPUT_CHANGED";
export type ConsentView = {
/**
 * Its id at the node.
 */
id: string,
/**
 * The data set it is about (its id), or `None` for a category.
 */
dataSet: string | null,
/**
 * The category of data sets it is about, when it is about one.
 */
category: string | null,
/**
 * The recipient: a member organisation's code or a member category.
 */
recipient: string,
/**
 * Whether the recipient is a category ("any health-care provider").
 */
recipientIsCategory: boolean,
/**
 * For which purpose; any when absent.
 */
purpose: string | null,
/**
 * Permitted (true) or denied.
 */
permit: boolean,
/**
 * In force now.
 */
active: boolean,
/**
 * `active`, `withdrawn` or `expired`.
 */
status: string,
/**
 * From when (RFC 3339).
 */
validFrom: string,
/**
 * Until when (RFC 3339).
 */
validUntil: string | null,
/**
 * How many times it changed.
 */
changes: number, };
export type ConsentsView = {
/**
 * The agencies.
 */
agencies: Array<AgencyConsents>,
/**
 * When read (RFC 3339).
 */
asOf: string, };
export type DashboardView = {
/**
 * The agencies, in the order of the node list.
 */
agencies: Array<AgencyView>,
/**
 * When this was read (RFC 3339).
 */
asOf: string, };
export type DataFile = {
/**
 * Its name (path) in the container.
 */
name: string,
/**
 * Its media type as the manifest gives it (empty when the manifest does not list it).
 */
media_type: string,
/**
 * Its size in bytes.
 */
size: number, };
export type DataSetTermsView = {
/**
 * The data set's id.
 */
id: string,
/**
 * Served unless the person closes it (true), or refused unless the person opens it.
 */
openByDefault: boolean,
/**
 * A change needs the person's qualified signature.
 */
requiresSignature: boolean, };
export type DataSetView = {
/**
 * Its id.
 */
id: string,
/**
 * Its name.
 */
title: LocalizedText,
/**
 * The law it is kept under.
 */
legalBasis: string,
/**
 * How long it is kept.
 */
retention: string,
/**
 * When the person's data in it last changed (RFC 3339).
 */
lastChange: string | null,
/**
 * The person's records in it.
 */
records: Array<RecordView>, };
export type DocumentFacts = {
/**
 * The file's name (without its folder).
 */
name: string,
/**
 * The full path.
 */
path: string,
/**
 * Its size in bytes.
 */
size: number,
/**
 * The SHA-256 of its content, lower-case hex.
 */
sha256: string, };
export type DocumentFormat = "pdf" | "container";
export type EntryOutcome = "served" | "refusedByConsent" | "refusedByAuthorization" | "consentChanged" | "correctionRequested" | "correctionAccepted" | "correctionRejected" | "misuseReported" | "unknown";
export type ExtendOutcome = {
/**
 * Every document, in the order given.
 */
extended: Array<ExtendedFile>, };
export type ExtendedFile = {
/**
 * The document as given.
 */
file: string,
/**
 * What it is.
 */
format: DocumentFormat,
/**
 * The level asked for.
 */
level: BaselineLevel,
/**
 * The lowest level of its signatures, as validation of the result found it.
 */
reached: string | null,
/**
 * Whether the document was replaced (false: every signature was at the level already).
 */
written: boolean,
/**
 * Each signature.
 */
signatures: Array<ExtendedSignature>, };
export type ExtendedSignature = {
/**
 * Which signature: the container's signature entry (`META-INF/signatures0.xml`), or the
 * PDF's signature field (`Signature1`).
 */
name: string,
/**
 * A container signature's `Id`; none in a PDF.
 */
id: string | null,
/**
 * The level it had (`B-B` … `B-LTA`; `none` when it was at no baseline level).
 */
from: string,
/**
 * The level validation found in the document written.
 */
level: string | null,
/**
 * Whether Signet changed it (false: it was at the level asked for already).
 */
extended: boolean,
/**
 * The verdict on it in the document written.
 */
indication: Indication,
/**
 * When the archive time-stamp over it was made (B-LTA).
 */
archiveTimestampTime: string | null, };
export type FieldView = {
/**
 * The field's id in its data set (what a correction names); empty in a copy kept by an
 * older version.
 */
id: string,
/**
 * The field's name.
 */
title: LocalizedText,
/**
 * Its value as text.
 */
value: string, };
export type FileState = "sign" | "done" | "refused";
export type FiledCaseView = {
/**
 * The case.
 */
case: CaseView,
/**
 * The receipt's id.
 */
receipt: string,
/**
 * When the node recorded it (RFC 3339).
 */
time: string,
/**
 * Its index in the node's log.
 */
logIndex: number,
/**
 * The receipt verified: signed by the pinned receipt key, its entry included in a
 * checkpoint signed by the pinned log key.
 */
verified: boolean,
/**
 * Why the receipt is not kept in the vault (it was shown, and can be fetched again).
 */
notKept: string | null, };
export type FormatReason = "allPdf" | "notAllPdf" | "chosen";
export type Holder = {
/**
 * commonName.
 */
commonName: string | null,
/**
 * givenName.
 */
givenName: string | null,
/**
 * surname.
 */
surname: string | null,
/**
 * serialNumber (ETSI EN 319 412-1 semantics: `PNOEE-38001085718`).
 */
serialNumber: string | null,
/**
 * organizationName.
 */
organization: string | null,
/**
 * countryName.
 */
country: string | null, };
export type Indication = "TOTAL-PASSED" | "INDETERMINATE" | "TOTAL-FAILED";
export type InputKind = "pdf" | "container" | "other";
export type JobEvent = { "type": "phase",
/**
 * The step.
 */
phase: Phase,
/**
 * The file's name.
 */
file: string | null,
/**
 * Which file of how many.
 */
position: Position | null, } | { "type": "pinRequest" } & PinRequest | { "type": "batch" } & BatchEvent | { "type": "waitingForCard" };
export type ListFacts = {
/**
 * SchemeTerritory (`EU` for the LOTL).
 */
territory: string,
/**
 * TSLSequenceNumber.
 */
sequenceNumber: number,
/**
 * ListIssueDateTime (RFC 3339).
 */
issued: string,
/**
 * NextUpdate (RFC 3339); `null` when the scheme has ceased.
 */
nextUpdate: string | null,
/**
 * Whether now is before NextUpdate.
 */
fresh: boolean,
/**
 * Where the list is published.
 */
location: string, };
export type LocalizedText = {
/**
 * Estonian.
 */
et: string,
/**
 * English.
 */
en: string,
/**
 * Russian.
 */
ru: string, };
export type LogProblem = { "kind": "historyRewritten",
/**
 * The log's origin.
 */
log: string,
/**
 * The size the person stored.
 */
oldSize: number,
/**
 * The size the node shows now.
 */
newSize: number,
/**
 * The whole explanation.
 */
message: string, } | { "kind": "untrustedCheckpoint",
/**
 * The log's origin.
 */
log: string,
/**
 * The whole explanation.
 */
message: string, } | { "kind": "notIncluded",
/**
 * The log's origin.
 */
log: string,
/**
 * The entry's index.
 */
index: number,
/**
 * The whole explanation.
 */
message: string, };
export type MessageKey = "general" | "pinIncorrect" | "pinBlocked" | "pukBlocked" | "pinPadTimeout" | "pinPadCancelled" | "cardRemoved" | "noReader" | "noCard" | "serviceNotRunning" | "cardInUse" | "severalCards" | "unsupportedCard" | "cardNotActivated" | "certificateExpired" | "fileNotFound" | "fileUnreadable" | "notAPdf" | "outputExists" | "inputChanged" | "timestampFailed" | "revocationFailed" | "nodeUnreachable";
export type OptionalBackend = {
/**
 * The feature name: `pcsc`, `pkcs11`, `soft`.
 */
name: string,
/**
 * Whether this build includes it.
 */
compiled: boolean, };
export type PageSize = {
/**
 * Width.
 */
width: number,
/**
 * Height.
 */
height: number, };
export type PassphraseProblem = "wrong" | "tooShort";
export type PassphrasePrompt = {
/**
 * Which request this is, for the answer.
 */
id: number,
/**
 * There is no vault yet: a new passphrase is chosen (typed twice).
 */
new: boolean,
/**
 * What was wrong with the last answer, on a second or third ask.
 */
again: PassphraseProblem | null, };
export type PersonSettings = {
/**
 * The time-stamping service's address (`https://…`).
 */
tsaUrl: string | null,
/**
 * The level to sign at.
 */
level: BaselineLevel | null,
/**
 * The signing device: `pcsc`, `pkcs11:MODULE` or `p12:FILE`.
 */
token: string | null,
/**
 * Use the reader's PIN pad when it has one (the PIN is typed on the reader, never on the
 * computer); unset means yes. `false` takes every PIN from the keyboard, for a reader whose
 * pad misbehaves.
 */
pinPad?: boolean | null, };
export type Phase = "reading" | "hashing" | "waitingForPin" | "signing" | "timestamp" | "revocation" | "writing" | "verifying";
export type PinAction = "changed" | "unblocked";
export type PinChange = {
/**
 * `PIN1`, `PIN2` or `PUK`.
 */
pin: string,
/**
 * What was done.
 */
action: PinAction, };
export type PinRequest = {
/**
 * Answer with this id ([`JobHandle::answer`]).
 */
id: number,
/**
 * Which secret.
 */
secret: SecretKind,
/**
 * Tries left before it blocks, when the card says.
 */
triesLeft: number | null,
/**
 * The previous answer was wrong: this asks again.
 */
retry: boolean,
/**
 * The signer, as a person reads the name ("Mari Tamm (38001085718)").
 */
signer: string | null,
/**
 * What the signature will cover (empty for a login).
 */
documents: Array<DocumentFacts>,
/**
 * In a batch: which signature of how many.
 */
position: Position | null,
/**
 * The reader has a PIN pad: the person types on it; answer with no PIN.
 */
pinPad: boolean,
/**
 * A new value is asked (changing or unblocking a PIN), not the current one.
 */
newValue: boolean, };
export type PlannedFile = {
/**
 * The input, as given.
 */
input: string,
/**
 * The output path.
 */
output: string,
/**
 * The format.
 */
format: BatchFormat,
/**
 * The input's size in bytes.
 */
size: number,
/**
 * Its SHA-256, hex.
 */
inputSha256: string,
/**
 * Sign, done already, or refused.
 */
state: FileState,
/**
 * Why it is refused.
 */
error: ApiError | null, };
export type Position = {
/**
 * 1-based.
 */
n: number,
/**
 * The total.
 */
of: number, };
export type ProposedFile = {
/**
 * Name, path, size, SHA-256.
 */
facts: DocumentFacts,
/**
 * What it is, by its content.
 */
kind: InputKind,
/**
 * A PDF's pages (where a visible signature may go); empty for other files.
 */
pages: Array<PageSize>, };
export type Qualification = {
/**
 * QcCompliance: issued as a qualified certificate.
 */
qcCompliance: boolean,
/**
 * QcSSCD: the key is in a qualified signature or seal creation device.
 */
qscd: boolean,
/**
 * QcType: `esign`, `eseal`, `web`, or the OID.
 */
types: Array<string>,
/**
 * Where this comes from: `certificate` (its own statements), or `trusted list` when the
 * issuer is a qualified CA/QC service of the trusted list given at the validation time.
 */
source: string,
/**
 * The trusted list's service for the issuer: its type, status, name and provider.
 */
service: string | null,
/**
 * The trusted-list qualifiers that applied (QCWithQSCD, NotQualified, …).
 */
qualifiers: Array<string>,
/**
 * False when the list leaves the qualification undecided (conflicting qualifiers, criteria
 * Signet cannot evaluate); `qcCompliance` and `qscd` are then not to be relied on.
 */
determinable: boolean,
/**
 * One line for people.
 */
summary: string, };
export type Reason = {
/**
 * The indication this reason leads to.
 */
indication: Indication,
/**
 * The sub-indication.
 */
subIndication: SubIndication,
/**
 * The reason in English, with its values.
 */
message: string, };
export type ReceiptView = {
/**
 * The node.
 */
node: string,
/**
 * The receipt's id.
 */
id: string,
/**
 * When the change was made (RFC 3339).
 */
time: string,
/**
 * What changed (`granted`, `restricted`, `withdrawn`…).
 */
change: string,
/**
 * The change's index in the node's log.
 */
logIndex: number,
/**
 * The receipt verified: signed by the pinned receipt key, its entry included in a
 * checkpoint signed by the pinned log key.
 */
verified: boolean,
/**
 * The record after the change.
 */
consent: ConsentView, };
export type RecordView = {
/**
 * The record's id within its data set.
 */
id: string,
/**
 * When it last changed (RFC 3339).
 */
updated: string,
/**
 * Its fields.
 */
fields: Array<FieldView>, };
export type ReportFormat = "pdf" | "json";
export type ReportLanguage = "et" | "en" | "ru";
export type RevocationFacts = {
/**
 * `ocsp`, `offline` or `not-checked`.
 */
mode: string,
/**
 * `good`, `revoked`, `unknown`, or `null` when no answer was had.
 */
status: string | null,
/**
 * revocationTime, when revoked (RFC 3339).
 */
revokedAt: string | null,
/**
 * The reason code, when revoked and given.
 */
reason: string | null,
/**
 * producedAt of the OCSP answer.
 */
producedAt: string | null,
/**
 * thisUpdate of the OCSP answer.
 */
thisUpdate: string | null,
/**
 * Who signed the answer: `issuing CA` or the delegated responder's subject.
 */
responder: string | null,
/**
 * The CA certificates below the trust anchor, judged by their issuer's CRL (issuing CA
 * first); empty when none was checked.
 */
caCrls: Array<CaCrlFacts>, };
export type SecretKind = "pin1" | "pin2" | "puk" | "password";
export type SignFormat = "pades" | "asice";
export type SignOutcome = {
/**
 * The format used.
 */
format: SignFormat,
/**
 * The signer, as a person reads the name.
 */
signer: string,
/**
 * The signer's certificate subject, in full (RFC 4514).
 */
signerSubject: string,
/**
 * Every output.
 */
outputs: Array<SignedOutput>, };
export type SignProposal = {
/**
 * The format.
 */
format: SignFormat,
/**
 * Why.
 */
reason: FormatReason,
/**
 * The files.
 */
files: Array<ProposedFile>,
/**
 * The outputs that would be written.
 */
outputs: Array<string>,
/**
 * Outputs that exist already (never replaced without the person's word).
 */
existing: Array<string>,
/**
 * The level, by the settings' precedence.
 */
level: BaselineLevel,
/**
 * The signing device, as the settings name it (`pcsc`, `p12:FILE`…).
 */
token: string, };
export type SignatureView = {
/**
 * `signature` or `documentTimestamp`.
 */
kind: string,
/**
 * Which signature: the PDF's signature field (`Signature1`), or the container's signature
 * entry (`META-INF/signatures0.xml`).
 */
name: string,
/**
 * A container signature's `Id` (`S0`); none in a PDF.
 */
id: string | null,
/**
 * The verdict.
 */
verdict: Verdict,
/**
 * EN 319 102-1 indication.
 */
indication: Indication,
/**
 * Its sub-indication, when not passed.
 */
subIndication: string | null,
/**
 * The signer, as a person reads the name ("Mari Tamm (38001085718)").
 */
signer: string | null,
/**
 * The signer certificate's full subject.
 */
signerSubject: string | null,
/**
 * The signer certificate's issuer, in full, when the format gives it (PDF).
 */
signerIssuer: string | null,
/**
 * The time the signer claims (RFC 3339).
 */
claimedTime: string | null,
/**
 * The time proven by a time-stamp (RFC 3339).
 */
provenTime: string | null,
/**
 * Who time-stamped it.
 */
timestampAuthority: string | null,
/**
 * When the archive time-stamp over it was made (a container's B-LTA; RFC 3339).
 */
archiveTime: string | null,
/**
 * The level reached (`B-B` … `B-LTA`, `LT-TM`).
 */
level: string | null,
/**
 * `QES`, `AdES/QC` or `AdES`, when known.
 */
qualification: string | null,
/**
 * The trusted list's service that issued the signer's certificate, when a list was used.
 */
trustService: string | null,
/**
 * Why it was signed (a PDF's `/Reason`).
 */
reason: string | null,
/**
 * Where it was signed (a PDF's `/Location`).
 */
location: string | null,
/**
 * The certificate path, signer first (subjects).
 */
chain: Array<string>,
/**
 * Revocation data, in words.
 */
revocation: Array<string>,
/**
 * The data files of a container it covers (their references verified); empty in a PDF,
 * where a signature covers its revision.
 */
covers: Array<string>,
/**
 * Changes after it (PDF).
 */
changes: Array<ChangeView>,
/**
 * What failed.
 */
errors: Array<string>,
/**
 * Remarks.
 */
warnings: Array<string>,
/**
 * For a PDF signature: the length of the file as it was signed (what its byte range
 * covers); shorter than the file when later revisions followed.
 */
signedLength: number | null, };
export type SignedOutput = {
/**
 * The file written.
 */
output: string,
/**
 * The inputs it signs.
 */
inputs: Array<string>,
/**
 * The level the output validates at (never only the level asked for).
 */
level: BaselineLevel,
/**
 * Pre-sign warnings (hidden content a later revision could reveal…).
 */
warnings: Array<string>,
/**
 * ASiC-E: the signature's entry in the container (`META-INF/signatures0.xml`).
 */
signature: string | null, };
export type SignerInfo = {
/**
 * The subject.
 */
subject: string,
/**
 * The issuer.
 */
issuer: string,
/**
 * Valid from (RFC 3339).
 */
notBefore: string,
/**
 * Valid until (RFC 3339).
 */
notAfter: string,
/**
 * Whether it is valid now.
 */
validNow: boolean, };
export type SubIndication = "FORMAT_FAILURE" | "HASH_FAILURE" | "SIG_CRYPTO_FAILURE" | "REVOKED" | "EXPIRED" | "NOT_YET_VALID" | "SIG_CONSTRAINTS_FAILURE" | "CHAIN_CONSTRAINTS_FAILURE" | "CERTIFICATE_CHAIN_GENERAL_FAILURE" | "CRYPTO_CONSTRAINTS_FAILURE" | "CRYPTO_CONSTRAINTS_FAILURE_NO_POE" | "POLICY_PROCESSING_ERROR" | "SIGNATURE_POLICY_NOT_AVAILABLE" | "TIMESTAMP_ORDER_FAILURE" | "NO_SIGNING_CERTIFICATE_FOUND" | "NO_CERTIFICATE_CHAIN_FOUND" | "REVOKED_NO_POE" | "REVOKED_CA_NO_POE" | "OUT_OF_BOUNDS_NO_POE" | "OUT_OF_BOUNDS_NOT_REVOKED" | "NO_POE" | "TRY_LATER" | "SIGNED_DATA_NOT_FOUND";
export type TrustData = {
/**
 * The list's territory (`EE`, `EU`).
 */
territory: string,
/**
 * When it was issued (RFC 3339).
 */
issued: string,
/**
 * When its next issue is due (RFC 3339); a list past it is out of date.
 */
nextUpdate: string | null, };
export type TrustStatus = {
/**
 * The folder of the cached lists.
 */
dir: string,
/**
 * Each list whose cached copy verifies, the LOTL first.
 */
lists: Array<ListFacts>,
/**
 * Missing data, refused cached copies, expired lists.
 */
warnings: Array<string>, };
export type TrustUpdate = {
/**
 * The lists whose downloaded copy was good and is now in use (`EU` for the LOTL).
 */
updated: Array<string>,
/**
 * The lists refused, each with why and which copy stays in use.
 */
warnings: Array<string>,
/**
 * The state after the update.
 */
status: TrustStatus, };
export type TrustedListFacts = {
/**
 * SchemeTerritory.
 */
territory: string,
/**
 * TSLSequenceNumber.
 */
sequenceNumber: number,
/**
 * ListIssueDateTime (RFC 3339).
 */
issued: string,
/**
 * NextUpdate (RFC 3339), when given.
 */
nextUpdate: string | null,
/**
 * Whether the validation time is before NextUpdate; a stale list gives no anchors.
 */
fresh: boolean,
/**
 * How many services were anchors at the validation time.
 */
anchors: number, };
export type Verdict = "valid" | "validWithWarnings" | "cannotTell" | "notValid";
export type VerifiedFile = {
/**
 * The path.
 */
path: string,
/**
 * The file's name.
 */
name: string,
/**
 * What it is.
 */
format: DocumentFormat,
/**
 * The verdict on the whole file: its worst signature's, or not valid with no signature.
 */
verdict: Verdict,
/**
 * The EN 319 102-1 indication of the whole file: its worst signature's; TOTAL-FAILED when
 * it cannot be read as a signed document or was modified after signing (a PDF), or is
 * refused (a container); INDETERMINATE for a container without a signature.
 */
indication: Indication,
/**
 * File-level problems (unreadable, refused container, bytes after the last revision).
 */
problems: Array<string>,
/**
 * Signatures a later revision removed.
 */
removedSignatures: Array<string>,
/**
 * The files a container holds.
 */
dataFiles: Array<string>,
/**
 * Each signature.
 */
signatures: Array<SignatureView>, };
export type VerifiedFiles = {
/**
 * The files, in the order given.
 */
files: Array<VerifiedFile>,
/**
 * The trusted list used, when one was.
 */
trustData: TrustData | null,
/**
 * The validation time (RFC 3339).
 */
validationTime: string, };
