import type { Backend } from './backend';
import type { ApiError, AppInfo } from './bindings';

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
};

export interface MockOptions {
  /** What `appInfo` resolves with; defaults to `MOCK_APP_INFO`. */
  info?: AppInfo;
  /** When set, every call rejects with this error instead. */
  error?: ApiError;
}

/** A backend of fixtures, for unit tests and for the UI running in a plain browser. */
export class MockBackend implements Backend {
  readonly #info: AppInfo;
  readonly #error: ApiError | undefined;

  constructor(options: MockOptions = {}) {
    this.#info = options.info ?? MOCK_APP_INFO;
    this.#error = options.error;
  }

  appInfo(): Promise<AppInfo> {
    return this.#error ? Promise.reject(this.#error) : Promise.resolve(structuredClone(this.#info));
  }
}
