// This file is generated from the Rust types by `cargo xtask bindings`. Do not edit it by hand.
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
recommendation: string, };
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
logDir: string | null, };
export type BaselineLevel = "B-B" | "B-T" | "B-LT" | "B-LTA";
export type BuildProfile = "debug" | "release";
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
export type Code = "INTERNAL" | "NOT_IMPLEMENTED" | "INVALID_INPUT" | "FILE_NOT_FOUND" | "IO" | "NETWORK" | "CANCELLED" | "CARD_UNAVAILABLE" | "CARD_REMOVED" | "CARD_UNSUPPORTED" | "PIN_INCORRECT" | "PIN_BLOCKED" | "CARD_NOT_ACTIVATED" | "INPUT_CHANGED";
export type Indication = "TOTAL-PASSED" | "INDETERMINATE" | "TOTAL-FAILED";
export type OptionalBackend = {
/**
 * The feature name: `pcsc`, `pkcs11`, `soft`.
 */
name: string,
/**
 * Whether this build includes it.
 */
compiled: boolean, };
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
export type SubIndication = "FORMAT_FAILURE" | "HASH_FAILURE" | "SIG_CRYPTO_FAILURE" | "REVOKED" | "EXPIRED" | "NOT_YET_VALID" | "SIG_CONSTRAINTS_FAILURE" | "CHAIN_CONSTRAINTS_FAILURE" | "CERTIFICATE_CHAIN_GENERAL_FAILURE" | "CRYPTO_CONSTRAINTS_FAILURE" | "CRYPTO_CONSTRAINTS_FAILURE_NO_POE" | "POLICY_PROCESSING_ERROR" | "SIGNATURE_POLICY_NOT_AVAILABLE" | "TIMESTAMP_ORDER_FAILURE" | "NO_SIGNING_CERTIFICATE_FOUND" | "NO_CERTIFICATE_CHAIN_FOUND" | "REVOKED_NO_POE" | "REVOKED_CA_NO_POE" | "OUT_OF_BOUNDS_NO_POE" | "OUT_OF_BOUNDS_NOT_REVOKED" | "NO_POE" | "TRY_LATER" | "SIGNED_DATA_NOT_FOUND";
