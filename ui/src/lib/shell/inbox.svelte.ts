/** Files handed to a screen from outside it: "open with Signet", a drop, "verify" after signing. */
export const inbox = $state<{ sign: string[]; verify: string[]; batch: string[] }>({
  sign: [],
  verify: [],
  batch: [],
});

/** A screen that takes files. */
export type FileScreen = 'sign' | 'verify' | 'batch';

/** The extensions of signed containers: opened with Signet, they go to Verify. */
const CONTAINERS = ['asice', 'sce', 'bdoc', 'asics', 'scs', 'edoc', 'adoc'];

/** Where files opened with Signet go: Verify when every one is a container, else Sign. */
export function screenFor(files: string[]): 'sign' | 'verify' {
  const all = files.every((f) => CONTAINERS.includes(f.split('.').pop()?.toLowerCase() ?? ''));
  return all ? 'verify' : 'sign';
}

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
