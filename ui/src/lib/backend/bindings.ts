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
 * What was done, in the node's own words.
 */
action: string | null,
/**
 * The data sets the query released, by their ids at that agency (its holdings name them).
 */
dataSets: Array<string>,
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
outcome: EntryOutcome,
/**
 * The agency served it before, with a valid proof, and no longer does: it is shown from
 * the vault's copy, with an alarm.
 */
removed: boolean, };
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
export type AlarmKind = "proofFailed" | "historyRewritten" | "logShrunk" | "twoCheckpoints" | "untrustedCheckpoint" | "entryRemoved";
export type AlarmView = {
/**
 * Its id (for dismissing it and saving its evidence).
 */
id: string,
/**
 * The node whose log raised it.
 */
node: string,
/**
 * The agency.
 */
agency: string,
/**
 * What it is about.
 */
kind: AlarmKind,
/**
 * When it was raised (RFC 3339).
 */
raisedAt: string,
/**
 * What happened, in English (the window says it in its language by `kind`).
 */
message: string,
/**
 * How many signed checkpoints are kept as evidence.
 */
checkpoints: number,
/**
 * The entry no longer served, for [`AlarmKind::EntryRemoved`].
 */
entry: AccessEntryView | null, };
export type AnyReceipt = SignedReceipt | SignedCaseReceipt;
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
export type BatchEvent = { "event": "plan" } & BatchPlan | { "event": "signer" } & SignerInfo | { "event": "signed",
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
 * The level the output validates at (found by validating it: the level asked for or
 * above).
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
 * Its output: nothing written there, unless `reached` is given.
 */
output: string,
/**
 * Signed, but the output validates below the level asked for: the level it reached.
 * The output stays (a complete signature at that level) and the journal records it.
 */
reached?: BaselineLevel,
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
export type Case = { "correction": Correction } | { "misuseReport": MisuseReport };
export type CaseChange = "filed" | "accepted" | "rejected";
export type CaseEvent = {
/**
 * When.
 */
time: Timestamp,
/**
 * What.
 */
change: CaseChange,
/**
 * SHA-256 of the person's request body, base64 (for [`CaseChange::Filed`]).
 */
requestHash?: string,
/**
 * The index of the log entry recording the change.
 */
logIndex: number, };
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
export type CaseReceipt = {
/**
 * The receipt's identifier.
 */
id: string,
/**
 * The node's log origin.
 */
node: string,
/**
 * When the change was made.
 */
time: Timestamp,
/**
 * The person the case is about.
 */
subject: PersonCode,
/**
 * What changed.
 */
change: CaseChange,
/**
 * The case after the change.
 */
case: Case,
/**
 * SHA-256 of the person's request body, base64 (for [`CaseChange::Filed`]).
 */
requestHash?: string,
/**
 * The log index of the change's entry.
 */
logIndex: number,
/**
 * The change's log entry.
 */
entry: UsageEntry,
/**
 * Its salt, base64.
 */
salt: string,
/**
 * The signed checkpoint the proof is against.
 */
checkpoint: string,
/**
 * The RFC 9162 inclusion proof of `log_index` in that checkpoint's tree.
 */
inclusionProof: Array<Hash>, };
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
export type ChangeKind = "granted" | "restricted" | "withdrawn";
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
export type ConsentChangeView = {
/**
 * The agency's node.
 */
node: string,
/**
 * The consent (or refusal) is switched on (given again) or off (withdrawn).
 */
on: boolean,
/**
 * The consent as the agency holds it now.
 */
consent: ConsentView, };
export type ConsentEvent = {
/**
 * When.
 */
time: Timestamp,
/**
 * What.
 */
change: ChangeKind,
/**
 * SHA-256 of the person's request body, base64.
 */
requestHash: string,
/**
 * The index of the log entry recording the change.
 */
logIndex: number, };
export type ConsentList = {
/**
 * The node.
 */
node: string,
/**
 * Whose consents (the person, or someone they represent).
 */
subject: PersonCode,
/**
 * The records, with their status now.
 */
consents: Array<ConsentRecord>,
/**
 * The node's data sets: their default and whether a change needs a signature.
 */
dataSets: Array<DataSetTerms>,
/**
 * The member organisations the node knows, by name (to show recipients as people read
 * them); empty from a node that does not say.
 */
members: Array<MemberName>, };
export type ConsentReceipt = {
/**
 * The node.
 */
node: string,
/**
 * The idempotency key the change was sent with (send it again to get the same receipt).
 */
idempotencyKey: string,
/**
 * Whether the receipt verified (always true: one that does not is an error).
 */
verified: boolean,
/**
 * Whether the record and its receipt are kept in the encrypted vault.
 */
receiptKept: boolean,
/**
 * Why not, and what to do (only when `receipt_kept` is false).
 */
receiptNotKept?: string,
/**
 * The receipt.
 */
receipt: SignedReceipt, };
export type ConsentReceipts = {
/**
 * The node.
 */
node: string,
/**
 * Whether every receipt verified (always true: one that does not is an error).
 */
verified: boolean,
/**
 * The receipts, in log order.
 */
receipts: Array<SignedReceipt>, };
export type ConsentRecord = {
/**
 * The record's identifier; usage entries of queries it decided name it.
 */
id: string,
/**
 * The person.
 */
subject: PersonCode,
/**
 * The data provider: the node's X-Road service provider.
 */
provider: string,
/**
 * Which data.
 */
scope: Scope,
/**
 * Who receives.
 */
recipient: Recipient,
/**
 * For which purpose (the query's `X-Road-PDU-Purpose`); `None` for any.
 */
purpose?: string,
/**
 * The legal basis the person relies on (GDPR Art. 6(1)(a) consent, by default).
 */
legalBasis?: string,
/**
 * From when.
 */
validFrom: Timestamp,
/**
 * Until when; `None` until withdrawn.
 */
validUntil?: Timestamp,
/**
 * Permit or deny.
 */
decision: Decision,
/**
 * Active or withdrawn as stored ([`Self::status_at`] adds expiry).
 */
status: ConsentStatus,
/**
 * The changes, oldest first.
 */
history: Array<ConsentEvent>, };
export type ConsentStatus = "active" | "withdrawn" | "expired";
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
 * The recipient's member id as the consent names it (`EE/COM/10137319/hambaravi`), when
 * it is a member: what a signed change holds.
 */
recipientCode: string | null,
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
export type Correction = {
/**
 * The correction's identifier.
 */
id: string,
/**
 * The person whose record it is.
 */
subject: PersonCode,
/**
 * The agency: the node's X-Road service provider.
 */
provider: string,
/**
 * The record's data set.
 */
dataSet: string,
/**
 * The record's id.
 */
record: string,
/**
 * The field.
 */
field: string,
/**
 * The value the record held when the person asked; `None` when the field was empty.
 */
currentValue?: FieldValue,
/**
 * The value the person proposed.
 */
proposedValue: string,
/**
 * The person's explanation.
 */
explanation: string,
/**
 * Pending, accepted or rejected.
 */
status: CorrectionStatus,
/**
 * When accepted: the value the agency holds now (the proposed one, or the agency's own).
 */
acceptedValue?: string,
/**
 * When accepted: whether the record itself now holds that value. `false` when the node's
 * data model cannot hold it in the field (a classifier code without its label, a value of
 * another kind): then the accepted value is recorded here only.
 */
recordUpdated?: boolean,
/**
 * When rejected: why.
 */
reason?: string,
/**
 * The changes, oldest first.
 */
history: Array<CaseEvent>, };
export type CorrectionList = {
/**
 * The node.
 */
node: string,
/**
 * Whose corrections (the person, or someone they represent).
 */
subject: PersonCode,
/**
 * The corrections, with their status now.
 */
corrections: Array<Correction>,
/**
 * The receipts for filing them and for the agency's decisions, in log order, verified.
 */
receipts: Array<SignedCaseReceipt>,
/**
 * Why the receipts are not kept in the vault, and what to do (absent when they are).
 */
receiptsNotKept?: string, };
export type CorrectionStatus = "pending" | "accepted" | "rejected";
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
export type DataSet = {
/**
 * The identifier, unique within the agency.
 */
id: string,
/**
 * What it is called.
 */
title: Localized,
/**
 * Categories of data (e.g. `health`, `address`), for notification settings and EHDS.
 */
categories: Array<string>,
/**
 * The fields.
 */
fields: Array<Field>,
/**
 * When the person's data in it last changed (set per person in [`Holdings`]).
 */
lastChange?: Timestamp,
/**
 * The statute that allows the agency to hold it, in each language (a plain string, from
 * a node that has it in one language, is read as that text in each).
 */
legalBasis: Localized,
/**
 * How long it is kept, in words ("10 years after the last visit"), in each language.
 */
retention: Localized, };
export type DataSetTerms = {
/**
 * The data set.
 */
id: string,
/**
 * `open` (served unless you close it) or `closed` (refused unless you open it).
 */
default: string,
/**
 * Whether a change must carry your qualified signature.
 */
consentRequiresSignature: boolean, };
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
 * The law it is kept under, in each language the node offers it in.
 */
legalBasis: LocalizedText,
/**
 * How long it is kept, in each language.
 */
retention: LocalizedText,
/**
 * When the person's data in it last changed (RFC 3339).
 */
lastChange: string | null,
/**
 * The person's records in it.
 */
records: Array<RecordView>, };
export type Decision = "permit" | "deny";
export type Destination = "sign" | "verify" | "batch";
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
export type Field = {
/**
 * The field's identifier within its data set.
 */
id: string,
/**
 * What it is called.
 */
title: Localized,
/**
 * What it holds.
 */
kind: FieldKind, };
export type FieldKind = "text" | "date" | "dateTime" | "integer" | "boolean" | "code";
export type FieldValue = { "kind": "text", "value": string } | { "kind": "date", "value": string } | { "kind": "dateTime", "value": Timestamp } | { "kind": "integer", "value": number } | { "kind": "boolean", "value": boolean } | { "kind": "code", "value": {
/**
 * The code.
 */
code: string,
/**
 * Its label.
 */
label: string, } };
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
 * Its value as text (a date `YYYY-MM-DD`, a time RFC 3339: the window writes them in its
 * language).
 */
value: string,
/**
 * What kind of value it is; absent in a copy kept by an older version.
 */
kind: FieldKind | null, };
export type FileState = "sign" | "done" | "refused";
export type FiledCase = {
/**
 * The node.
 */
node: string,
/**
 * The idempotency key it was sent with (send it again to get the same receipt).
 */
idempotencyKey: string,
/**
 * Whether the receipt verified (always true: one that does not is an error).
 */
verified: boolean,
/**
 * Whether the receipt is kept in the encrypted vault.
 */
receiptKept: boolean,
/**
 * Why not, and what to do (only when `receipt_kept` is false).
 */
receiptNotKept?: string,
/**
 * The receipt.
 */
receipt: SignedCaseReceipt, };
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
export type Hash = string;
export type HeldRecord = {
/**
 * The data set.
 */
dataSet: string,
/**
 * The record's identifier within the data set.
 */
id: string,
/**
 * When it last changed.
 */
updated: Timestamp,
/**
 * The values by field id.
 */
values: { [key in string]?: FieldValue }, };
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
export type Holdings = {
/**
 * The agency's name.
 */
agency: string,
/**
 * The data sets that hold something about the person.
 */
dataSets: Array<DataSet>,
/**
 * The records.
 */
records: Array<HeldRecord>, };
export type Indication = "TOTAL-PASSED" | "INDETERMINATE" | "TOTAL-FAILED";
export type InitiatorPerson = {
/**
 * The personal code, `EE…`.
 */
code?: string,
/**
 * A badge or service number, or a foreign identifier.
 */
alternativeCode?: string,
/**
 * The name.
 */
name?: string, };
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
export type KeptReceipt = {
/**
 * The node that gave it.
 */
node: string,
/**
 * `consent`, `correction` or `misuseReport`.
 */
kind: string,
/**
 * What it records: `granted`, `restricted`, `withdrawn` (a consent); `filed`, `accepted`,
 * `rejected` (a case).
 */
change: string,
/**
 * The consent's or the case's id.
 */
reference: string,
/**
 * When the change was made.
 */
time: Timestamp,
/**
 * The log index of the change's entry.
 */
logIndex: number,
/**
 * The receipt.
 */
receipt: AnyReceipt, };
export type KeptReceipts = {
/**
 * Whether every receipt verified (always true: one that does not is an error).
 */
verified: boolean,
/**
 * The receipts, by node (in the order of the list of nodes) and log index.
 */
receipts: Array<KeptReceipt>, };
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
export type ListeningAgency = {
/**
 * Its node's address.
 */
node: string,
/**
 * Its name.
 */
name: string,
/**
 * How its uses are told.
 */
mode: NotifyMode, };
export type Localized = {
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
export type LoginSummary = {
/**
 * The node.
 */
node: string,
/**
 * The person's name as the node read it from the certificate.
 */
name: string,
/**
 * When the session ends.
 */
expiresAt: Timestamp,
/**
 * Whether the session is kept (in the encrypted vault) for the next data commands.
 */
sessionKept: boolean,
/**
 * When it is not kept: why, and what to do.
 */
sessionNotKept?: string, };
export type MemberName = {
/**
 * `EE/COM/10137319`.
 */
id: string,
/**
 * `Tähe Hambakliinik OÜ`.
 */
name: string, };
export type MessageKey = "general" | "pinIncorrect" | "pinBlocked" | "pukBlocked" | "pinPadTimeout" | "pinPadCancelled" | "cardRemoved" | "noReader" | "noCard" | "serviceNotRunning" | "cardInUse" | "severalCards" | "unsupportedCard" | "cardNotActivated" | "certificateExpired" | "fileNotFound" | "fileUnreadable" | "notAPdf" | "outputExists" | "inputChanged" | "changedSinceVerified" | "changedWhileVerified" | "timestampFailed" | "revocationFailed" | "nodeUnreachable";
export type MisuseReport = {
/**
 * The report's identifier.
 */
id: string,
/**
 * The person whose entry it is.
 */
subject: PersonCode,
/**
 * The agency: the node's X-Road service provider.
 */
provider: string,
/**
 * The log index of the usage entry reported.
 */
usageIndex: number,
/**
 * The person's comment.
 */
comment: string,
/**
 * When it was filed.
 */
time: Timestamp,
/**
 * The changes (its filing), oldest first.
 */
history: Array<CaseEvent>, };
export type MisuseReportList = {
/**
 * The node.
 */
node: string,
/**
 * Whose reports.
 */
subject: PersonCode,
/**
 * The reports.
 */
reports: Array<MisuseReport>,
/**
 * Their receipts, in log order, verified.
 */
receipts: Array<SignedCaseReceipt>,
/**
 * Why the receipts are not kept in the vault, and what to do (absent when they are).
 */
receiptsNotKept?: string, };
export type NotifyMode = "everyQuery" | "dailyDigest" | "off";
export type OptionalBackend = {
/**
 * The feature name: `pcsc`, `pkcs11`, `soft`.
 */
name: string,
/**
 * Whether this build includes it.
 */
compiled: boolean, };
export type OrgType = "GOV" | "COM" | "NGO" | "NEE";
export type Organization = {
/**
 * GOV, COM, NGO or NEE.
 */
type: OrgType,
/**
 * The registry code, eight digits.
 */
code: string,
/**
 * The name.
 */
name: string,
/**
 * The information system that made or answered the query.
 */
systemName?: string, };
export type Outcome = { "result": "served" } | { "result": "refusedByConsent",
/**
 * The rule (the person's consent or denial, or the data set's default) that
 * refused it.
 */
rule: string, } | { "result": "refusedByAuthorization",
/**
 * The rule of the node's configuration that refused it.
 */
rule: string, } | { "result": "consentChanged",
/**
 * What changed.
 */
change: ChangeKind,
/**
 * SHA-256 of the person's request, base64.
 */
requestHash: string, } | { "result": "correctionRequested",
/**
 * The correction's id.
 */
correction: string,
/**
 * SHA-256 of the person's request, base64.
 */
requestHash: string, } | { "result": "correctionAccepted",
/**
 * The correction's id.
 */
correction: string,
/**
 * The value the agency holds now.
 */
value: string, } | { "result": "correctionRejected",
/**
 * The correction's id.
 */
correction: string,
/**
 * Why.
 */
reason: string, } | { "result": "misuseReported",
/**
 * The report's id.
 */
report: string,
/**
 * The log index of the entry reported.
 */
usageIndex: number,
/**
 * SHA-256 of the person's request, base64.
 */
requestHash: string, };
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
export type PersonCode = string;
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
 * The folder signed files are saved in (an absolute path); none: next to the original.
 * Signing ([`crate::signing::propose`]) and batches ([`crate::batching::plan`]) write
 * there unless the request names its own output; an existing file is still never replaced
 * without the person's word.
 */
outputDir: string | null,
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
newValue: boolean,
/**
 * The change of consent the signature makes, in words the window renders (the consent as
 * the agency holds it now, and whether it is switched on or off), when PIN2 signs one:
 * `documents` names only its file.
 */
consentChange: ConsentChangeView | null, };
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
export type ProcessingType = "DATA_REQUEST" | "DATA_RESPONSE" | "DATA_PROCESSING" | "INTERNAL_PROCESSING";
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
export type Receipt = {
/**
 * The receipt's identifier.
 */
id: string,
/**
 * The node's log origin.
 */
node: string,
/**
 * When the change was made.
 */
time: Timestamp,
/**
 * The person whose consent changed.
 */
subject: PersonCode,
/**
 * What changed.
 */
change: ChangeKind,
/**
 * The record after the change.
 */
consent: ConsentRecord,
/**
 * SHA-256 of the request body, base64.
 */
requestHash: string,
/**
 * The log index of the change's entry.
 */
logIndex: number,
/**
 * The change's log entry.
 */
entry: UsageEntry,
/**
 * Its salt, base64.
 */
salt: string,
/**
 * The signed checkpoint the proof is against.
 */
checkpoint: string,
/**
 * The RFC 9162 inclusion proof of `log_index` in that checkpoint's tree.
 */
inclusionProof: Array<Hash>, };
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
export type Recipient = { "member": string } | { "category": string };
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
export type ReleasedData = {
/**
 * The data set (see [`crate::holdings::DataSet::id`]).
 */
dataSet: string,
/**
 * The fields released; empty when nothing was.
 */
fields: Array<string>, };
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
export type Routed = {
/**
 * The path, as given.
 */
path: string,
/**
 * Where it goes.
 */
destination: Destination, };
export type Scope = { "dataSet": string } | { "category": string };
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
export type SignedCaseReceipt = {
/**
 * The receipt.
 */
receipt: CaseReceipt,
/**
 * The C2SP signed note over it.
 */
signedNote: string, };
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
export type SignedReceipt = {
/**
 * The receipt.
 */
receipt: Receipt,
/**
 * The C2SP signed note over it.
 */
signedNote: string, };
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
export type Timestamp = string;
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
export type UsageEntry = {
/**
 * The person whose data was used (the data subject).
 */
subject: PersonCode,
/**
 * `logTime`: when it happened.
 */
logTime: Timestamp,
/**
 * `action` (v1/v2): a short description of what was done, e.g. "Isiku ees- ja perenime päring".
 */
action: string,
/**
 * `purpose` (v3): why.
 */
purpose: string,
/**
 * The receiver of the data (v2 `receiverCode`, `receiverName`, `receiverSystem`).
 */
receiver: Organization,
/**
 * `initiatorOrg` (v3): the organisation that initiated the query.
 */
initiatorOrg?: Organization,
/**
 * `initiatorPerson` (v3): the official.
 */
initiatorPerson?: InitiatorPerson,
/**
 * `legalBasis` (v3), e.g. "Tervise infosüsteemi põhimäärus (§nn)".
 */
legalBasis?: string,
/**
 * `consentReference` (v3): the consent the processing relied on.
 */
consentReference?: string,
/**
 * `queryId` (v3): the X-Road message id (`X-Road-Id`).
 */
queryId?: string,
/**
 * `queryGroupId` (v3): the case (`X-Road-Issue`).
 */
queryGroupId?: string,
/**
 * `bulkProcessing` (v3).
 */
bulkProcessing: boolean,
/**
 * `processingType` (v3).
 */
processingType: ProcessingType,
/**
 * `logSourceSystem` (v3).
 */
logSourceSystem?: string,
/**
 * `hiddenReason` (v3).
 */
hiddenReason?: string,
/**
 * `hiddenUntil` (v3).
 */
hiddenUntil?: Timestamp,
/**
 * Which data sets and fields were released (beyond the Data Tracker).
 */
released: Array<ReleasedData>,
/**
 * Served, or refused by a consent rule (beyond the Data Tracker).
 */
outcome: Outcome, };
export type UsageReport = {
/**
 * The node.
 */
node: string,
/**
 * The log's origin line.
 */
log: string,
/**
 * The size of the checkpoint stored before this visit; `None` on the first visit.
 */
previousSize: number | null,
/**
 * The size of the checkpoint verified and stored now.
 */
size: number,
/**
 * Its root hash, base64.
 */
rootHash: Hash,
/**
 * Whether this was the first visit (nothing to be consistent with yet).
 */
firstVisit: boolean,
/**
 * The person's entries, each with its inclusion proof verified.
 */
entries: Array<VerifiedEntry>, };
export type VaultImported = {
/**
 * Records imported, all tables together.
 */
records: number,
/**
 * Alarms raised because an agency's log had shown the exporting computer another history
 * than this one (two checkpoints signed for one size with different contents).
 */
alarms: number, };
export type Verdict = "valid" | "validWithWarnings" | "cannotTell" | "notValid";
export type VerifiedEntry = {
/**
 * Its index in the node's log.
 */
index: number,
/**
 * The entry.
 */
entry: UsageEntry,
/**
 * For an entry that was hidden from the person: the size of the signed checkpoint it was
 * logged under, which its inclusion proof is against (proven consistent with the current
 * one).
 */
loggedUnder: number | null, };
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
 * The SHA-256 (hex) of the file as it was verified: what the person saw judged. Adding a
 * signature to it ([`crate::signing::SignFilesRequest::reviewed_sha256`]) is refused when
 * the file is no longer this one.
 */
sha256: string,
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
 * Whether another signature can be added to it ([`crate::signing::sign`] with `add_to`):
 * an ASiC-E container Signet could read. Not a PDF, not an ASiC-S container (its one
 * time-stamp token is all it holds), not a refused container.
 */
canAddSignature: boolean,
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
