import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';

import type { Backend, BatchParams, CorrectionParams, NotifyTexts, OpenedEntry, SignChoice } from './backend';
import type {
  AccessEntryView,
  AccessLogView,
  AccessProblem,
  AlarmView,
  AppInfo,
  BaselineLevel,
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
import { toApiError } from './error';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

function channel(onEvent: (event: JobEvent) => void): Channel<JobEvent> {
  const events = new Channel<JobEvent>();
  events.onmessage = onEvent;
  return events;
}

/** The backend of the desktop app: Tauri commands implemented in `src-tauri`. */
export class TauriBackend implements Backend {
  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  }

  pdfForPreview(path: string): Promise<ArrayBuffer> {
    return call<ArrayBuffer>('pdf_for_preview', { path });
  }

  proposeSigning(files: string[], format: SignFormat | null): Promise<SignProposal> {
    return call<SignProposal>('propose_signing', { files, format });
  }

  signFiles(jobId: number, choice: SignChoice, onEvent: (event: JobEvent) => void): Promise<SignOutcome> {
    return call<SignOutcome>('sign_files', { jobId, choice, onEvent: channel(onEvent) });
  }

  verifyFiles(jobId: number, files: string[], onEvent: (event: JobEvent) => void): Promise<VerifiedFiles> {
    return call<VerifiedFiles>('verify_files', { jobId, files, onEvent: channel(onEvent) });
  }

  planBatch(params: BatchParams): Promise<BatchPlan> {
    return call<BatchPlan>('plan_batch', { params });
  }

  runBatch(jobId: number, params: BatchParams, onEvent: (event: JobEvent) => void): Promise<BatchOutcome> {
    return call<BatchOutcome>('run_batch', { jobId, params, onEvent: channel(onEvent) });
  }

  loadDashboard(jobId: number, onEvent: (event: JobEvent) => void): Promise<DashboardView> {
    return call<DashboardView>('load_dashboard', { jobId, onEvent: channel(onEvent) });
  }

  cachedDashboard(): Promise<DashboardView | null> {
    return call<DashboardView | null>('cached_dashboard');
  }

  loadAccessLog(jobId: number, onEvent: (event: JobEvent) => void): Promise<AccessLogView> {
    return call<AccessLogView>('load_access_log', { jobId, onEvent: channel(onEvent) });
  }

  loadConsents(jobId: number, onEvent: (event: JobEvent) => void): Promise<ConsentsView> {
    return call<ConsentsView>('load_consents', { jobId, onEvent: channel(onEvent) });
  }

  switchConsent(jobId: number, node: string, id: string, on: boolean, onEvent: (event: JobEvent) => void): Promise<ReceiptView> {
    return call<ReceiptView>('switch_consent', { jobId, node, id, on, onEvent: channel(onEvent) });
  }

  fileCorrection(jobId: number, c: CorrectionParams, onEvent: (event: JobEvent) => void): Promise<FiledCaseView> {
    return call<FiledCaseView>('file_correction', { jobId, ...c, onEvent: channel(onEvent) });
  }

  reportMisuse(jobId: number, node: string, index: number, comment: string, onEvent: (event: JobEvent) => void): Promise<FiledCaseView> {
    return call<FiledCaseView>('report_misuse', { jobId, node, index, comment, onEvent: channel(onEvent) });
  }

  loadCases(jobId: number, onEvent: (event: JobEvent) => void): Promise<CasesView> {
    return call<CasesView>('load_cases', { jobId, onEvent: channel(onEvent) });
  }

  loadSettings(): Promise<PersonSettings> {
    return call<PersonSettings>('load_settings');
  }

  saveSettings(settings: PersonSettings): Promise<PersonSettings> {
    return call<PersonSettings>('save_settings', { settings });
  }

  startListening(): Promise<void> {
    return call<void>('start_listening');
  }

  onAccessEntry(handler: (entry: AccessEntryView) => void): Promise<() => void> {
    return listen<AccessEntryView>('access-entry', (event) => handler(event.payload));
  }

  onOpenEntry(handler: (entry: OpenedEntry) => void): Promise<() => void> {
    return listen<OpenedEntry>('open-entry', (event) => handler(event.payload));
  }

  onAccessProblem(handler: (problem: AccessProblem) => void): Promise<() => void> {
    return listen<AccessProblem>('access-problem', (event) => handler(event.payload));
  }

  onVaultPassphrase(handler: (prompt: PassphrasePrompt) => void): Promise<() => void> {
    return listen<PassphrasePrompt>('vault-passphrase', (event) => handler(event.payload));
  }

  answerVaultPassphrase(id: number, passphrase: string | null): Promise<void> {
    return call<void>('answer_vault_passphrase', { id, passphrase });
  }

  pickFolder(): Promise<string | null> {
    return call<string | null>('pick_folder');
  }

  exportVault(folder: string, passphrase: string): Promise<string> {
    return call<string>('export_vault', { folder, passphrase });
  }

  importVault(file: string, passphrase: string): Promise<VaultImported> {
    return call<VaultImported>('import_vault', { file, passphrase });
  }

  startAtLogin(): Promise<boolean> {
    return call<boolean>('start_at_login');
  }

  setStartAtLogin(on: boolean): Promise<boolean> {
    return call<boolean>('set_start_at_login', { on });
  }

  listeningAgencies(): Promise<ListeningAgency[]> {
    return call<ListeningAgency[]>('listening_agencies');
  }

  setNotifyMode(node: string, mode: NotifyMode): Promise<ListeningAgency[]> {
    return call<ListeningAgency[]>('set_notify_mode', { node, mode });
  }

  loadAlarms(): Promise<AlarmView[]> {
    return call<AlarmView[]>('load_alarms');
  }

  dismissAlarm(id: string): Promise<void> {
    return call<void>('dismiss_alarm', { id });
  }

  saveAlarmEvidence(id: string, folder: string): Promise<string> {
    return call<string>('save_alarm_evidence', { id, folder });
  }

  saveSignedVersion(path: string, length: number): Promise<string> {
    return call<string>('save_signed_version', { path, length });
  }

  saveVerificationReport(jobId: number, format: ReportFormat, language: ReportLanguage, folder: string | null): Promise<string> {
    return call<string>('save_verification_report', { jobId, format, language, folder });
  }

  extractFiles(container: string, names: string[], folder: string): Promise<string[]> {
    return call<string[]>('extract_files', { container, names, folder });
  }

  addSignature(jobId: number, container: string, verifiedSha256: string, level: BaselineLevel | null, onEvent: (event: JobEvent) => void): Promise<SignOutcome> {
    return call<SignOutcome>('add_signature', { jobId, cosign: { container, verifiedSha256, level }, onEvent: channel(onEvent) });
  }

  routeFiles(files: string[]): Promise<Routed[]> {
    return call<Routed[]>('route_files', { files });
  }

  async onFilesDropped(handler: (files: string[]) => void): Promise<() => void> {
    return getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type === 'drop' && event.payload.paths.length > 0) handler(event.payload.paths);
    });
  }

  async onDragHover(handler: (over: boolean) => void): Promise<() => void> {
    return getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type === 'enter') handler(event.payload.paths.length > 0);
      else if (event.payload.type === 'leave' || event.payload.type === 'drop') handler(false);
    });
  }

  answerPin(jobId: number, requestId: number, secret: SecretKind, value: string): Promise<void> {
    return call<void>('answer_pin', { jobId, requestId, secret, value });
  }

  cancelJob(jobId: number): Promise<void> {
    return call<void>('cancel_job', { jobId });
  }

  cardCertificates(): Promise<CardCertificate[]> {
    return call<CardCertificate[]>('card_certificates');
  }

  cardPin(jobId: number, pin: SecretKind, unblock: boolean, onEvent: (event: JobEvent) => void): Promise<PinChange> {
    return call<PinChange>('card_pin', { jobId, pin, unblock, onEvent: channel(onEvent) });
  }

  cardStatus(): Promise<CardStatus> {
    return call<CardStatus>('card_status');
  }

  takeOpenedFiles(): Promise<string[]> {
    return call<string[]>('take_opened_files');
  }

  uiReady(): Promise<void> {
    return call<void>('ui_ready');
  }

  async onFilesOpened(handler: (files: string[]) => void): Promise<() => void> {
    return listen<string[]>('files-opened', (event) => handler(event.payload));
  }

  pickFiles(): Promise<string[]> {
    return call<string[]>('pick_files');
  }

  setTrayText(show: string, quit: string, tooltip: string, notify: NotifyTexts): Promise<void> {
    return call<void>('set_tray_text', { show, quit, tooltip, notify });
  }

  showInFolder(path: string): Promise<void> {
    return call<void>('show_in_folder', { path });
  }
}
