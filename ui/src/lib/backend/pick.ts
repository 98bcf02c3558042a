import { isTauri } from '@tauri-apps/api/core';

import type { Backend } from './backend';
import { MockBackend } from './mock';
import { TauriBackend } from './tauri';

export interface PickedBackend {
  backend: Backend;
  /** True when the page runs in a plain browser and shows mock data. */
  preview: boolean;
}

/** The Tauri backend inside the desktop app, the mock anywhere else. */
export function pickBackend(): PickedBackend {
  return isTauri()
    ? { backend: new TauriBackend(), preview: false }
    : { backend: new MockBackend(), preview: true };
}
