import type {
  AccessEntryView,
  AccessLogView,
  AccessProblem,
  AlarmView,
  AppInfo,
  BaselineLevel,
  BatchFormat,
  BatchOutcome,
  BatchPlan,
  CardCertificate,
  CardStatus,
  CasesView,
  ConsentsView,
  DashboardView,
  FiledCaseView,
  JobEvent,
  ListeningAgency,
  NotifyMode,
  PassphrasePrompt,
  PersonSettings,
  PinChange,
  ReceiptView,
  ReportFormat,
  ReportLanguage,
  Routed,
  SecretKind,
  SignFormat,
  SignOutcome,
  SignProposal,
  VaultImported,
  VerifiedFiles,
} from './bindings';

/** "This is wrong" on one field of a record. */
export interface CorrectionParams {
  node: string;
  dataSet: string;
  record: string;
  field: string;
  proposed: string;
  explanation: string;
}

/** A visible signature: page (1-based) and a box in PDF points (origin bottom left). */
export interface Placement {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the person chose on the signing screen. */
export interface SignChoice {
  files: string[];
  format: SignFormat | null;
  level: BaselineLevel | null;
  visible: Placement | null;
  reason: string | null;
  location: string | null;
  replaceExisting: boolean;
  /** The SHA-256 of each file as the person reviewed it. */
  reviewedSha256: string[];
  /** The existing outputs the person agreed to replace. */
  replace: string[];
}

/** The desktop notifications' titles in the window's language, `{agency}` filled in by Rust. */
export interface NotifyTexts {
  looked: string;
  refused: string;
  alarm: string;
  accepted: string;
  rejected: string;
  decidedBody: string;
  /** The daily digest's title, `{n}` uses. */
  digest: string;
  /** The label of the action that opens what a notification is about. */
  open: string;
}

/** What a click on a notification opens: an entry of the access log, or the log itself (null). */
export type OpenedEntry = { node: string; index: number } | null;

/** What the person chose for a batch. */
export interface BatchParams {
  files: string[];
  outDir: string | null;
  format: BatchFormat | null;
  level: BaselineLevel | null;
  /** Each file as the person reviewed it: path and SHA-256. */
  reviewed: [string, string][];
}

/**
 * Everything the UI asks of the Rust side. Every method rejects only with an `ApiError`.
 *
 * Long operations are jobs: the caller gives an id, receives the job's events (steps, PIN
 * requests) on `onEvent`, answers PIN requests with `answerPin` and may `cancelJob` it.
 */
export interface Backend {
  /** What this build of Signet is: name, version, profile, optional back ends, log folder. */
  appInfo(): Promise<AppInfo>;
  /** The bytes of a PDF the person chose, for the page preview. */
  pdfForPreview(path: string): Promise<ArrayBuffer>;
  /** What Signet proposes for these files: format and why, outputs, level, token. */
  proposeSigning(files: string[], format: SignFormat | null): Promise<SignProposal>;
  /** Signs as chosen. */
  signFiles(jobId: number, choice: SignChoice, onEvent: (event: JobEvent) => void): Promise<SignOutcome>;
  /** Verifies PDFs and containers, in any mix. */
  verifyFiles(jobId: number, files: string[], onEvent: (event: JobEvent) => void): Promise<VerifiedFiles>;
  /** The plan of a batch, to review before any PIN. */
  planBatch(params: BatchParams): Promise<BatchPlan>;
  /** Runs a batch: a PIN request per signature, a pause while the card is out. */
  runBatch(jobId: number, params: BatchParams, onEvent: (event: JobEvent) => void): Promise<BatchOutcome>;
  /** The system's folder chooser; resolves to the folder picked, or null. */
  pickFolder(): Promise<string | null>;
  /** What every agency holds about the person (one PIN1 for the logins needed). */
  loadDashboard(jobId: number, onEvent: (event: JobEvent) => void): Promise<DashboardView>;
  /** What the vault kept from earlier visits, without asking any agency; null when nothing. */
  cachedDashboard(): Promise<DashboardView | null>;
  /** Every use of the person's data across agencies, each verified. */
  loadAccessLog(jobId: number, onEvent: (event: JobEvent) => void): Promise<AccessLogView>;
  /** Every agency's consents for the person. */
  loadConsents(jobId: number, onEvent: (event: JobEvent) => void): Promise<ConsentsView>;
  /** Switches a consent off (withdraws it) or on again; resolves with the verified receipt. */
  switchConsent(jobId: number, node: string, id: string, on: boolean, onEvent: (event: JobEvent) => void): Promise<ReceiptView>;
  /** Tells an agency that a field of a record is wrong; resolves with the verified receipt. */
  fileCorrection(jobId: number, correction: CorrectionParams, onEvent: (event: JobEvent) => void): Promise<FiledCaseView>;
  /** Flags a use of the person's data as suspected misuse; resolves with the verified receipt. */
  reportMisuse(jobId: number, node: string, index: number, comment: string, onEvent: (event: JobEvent) => void): Promise<FiledCaseView>;
  /** Every correction and misuse report the person filed, with the agencies' decisions. */
  loadCases(jobId: number, onEvent: (event: JobEvent) => void): Promise<CasesView>;
  /** The person's settings. */
  loadSettings(): Promise<PersonSettings>;
  /** Checks and stores the person's settings. */
  saveSettings(settings: PersonSettings): Promise<PersonSettings>;
  /** The alarms about agencies' logs the person has not dismissed (kept in the vault). */
  loadAlarms(): Promise<AlarmView[]>;
  /** Dismisses an alarm; it stays in the vault as evidence. */
  dismissAlarm(id: string): Promise<void>;
  /** Saves an alarm's evidence as JSON in a folder the person picked; resolves with the file. */
  saveAlarmEvidence(id: string, folder: string): Promise<string>;
  /** Exports the vault into a folder the person picked, under a passphrase; resolves with the file. */
  exportVault(folder: string, passphrase: string): Promise<string>;
  /**
   * Imports an export the person picked, replacing what the vault keeps; resolves with the records
   * and the alarms raised (a log that showed the two computers different histories).
   */
  importVault(file: string, passphrase: string): Promise<VaultImported>;
  /** Whether Signet starts at login, in the tray, listening. */
  startAtLogin(): Promise<boolean>;
  /** Makes Signet start at login, or not; resolves with the new state. */
  setStartAtLogin(on: boolean): Promise<boolean>;
  /** Every agency of the node list, with how its uses are told. */
  listeningAgencies(): Promise<ListeningAgency[]>;
  /** Sets how the agency at `node` is told; resolves with every agency's choice. */
  setNotifyMode(node: string, mode: NotifyMode): Promise<ListeningAgency[]>;
  /** Starts listening for new uses (a notification each); once per run of the app. */
  startListening(): Promise<void>;
  /** Calls `handler` with each new use while listening; resolves to an unlisten. */
  onAccessEntry(handler: (entry: AccessEntryView) => void): Promise<() => void>;
  /** Calls `handler` when the person clicks a notification: the entry it is about. */
  onOpenEntry(handler: (entry: OpenedEntry) => void): Promise<() => void>;
  /** Calls `handler` with each log that fails its proof while listening. */
  onAccessProblem(handler: (problem: AccessProblem) => void): Promise<() => void>;
  /**
   * Calls `handler` with each request for the passphrase of Signet's vault (kept with one where
   * there is no system keyring); resolves to an unlisten. An operation waits for the answer.
   */
  onVaultPassphrase(handler: (prompt: PassphrasePrompt) => void): Promise<() => void>;
  /** Answers the vault's passphrase request `id`: the passphrase, or null for "Not now". */
  answerVaultPassphrase(id: number, passphrase: string | null): Promise<void>;
  /** Saves the version of a verified PDF a signature covers, beside it; resolves with its path. */
  saveSignedVersion(path: string, length: number): Promise<string>;
  /**
   * Saves the report of verification `jobId` (the job id `verifyFiles` ran as) as PDF or JSON:
   * in `folder` (one the person picked) or, when null, beside the first file verified; numbered
   * when the name is taken, never replacing a file. Resolves with the file written.
   */
  saveVerificationReport(jobId: number, format: ReportFormat, language: ReportLanguage, folder: string | null): Promise<string>;
  /**
   * Extracts files of a container (all when `names` is empty) into `folder`, one the person
   * picked; numbered when a name is taken, never replacing a file. Resolves with the files written.
   */
  extractFiles(container: string, names: string[], folder: string): Promise<string[]>;
  /**
   * Adds the person's signature to the ASiC-E container at `container`, in place (replaced
   * atomically): the operation of `signet sign --add-to`, its PIN request naming the container.
   * `verifiedSha256` is the digest of the container as verified (`VerifiedFile.sha256`): one
   * that is no longer that container is refused before anything is asked.
   */
  addSignature(jobId: number, container: string, verifiedSha256: string, level: BaselineLevel | null, onEvent: (event: JobEvent) => void): Promise<SignOutcome>;
  /** Where each file goes (Sign, Verify or Batch), by its content, as the engine decides. */
  routeFiles(files: string[]): Promise<Routed[]>;
  /**
   * Calls `handler` with the paths of files dropped on the window (the `tauri://drag-drop`
   * event); resolves to an unlisten.
   */
  onFilesDropped(handler: (files: string[]) => void): Promise<() => void>;
  /** Calls `handler` with true while files are dragged over the window, false when they leave or drop. */
  onDragHover(handler: (over: boolean) => void): Promise<() => void>;
  /** Answers a PIN request; the one time a PIN crosses to Rust. */
  answerPin(jobId: number, requestId: number, secret: SecretKind, value: string): Promise<void>;
  /** Cancels a job. */
  cancelJob(jobId: number): Promise<void>;
  /** Both certificates on the card. */
  cardCertificates(): Promise<CardCertificate[]>;
  /** Changes a PIN (or the PUK), or unblocks PIN1/PIN2 with the PUK, asking through `onEvent`. */
  cardPin(jobId: number, pin: SecretKind, unblock: boolean, onEvent: (event: JobEvent) => void): Promise<PinChange>;
  /** The card in the reader, or the trouble as an `ApiError`. */
  cardStatus(): Promise<CardStatus>;
  /** Files Signet was opened with that the window has not taken yet. */
  takeOpenedFiles(): Promise<string[]>;
  /** Tells the app the first screen is mounted and its data loaded (the start is over). */
  uiReady(): Promise<void>;
  /** Calls `handler` with the files of every later "open with Signet"; resolves to an unlisten. */
  onFilesOpened(handler: (files: string[]) => void): Promise<() => void>;
  /** The system's file chooser; resolves to the paths picked (none when closed). */
  pickFiles(): Promise<string[]>;
  /** Relabels the tray menu in the window's language; `tooltip` says what is unread. */
  setTrayText(show: string, quit: string, tooltip: string, notify: NotifyTexts): Promise<void>;
  /** Opens the folder of `path` in the file manager. */
  showInFolder(path: string): Promise<void>;
}

let nextJob = 1;

/** A fresh job id for this window. */
export function newJobId(): number {
  nextJob += 1;
  return nextJob;
}
