import type { Backend, BatchParams, CorrectionParams, OpenedEntry, SignChoice } from './backend';
import type {
  AccessLogView,
  AlarmView,
  ApiError,
  AppInfo,
  BaselineLevel,
  BatchOutcome,
  BatchPlan,
  CardCertificate,
  CardStatus,
  CaseView,
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
import {
  MOCK_APP_INFO,
  MOCK_CARD,
  SHA,
  baseName,
  mockProposal,
  mockPlan,
  MOCK_DASHBOARD,
  MOCK_CONSENTS,
  MOCK_ACCESS,
  MOCK_SIGNATURE,
  MOCK_VERIFIED,
  MOCK_CONTAINER,
  MOCK_ASICS,
  MOCK_CONTAINER_COSIGNED,
  type MockOptions,
} from './mockData';

export * from './mockData';

export class MockBackend implements Backend {
  readonly #info: AppInfo;
  readonly #error: ApiError | undefined;
  #opened: string[];
  readonly #picked: string[];
  readonly #answers = new Map<number, (value: string) => void>();
  readonly #cases: CaseView[] = [];
  #verified: VerifiedFiles = MOCK_VERIFIED;
  #cosigned = false;
  /** Every PIN answer given, for tests: the value is kept only here, in the mock. */
  readonly answered: { jobId: number; requestId: number; secret: SecretKind }[] = [];

  constructor(options: MockOptions = {}) {
    this.#info = options.info ?? MOCK_APP_INFO;
    this.#error = options.error;
    this.#opened = options.opened ?? [];
    this.#picked = options.picked ?? ['/home/mari/contract.pdf'];
  }

  #result<T>(value: T): Promise<T> {
    return this.#error ? Promise.reject(this.#error) : Promise.resolve(structuredClone(value));
  }

  appInfo(): Promise<AppInfo> {
    return this.#result(this.#info);
  }

  pdfForPreview(): Promise<ArrayBuffer> {
    // No renderer in unit tests: the picker shows the page's outline.
    return Promise.reject({ code: 'NOT_IMPLEMENTED', message: 'no preview in the mock', recommendation: '', key: 'general', params: {} });
  }

  proposeSigning(files: string[], format: SignFormat | null): Promise<SignProposal> {
    return this.#result(mockProposal(files, format));
  }

  async signFiles(jobId: number, choice: SignChoice, onEvent: (event: JobEvent) => void): Promise<SignOutcome> {
    if (this.#error) throw this.#error;
    const proposal = mockProposal(choice.files, choice.format);
    onEvent({ type: 'phase', phase: 'reading', file: null, position: null });
    await new Promise<string>((resolve) => {
      this.#answers.set(jobId, resolve);
      onEvent({
        type: 'pinRequest',
        id: 1,
        secret: 'pin2',
        triesLeft: 3,
        retry: false,
        signer: 'Mari Tamm (38001085718)',
        documents: proposal.files.map((f) => f.facts),
        position: null,
        pinPad: false,
        newValue: false,
        consentChange: null,
      });
    });
    onEvent({ type: 'phase', phase: 'signing', file: null, position: null });
    return {
      format: proposal.format,
      signer: 'Mari Tamm (38001085718)',
      signerSubject: 'SERIALNUMBER=PNOEE-38001085718,GIVENNAME=MARI,SN=TAMM,CN=TAMM\\,MARI\\,38001085718,C=EE',
      outputs: proposal.outputs.map((output) => ({
        output,
        inputs: choice.files,
        level: choice.level ?? 'B-LT',
        warnings: [],
        signature: proposal.format === 'asice' ? 'META-INF/signatures0.xml' : null,
      })),
    };
  }

  /** The job ids verifications ran as, for tests. */
  readonly verifyJobs: number[] = [];

  verifyFiles(jobId: number, files: string[], onEvent: (event: JobEvent) => void): Promise<VerifiedFiles> {
    this.verifyJobs.push(jobId);
    onEvent({ type: 'phase', phase: 'verifying', file: null, position: null });
    const container = this.#cosigned ? MOCK_CONTAINER_COSIGNED : MOCK_CONTAINER;
    this.#verified = files.some((f) => f.endsWith('.asics'))
      ? MOCK_ASICS
      : files.some((f) => f.endsWith('.asice'))
        ? container
        : MOCK_VERIFIED;
    return this.#result(this.#verified);
  }

  planBatch(params: BatchParams): Promise<BatchPlan> {
    return this.#result(mockPlan(params));
  }

  async runBatch(jobId: number, params: BatchParams, onEvent: (event: JobEvent) => void): Promise<BatchOutcome> {
    if (this.#error) throw this.#error;
    const plan = mockPlan(params);
    onEvent({ type: 'batch', event: 'plan', ...plan });
    let n = 0;
    for (const file of plan.files) {
      n += 1;
      await new Promise<string>((resolve) => {
        this.#answers.set(jobId, resolve);
        onEvent({
          type: 'pinRequest',
          id: n,
          secret: 'pin2',
          triesLeft: 3,
          retry: false,
          signer: 'Mari Tamm (38001085718)',
          documents: [{ name: baseName(file.input), path: file.input, size: file.size, sha256: file.inputSha256 }],
          position: { n, of: plan.files.length },
          pinPad: false,
          newValue: false,
          consentChange: null,
        });
      });
      onEvent({
        type: 'batch',
        event: 'signed',
        n,
        of: plan.files.length,
        input: file.input,
        output: file.output,
        format: file.format,
        level: plan.level,
        outputSha256: SHA,
        warnings: [],
      });
    }
    const summary = {
      files: plan.files.length,
      signed: plan.files.length,
      skipped: 0,
      failed: 0,
      left: 0,
      stopped: null,
      journal: `${plan.outDir}/.signet-batch.jsonl`,
    };
    onEvent({ type: 'batch', event: 'summary', ...summary });
    return { summary, resumed: 0, report: `${plan.outDir}/signet-batch-report.csv` };
  }

  async loadDashboard(jobId: number, onEvent: (event: JobEvent) => void): Promise<DashboardView> {
    if (this.#error) throw this.#error;
    await new Promise<string>((resolve) => {
      this.#answers.set(jobId, resolve);
      onEvent({ type: 'pinRequest', id: 1, secret: 'pin1', triesLeft: 3, retry: false, signer: null, documents: [], position: null, pinPad: false, newValue: false, consentChange: null });
    });
    return structuredClone(MOCK_DASHBOARD);
  }

  cachedDashboard(): Promise<DashboardView | null> {
    return Promise.resolve(null);
  }

  loadAccessLog(): Promise<AccessLogView> {
    return this.#result(MOCK_ACCESS);
  }

  loadConsents(): Promise<ConsentsView> {
    return this.#result(MOCK_CONSENTS);
  }

  fileCorrection(_jobId: number, c: CorrectionParams): Promise<FiledCaseView> {
    const filed: CaseView = {
      node: c.node,
      agency: 'Rahvastikuregister',
      kind: 'correction',
      id: `k-${this.#cases.length + 1}`,
      filed: '2026-12-06T12:00:00Z',
      state: 'pending',
      dataSet: c.dataSet,
      field: c.field,
      proposedValue: c.proposed,
      acceptedValue: null,
      reason: null,
      usageIndex: null,
      comment: c.explanation,
      logIndex: 43,
    };
    this.#cases.unshift(filed);
    return this.#result({ case: filed, receipt: `r-${filed.id}`, time: filed.filed, logIndex: 43, verified: true, notKept: null });
  }

  reportMisuse(_jobId: number, node: string, index: number, comment: string): Promise<FiledCaseView> {
    const filed: CaseView = {
      node,
      agency: 'Politsei- ja Piirivalveamet',
      kind: 'misuseReport',
      id: `m-${this.#cases.length + 1}`,
      filed: '2026-12-06T12:05:00Z',
      state: 'recorded',
      dataSet: null,
      field: null,
      proposedValue: null,
      acceptedValue: null,
      reason: null,
      usageIndex: index,
      comment,
      logIndex: 44,
    };
    this.#cases.unshift(filed);
    return this.#result({ case: filed, receipt: `r-${filed.id}`, time: filed.filed, logIndex: 44, verified: true, notKept: null });
  }

  loadCases(): Promise<CasesView> {
    return this.#result({ cases: [...this.#cases], problems: [], asOf: '2026-12-06T12:10:00Z' });
  }

  switchConsent(_jobId: number, node: string, id: string, on: boolean): Promise<ReceiptView> {
    const consent = MOCK_CONSENTS.agencies[0]?.consents.find((c) => c.id === id);
    if (!consent) return Promise.reject(new Error('no such consent'));
    return this.#result({
      node,
      id: 'receipt-1',
      time: '2026-12-06T12:00:00Z',
      change: on ? 'granted' : 'withdrawn',
      logIndex: 42,
      verified: true,
      consent: { ...consent, active: on, status: on ? 'active' : 'withdrawn' },
    });
  }

  #settings: PersonSettings = { tsaUrl: null, level: null, token: null, outputDir: null };

  loadSettings(): Promise<PersonSettings> {
    return this.#result(this.#settings);
  }

  saveSettings(settings: PersonSettings): Promise<PersonSettings> {
    this.#settings = settings;
    return this.#result(settings);
  }

  startListening(): Promise<void> {
    return Promise.resolve();
  }

  onAccessEntry(): Promise<() => void> {
    return Promise.resolve(() => {});
  }

  onAccessProblem(): Promise<() => void> {
    return Promise.resolve(() => {});
  }

  #openHandlers: ((entry: OpenedEntry) => void)[] = [];

  onOpenEntry(handler: (entry: OpenedEntry) => void): Promise<() => void> {
    this.#openHandlers.push(handler);
    return Promise.resolve(() => (this.#openHandlers = this.#openHandlers.filter((h) => h !== handler)));
  }

  /** A click on a notification, as the desktop reports it (for tests). */
  clickNotification(entry: OpenedEntry): void {
    this.#openHandlers.forEach((h) => h(entry));
  }

  #vaultHandlers: ((prompt: PassphrasePrompt) => void)[] = [];

  /** The answers given to the vault's passphrase requests, for tests (`null`: "Not now"). */
  vaultAnswers: { id: number; passphrase: string | null }[] = [];

  /** Asks the window for the vault's passphrase, as the Rust side does, for tests. */
  askVaultPassphrase(prompt: PassphrasePrompt): void {
    this.#vaultHandlers.forEach((handler) => handler(prompt));
  }

  onVaultPassphrase(handler: (prompt: PassphrasePrompt) => void): Promise<() => void> {
    this.#vaultHandlers.push(handler);
    return Promise.resolve(() => {
      this.#vaultHandlers = this.#vaultHandlers.filter((h) => h !== handler);
    });
  }

  answerVaultPassphrase(id: number, passphrase: string | null): Promise<void> {
    this.vaultAnswers.push({ id, passphrase });
    return Promise.resolve();
  }

  pickFolder(): Promise<string | null> {
    return Promise.resolve('/home/mari/out');
  }

  #listening: ListeningAgency[] = [
    { node: 'https://rr.example', name: 'Population Register', mode: 'everyQuery' },
    { node: 'https://emta.example', name: 'Tax and Customs Board', mode: 'everyQuery' },
  ];

  /** The passphrase of the last export, for tests. */
  #exported: string | null = null;

  exportVault(folder: string, passphrase: string): Promise<string> {
    this.#exported = passphrase;
    return this.#result(`${folder}/signet-vault-2026-12-06.signetvault`);
  }

  /** How many alarms the next import raises (an agency's log showed the two computers different histories). */
  importAlarms = 0;

  importVault(_file: string, passphrase: string): Promise<VaultImported> {
    if (passphrase !== this.#exported) {
      return Promise.reject({ code: 'INVALID_INPUT', message: 'the passphrase does not open this export', recommendation: 'Check the passphrase.', key: 'general', params: {} });
    }
    return this.#result({ records: 42, alarms: this.importAlarms });
  }

  #atLogin = false;

  startAtLogin(): Promise<boolean> {
    return this.#result(this.#atLogin);
  }

  setStartAtLogin(on: boolean): Promise<boolean> {
    this.#atLogin = on;
    return this.#result(on);
  }

  listeningAgencies(): Promise<ListeningAgency[]> {
    return this.#result(this.#listening.map((a) => ({ ...a })));
  }

  setNotifyMode(node: string, mode: NotifyMode): Promise<ListeningAgency[]> {
    this.#listening = this.#listening.map((a) => (a.node === node ? { ...a, mode } : a));
    return this.listeningAgencies();
  }

  #alarms: AlarmView[] = [];

  /** Puts an alarm up, as a log that failed would (for tests and the preview). */
  raiseAlarm(alarm: AlarmView): void {
    this.#alarms = [...this.#alarms, alarm];
  }

  loadAlarms(): Promise<AlarmView[]> {
    return this.#result([...this.#alarms]);
  }

  dismissAlarm(id: string): Promise<void> {
    this.#alarms = this.#alarms.filter((a) => a.id !== id);
    return this.#result(undefined);
  }

  saveAlarmEvidence(id: string, folder: string): Promise<string> {
    return this.#result(`${folder}/signet-alarm-2026-12-06-${id.slice(0, 8)}.json`);
  }

  saveSignedVersion(path: string): Promise<string> {
    return Promise.resolve(path.replace(/\.pdf$/, '.as-signed.pdf'));
  }

  /** Every report saved and file extracted, for tests. */
  readonly saved: { jobId: number; format: ReportFormat; language: ReportLanguage; folder: string | null }[] = [];
  readonly extracted: { container: string; names: string[]; folder: string }[] = [];

  saveVerificationReport(jobId: number, format: ReportFormat, language: ReportLanguage, folder: string | null): Promise<string> {
    if (this.#error) return Promise.reject(this.#error);
    this.saved.push({ jobId, format, language, folder });
    const first = this.#verified.files[0]?.path ?? '/home/mari/signatures.pdf';
    const dir = folder ?? first.slice(0, first.lastIndexOf('/'));
    const stem = baseName(first).replace(/\.[^.]*$/, '');
    const taken = this.saved.filter((s) => s.format === format && s.folder === folder).length;
    const suffix = taken > 1 ? `-${taken}` : '';
    return Promise.resolve(`${dir}/${stem}.verification${suffix}.${format}`);
  }

  extractFiles(container: string, names: string[], folder: string): Promise<string[]> {
    if (this.#error) return Promise.reject(this.#error);
    this.extracted.push({ container, names, folder });
    const all = MOCK_CONTAINER.files[0]?.dataFiles ?? [];
    return Promise.resolve((names.length > 0 ? names : all).map((n) => `${folder}/${baseName(n)}`));
  }

  /** Every signature added to a container, for tests. */
  readonly added: { container: string; verifiedSha256: string; level: BaselineLevel | null }[] = [];

  async addSignature(jobId: number, container: string, verifiedSha256: string, level: BaselineLevel | null, onEvent: (event: JobEvent) => void): Promise<SignOutcome> {
    if (this.#error) throw this.#error;
    onEvent({ type: 'phase', phase: 'reading', file: null, position: null });
    await new Promise<string>((resolve) => {
      this.#answers.set(jobId, resolve);
      onEvent({
        type: 'pinRequest',
        id: 1,
        secret: 'pin2',
        triesLeft: 3,
        retry: false,
        signer: 'Mari Tamm (38001085718)',
        documents: [{ name: baseName(container), path: container, size: 20480, sha256: SHA }],
        position: null,
        pinPad: false,
        newValue: false,
        consentChange: null,
      });
    });
    this.added.push({ container, verifiedSha256, level });
    // Verified again, the container shows both signatures.
    const [file] = MOCK_CONTAINER.files;
    if (file) {
      const second = { ...(file.signatures[0] ?? MOCK_SIGNATURE), name: 'META-INF/signatures1.xml', id: 'S1' };
      MOCK_CONTAINER_COSIGNED.files = [{ ...file, signatures: [...file.signatures, second] }];
    }
    this.#cosigned = true;
    return {
      format: 'asice',
      signer: 'Mari Tamm (38001085718)',
      signerSubject: 'SERIALNUMBER=PNOEE-38001085718,GIVENNAME=MARI,SN=TAMM,CN=TAMM\\,MARI\\,38001085718,C=EE',
      outputs: [{ output: container, inputs: [container], level: level ?? 'B-LT', warnings: [], signature: 'META-INF/signatures1.xml' }],
    };
  }

  routeFiles(files: string[]): Promise<Routed[]> {
    // The engine decides by content; the mock by name.
    return this.#result(
      files.map((path) => ({
        path,
        destination: !path.includes('.') ? 'batch' : /\.(asice|bdoc|asics)$|\.signed\.pdf$/.test(path) ? 'verify' : 'sign',
      })),
    );
  }

  #dropped: ((files: string[]) => void) | null = null;

  onFilesDropped(handler: (files: string[]) => void): Promise<() => void> {
    this.#dropped = handler;
    return Promise.resolve(() => (this.#dropped = null));
  }

  #hover: ((over: boolean) => void) | null = null;

  onDragHover(handler: (over: boolean) => void): Promise<() => void> {
    this.#hover = handler;
    return Promise.resolve(() => (this.#hover = null));
  }

  /** Drags files over the window (true) or away (false), for tests. */
  hover(over: boolean): void {
    if (!this.#hover) throw new Error('the window does not listen for drags yet');
    this.#hover(over);
  }

  /** Drops `files` on the window, for tests (WebDriver cannot drive a native drop). */
  drop(files: string[]): void {
    if (!this.#dropped) throw new Error('the window does not listen for drops yet');
    this.#hover?.(false);
    this.#dropped(files);
  }

  answerPin(jobId: number, requestId: number, secret: SecretKind, value: string): Promise<void> {
    this.answered.push({ jobId, requestId, secret });
    this.#answers.get(jobId)?.(value);
    this.#answers.delete(jobId);
    return Promise.resolve();
  }

  cancelJob(jobId: number): Promise<void> {
    this.#answers.delete(jobId);
    return Promise.resolve();
  }

  cardCertificates(): Promise<CardCertificate[]> {
    return this.#result([
      { key: 'auth', subject: 'CN=TAMM\\,MARI\\,38001085718,SN=TAMM,GN=MARI,serialNumber=PNOEE-38001085718,C=EE', issuer: 'CN=Demo CA', notAfter: '2030-01-01T00:00:00Z', derHex: '30' },
      { key: 'sign', subject: 'CN=TAMM\\,MARI\\,38001085718,SN=TAMM,GN=MARI,serialNumber=PNOEE-38001085718,C=EE', issuer: 'CN=Demo CA', notAfter: '2030-01-01T00:00:00Z', derHex: '30' },
    ]);
  }

  cardPin(): Promise<PinChange> {
    return this.#result({ pin: 'PIN2', action: 'changed' });
  }

  cardStatus(): Promise<CardStatus> {
    return this.#result(MOCK_CARD);
  }

  /** How many times the window said it was ready. */
  readyCalls = 0;

  uiReady(): Promise<void> {
    this.readyCalls += 1;
    return Promise.resolve();
  }

  takeOpenedFiles(): Promise<string[]> {
    const files = this.#opened;
    this.#opened = [];
    return Promise.resolve(files);
  }

  onFilesOpened(): Promise<() => void> {
    return Promise.resolve(() => {});
  }

  pickFiles(): Promise<string[]> {
    return Promise.resolve([...this.#picked]);
  }

  /** The tray's text, for tests. */
  tray = { show: '', quit: '', tooltip: '' };

  setTrayText(show: string, quit: string, tooltip: string): Promise<void> {
    this.tray = { show, quit, tooltip };
    return Promise.resolve();
  }

  showInFolder(): Promise<void> {
    return Promise.resolve();
  }
}
