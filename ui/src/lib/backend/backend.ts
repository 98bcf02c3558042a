import type { AppInfo } from './bindings';

/**
 * Everything the UI asks of the Rust side. Every method rejects only with an `ApiError`.
 */
export interface Backend {
  /** What this build of Signet is: name, version, profile, optional back ends, log folder. */
  appInfo(): Promise<AppInfo>;
}
