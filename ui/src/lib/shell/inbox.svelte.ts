/** Files handed to a screen from outside it: "open with Signet", a drop, "verify" after signing. */
export const inbox = $state<{ sign: string[]; verify: string[]; batch: string[] }>({
  sign: [],
  verify: [],
  batch: [],
});

/** A screen that takes files. */
export type FileScreen = 'sign' | 'verify' | 'batch';

/** Hands `files` to `screen`. */
export function deliver(screen: FileScreen, files: string[]): void {
  inbox[screen] = [...files];
}

/** Takes what was handed to `screen`. */
export function take(screen: FileScreen): string[] {
  const files = inbox[screen];
  inbox[screen] = [];
  return files;
}

/** Jobs using the card right now: the card state is not polled meanwhile (no second card
 * session between a PIN's verification and the signature). */
export const activity = $state({ cardJobs: 0 });
