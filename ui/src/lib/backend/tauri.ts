import { invoke } from '@tauri-apps/api/core';

import type { Backend } from './backend';
import type { AppInfo } from './bindings';
import { toApiError } from './error';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

/** The backend of the desktop app: Tauri commands implemented in `src-tauri`. */
export class TauriBackend implements Backend {
  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  }
}
