// The mock backend's data: what the UI shows in vitest and in the plain-browser preview.
import type { BatchParams } from './backend';
import type {
  AccessLogView,
  ApiError,
  AppInfo,
  DashboardView,
  BatchPlan,
  CardStatus,
  ConsentsView,
  SignatureView,
  SignFormat,
  SignProposal,
  VerifiedFiles,
} from './bindings';

/** What the mock reports: a debug build with the card reader and soft-token back ends. */
export const MOCK_APP_INFO: AppInfo = {
  name: 'Signet',
  version: '0.1.0',
  profile: 'debug',
  backends: [
    { name: 'pcsc', compiled: true },
    { name: 'pkcs11', compiled: false },
    { name: 'soft', compiled: true },
  ],
  logDir: '/home/mari/.local/share/signet/logs',
  profileName: null,
};

export const MOCK_CARD: CardStatus = {
  reader: 'Virtual PCD 00 00',
  card: 'EstEID IDEMIA 2018 (COSMO 8)',
  surname: 'TAMM',
  givenNames: 'MARI',
  personalCode: '38001085718',
  documentNumber: 'AB0123456',
  expiry: '01 01 2030',
  pin1Retries: 3,
  pin2Retries: 3,
  pukRetries: 3,
  activated: true,
};

export const SHA = 'ab'.repeat(32);

export function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** The proposal the rule gives: PAdES when every file ends in .pdf, one container otherwise. */
export function mockProposal(files: string[], format: SignFormat | null): SignProposal {
  const allPdf = files.every((f) => f.toLowerCase().endsWith('.pdf'));
  const chosen = format ?? (allPdf ? 'pades' : 'asice');
  return {
    format: chosen,
    reason: format ? 'chosen' : allPdf ? 'allPdf' : 'notAllPdf',
    files: files.map((path) => ({
      facts: { name: baseName(path), path, size: 1024, sha256: SHA },
      kind: path.toLowerCase().endsWith('.pdf') ? 'pdf' : 'other',
      pages: path.toLowerCase().endsWith('.pdf')
        ? [
            { width: 595, height: 842 },
            { width: 595, height: 842 },
          ]
        : [],
    })),
    outputs:
      chosen === 'pades'
        ? files.map((f) => f.replace(/\.pdf$/i, '.signed.pdf'))
        : [(files[0] ?? 'files').replace(/\.[^./]*$/, '') + '.asice'],
    existing: [],
    level: 'B-LT',
    token: 'pcsc',
  };
}

/** The plan of a batch of the given files. */
export function mockPlan(params: BatchParams): BatchPlan {
  const outDir = params.outDir ?? '/home/mari/signed';
  return {
    outDir,
    journal: `${outDir}/.signet-batch.jsonl`,
    level: params.level ?? 'B-LT',
    token: 'pcsc',
    signer: null,
    count: params.files.length,
    totalBytes: params.files.length * 1024,
    toSign: params.files.length,
    files: params.files.map((input) => ({
      input,
      output: `${outDir}/${baseName(input)}`,
      format: 'pades',
      size: 1024,
      inputSha256: SHA,
      state: 'sign',
      error: null,
    })),
  };
}

export const MOCK_DASHBOARD: DashboardView = {
  agencies: [
    {
      node: 'https://rr.example',
      name: 'Population Register',
      state: 'answered',
      error: null,
      cachedAt: null,
      dataSets: [
        {
          id: 'residence',
          title: { et: 'Elukoht', en: 'Residence', ru: 'Место жительства' },
          legalBasis: { et: 'Rahvastikuregistri seadus § 21', en: 'Population Register Act § 21', ru: 'Закон о регистре народонаселения § 21' },
          retention: { et: '75 aastat', en: '75 years', ru: '75 лет' },
          lastChange: '2026-03-01T10:00:00Z',
          records: [
            {
              id: 'r1',
              updated: '2026-03-01T10:00:00Z',
              fields: [
                { id: 'address', title: { et: 'Aadress', en: 'Address', ru: 'Адрес' }, value: 'Tallinn, Narva mnt 5', kind: 'text' },
                { id: 'birthDate', title: { et: 'Sünniaeg', en: 'Date of birth', ru: 'Дата рождения' }, value: '1980-01-08', kind: 'date' },
              ],
            },
          ],
        },
      ],
    },
    { node: 'https://police.example', name: 'Police and Border Guard Board', state: 'notCovered', error: { code: 'NETWORK', message: 'no answer', recommendation: 'try later', key: 'general', params: {} }, dataSets: [], cachedAt: null },
  ],
  asOf: '2026-12-06T12:00:00Z',
};

export const MOCK_CONSENTS: ConsentsView = {
  agencies: [
    {
      node: 'https://tis.example',
      agency: 'Tervise infosüsteem',
      consents: [
        {
          id: 'c1',
          dataSet: 'cardiology',
          category: null,
          recipient: 'EE/COM/10137319',
          recipientIsCategory: false,
          recipientCode: 'EE/COM/10137319',
          purpose: null,
          permit: true,
          active: true,
          status: 'active',
          validFrom: '2026-01-01T00:00:00Z',
          validUntil: null,
          changes: 1,
        },
        {
          id: 'c2',
          dataSet: 'prescriptions',
          category: null,
          recipient: 'EE/GOV/70000349',
          recipientIsCategory: false,
          recipientCode: 'EE/GOV/70000349',
          purpose: null,
          permit: false,
          active: true,
          status: 'active',
          validFrom: '2026-01-01T00:00:00Z',
          validUntil: null,
          changes: 0,
        },
      ],
      dataSets: [{ id: 'cardiology', openByDefault: false, requiresSignature: false }],
      error: null,
    },
  ],
  asOf: '2026-12-06T12:00:00Z',
};

export const MOCK_ACCESS: AccessLogView = {
  entries: [
    {
      node: 'https://rr.example',
      agency: 'Population Register',
      index: 3,
      time: '2026-12-05T09:30:00Z',
      receiver: 'Tallinn Dental Clinic (10000001)',
      official: 'Dr. Kask',
      action: 'Päring: Elukoht',
      dataSets: ['residence'],
      purpose: 'Treatment',
      legalBasis: 'Health Services Organisation Act',
      hiddenUntil: null,
      verified: true,
      outcome: 'served',
      removed: false,
    },
  ],
  problems: [],
  asOf: '2026-12-06T12:00:00Z',
};

/** The signature of the mock documents: Mari Tamm's, valid. */
export const MOCK_SIGNATURE: SignatureView = {
  kind: 'signature',
  name: 'Signature1',
  id: null,
  verdict: 'valid',
  indication: 'TOTAL-PASSED',
  subIndication: null,
  signer: 'Mari Tamm (38001085718)',
  signerSubject: 'CN=TAMM\\,MARI\\,38001085718,SN=TAMM,GN=MARI,serialNumber=PNOEE-38001085718,C=EE',
  signerIssuer: 'CN=Demo Issuing CA',
  claimedTime: '2026-12-06T10:00:00Z',
  provenTime: '2026-12-06T10:00:01Z',
  timestampAuthority: 'Demo TSA',
  archiveTime: null,
  level: 'B-LT',
  qualification: 'QES',
  trustService: 'Demo Issuing CA',
  reason: null,
  location: null,
  chain: ['CN=TAMM\\,MARI', 'CN=Demo Issuing CA', 'CN=Demo Root'],
  revocation: ['good (dss, 2026-12-06T10:00:02Z)'],
  covers: [],
  changes: [],
  errors: [],
  warnings: [],
  signedLength: 1000,
};

export const MOCK_VERIFIED: VerifiedFiles = {
  files: [
    {
      path: '/home/mari/contract.signed.pdf',
      name: 'contract.signed.pdf',
      sha256: SHA,
      format: 'pdf',
      verdict: 'valid',
      indication: 'TOTAL-PASSED',
      problems: [],
      removedSignatures: [],
      dataFiles: [],
      canAddSignature: false,
      signatures: [MOCK_SIGNATURE],
    },
  ],
  trustData: { territory: 'EE', issued: '2026-12-01T00:00:00Z', nextUpdate: '2027-06-01T00:00:00Z' },
  validationTime: '2026-12-06T12:00:00Z',
};

/** A verified container with two files. */
export const MOCK_CONTAINER: VerifiedFiles = {
  files: [
    {
      path: '/home/mari/deed.asice',
      name: 'deed.asice',
      sha256: 'cd'.repeat(32),
      format: 'container',
      verdict: 'valid',
      indication: 'TOTAL-PASSED',
      problems: [],
      removedSignatures: [],
      dataFiles: ['deed.pdf', 'annex/map.csv'],
      canAddSignature: true,
      signatures: [
        {
          ...MOCK_SIGNATURE,
          name: 'META-INF/signatures0.xml',
          id: 'S0',
          covers: ['deed.pdf', 'annex/map.csv'],
          signedLength: null,
        },
      ],
    },
  ],
  trustData: MOCK_VERIFIED.trustData,
  validationTime: MOCK_VERIFIED.validationTime,
};

/** A verified ASiC-S container: one file, time-stamped; no signature can be added. */
export const MOCK_ASICS: VerifiedFiles = {
  files: [
    {
      ...(MOCK_CONTAINER.files[0] as VerifiedFiles['files'][number]),
      path: '/home/mari/archived.asics',
      name: 'archived.asics',
      sha256: SHA,
      dataFiles: ['deed.pdf'],
      canAddSignature: false,
      signatures: [{ ...MOCK_SIGNATURE, name: 'META-INF/timestamp.tst', id: null, level: 'TST', signedLength: null }],
    },
  ],
  trustData: MOCK_CONTAINER.trustData,
  validationTime: MOCK_CONTAINER.validationTime,
};

/** The mock container once a signature was added to it (`addSignature`). */
export const MOCK_CONTAINER_COSIGNED: VerifiedFiles = structuredClone(MOCK_CONTAINER);

export interface MockOptions {
  /** What `appInfo` resolves with; defaults to `MOCK_APP_INFO`. */
  info?: AppInfo;
  /** When set, every call rejects with this error instead. */
  error?: ApiError;
  /** The files "opened with" Signet. */
  opened?: string[];
  /** What the file chooser returns. */
  picked?: string[];
}

/** A backend of fixtures, for unit tests and for the UI running in a plain browser. */