import type { Backend } from '../backend/backend';
import type { Routed } from '../backend/bindings';
import { deliver, type FileScreen } from './inbox.svelte';

/** What a drop does: the files each screen receives, and the screen shown. */
export interface DropPlan {
  deliveries: [FileScreen, string[]][];
  show: FileScreen;
}

/**
 * Where dropped files go, by the engine's classification (`routeFiles`): files to sign to
 * Sign, signed PDFs and containers to Verify, folders to Batch — each screen gets its own, in
 * the order dropped. The screen shown is Sign when anything is to be signed, else Verify, else
 * Batch.
 */
export function planDrop(routed: readonly Routed[]): DropPlan {
  const order: FileScreen[] = ['sign', 'verify', 'batch'];
  const deliveries = order
    .map((screen): [FileScreen, string[]] => [screen, routed.filter((r) => r.destination === screen).map((r) => r.path)])
    .filter(([, files]) => files.length > 0);
  return { deliveries, show: deliveries[0]?.[0] ?? 'sign' };
}

/**
 * Routes files dropped on the window and hands them to their screens; resolves with the screen
 * to show (null when nothing was dropped). When the engine cannot classify them (a file that
 * cannot be read), they all go to Sign, whose proposal then says what is wrong with which file.
 */
export async function routeDrop(backend: Backend, files: string[]): Promise<FileScreen | null> {
  if (files.length === 0) return null;
  let plan: DropPlan;
  try {
    plan = planDrop(await backend.routeFiles(files));
  } catch {
    plan = { deliveries: [['sign', files]], show: 'sign' };
  }
  for (const [screen, paths] of plan.deliveries) deliver(screen, paths);
  return plan.show;
}
