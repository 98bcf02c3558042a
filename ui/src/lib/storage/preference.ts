/**
 * The person's preferences (language, theme), kept in the webview's localStorage. Storage may be
 * unavailable (private mode, a locked-down webview); the UI then just forgets between runs.
 */
const PREFIX = 'signet.';

export function readPreference(name: string): string | null {
  try {
    return localStorage.getItem(PREFIX + name);
  } catch {
    return null;
  }
}

export function writePreference(name: string, value: string): void {
  try {
    localStorage.setItem(PREFIX + name, value);
  } catch {
    // Not persisted; the choice still applies until the app closes.
  }
}
