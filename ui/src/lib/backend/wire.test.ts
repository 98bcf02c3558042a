import { describe, expect, it } from 'vitest';

import type { AsiceListing, CertReport, ExtendOutcome, LoginSummary, LogProblem, TrustUpdate } from './bindings';

// The command line's `--json` reports are declared in bindings.ts with the window's types, from
// the same Rust types. These samples (shaped as docs/*.md show them) are checked against those
// declarations by the UI's type check (`npm run check`): a renamed or dropped field fails it.

const certReport = {
  indication: 'TOTAL-PASSED',
  subIndication: null,
  reasons: [],
  holder: {
    commonName: 'TAMM,MARI,38001085718',
    givenName: 'MARI',
    surname: 'TAMM',
    serialNumber: 'PNOEE-38001085718',
    organization: null,
    country: 'EE',
  },
  chain: [
    {
      subject: 'CN=TAMM\\,MARI\\,38001085718',
      issuer: 'CN=Signet Test ESTEID2018',
      serial: '0A1B',
      notBefore: '2025-03-01T00:00:00Z',
      notAfter: '2030-03-01T00:00:00Z',
      trustAnchor: false,
    },
  ],
  qualification: {
    qcCompliance: true,
    qscd: true,
    types: ['esign'],
    source: 'trusted list',
    service: null,
    qualifiers: [],
    determinable: true,
    summary: 'qualified certificate for electronic signatures, key in a QSCD',
  },
  purpose: 'electronic signatures',
  validationTime: '2025-03-01T12:00:00Z',
  timeKind: 'present',
  revocation: {
    mode: 'ocsp',
    status: 'good',
    revokedAt: null,
    reason: null,
    producedAt: '2025-03-01T12:00:00Z',
    thisUpdate: '2025-03-01T12:00:00Z',
    responder: 'issuing CA',
    caCrls: [],
  },
  trustedList: { territory: 'EE', sequenceNumber: 34, issued: '2025-02-01T00:00:00Z', nextUpdate: null, fresh: true, anchors: 3 },
} satisfies CertReport;

const trustUpdate = {
  updated: ['EE'],
  warnings: [],
  status: {
    dir: '/home/mari/.local/share/signet/trust',
    lists: [{ territory: 'EE', sequenceNumber: 34, issued: '2025-02-01T00:00:00Z', nextUpdate: null, fresh: true, location: 'https://sr.riik.ee/tsl/estonian-tsl.xml' }],
    warnings: [],
  },
} satisfies TrustUpdate;

const extended = {
  extended: [
    {
      file: 'contract.signed.pdf',
      format: 'pdf',
      level: 'B-LTA',
      reached: 'B-LTA',
      written: true,
      signatures: [{ name: 'Signature1', id: null, from: 'B-LT', level: 'B-LTA', extended: true, indication: 'TOTAL-PASSED', archiveTimestampTime: '2025-03-01T12:00:00Z' }],
    },
  ],
} satisfies ExtendOutcome;

const listing = {
  dataFiles: [{ name: 'notes.txt', media_type: 'text/plain', size: 12 }],
  signatures: ['META-INF/signatures0.xml'],
  problems: [],
} satisfies AsiceListing;

const problem = { kind: 'historyRewritten', log: 'agency.example/log', oldSize: 12, newSize: 10, message: 'the log shrank' } satisfies LogProblem;

const login = {
  node: 'https://rr.example',
  name: 'Population register',
  expiresAt: '2025-03-01T13:00:00Z',
  sessionKept: true,
} satisfies LoginSummary;

describe('the --json reports share the window’s declarations', () => {
  it('type-checks the samples (the check is `npm run check`; this keeps them in use)', () => {
    expect(certReport.qualification.qscd).toBe(true);
    expect(trustUpdate.status.lists[0]?.territory).toBe('EE');
    expect(extended.extended[0]?.signatures[0]?.from).toBe('B-LT');
    expect(listing.dataFiles).toHaveLength(1);
    expect(problem.kind).toBe('historyRewritten');
    expect(login.sessionKept).toBe(true);
  });
});
