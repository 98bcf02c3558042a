import type { AccessEntryView, AccessLogView, AccessProblem, DashboardView } from '../backend/bindings';

/** The data side as last read: kept while the window lives, refreshed by each screen. */
export const dataState = $state<{
  dashboard: DashboardView | null;
  access: AccessLogView | null;
  /** Entries that arrived while listening, newest first, not yet in `access`. */
  live: AccessEntryView[];
  /** Alarms from listening. */
  alarms: AccessProblem[];
  unread: number;
  /** The entry a clicked notification opened (`node#index`). */
  focus: string | null;
  /** Counts alarms kept outside a read of the data (a vault import): the banner reads them again. */
  keptAlarms: number;
}>({ dashboard: null, access: null, live: [], alarms: [], unread: 0, focus: null, keptAlarms: 0 });

/** A new entry from listening. */
export function arrived(entry: AccessEntryView): void {
  if (dataState.live.some((e) => e.node === entry.node && e.index === entry.index)) return;
  dataState.live = [entry, ...dataState.live];
  dataState.unread += 1;
}

/** Every entry known: the live ones first, then the log as read. */
export function allEntries(): AccessEntryView[] {
  const read = dataState.access?.entries ?? [];
  const fresh = dataState.live.filter((l) => !read.some((e) => e.node === l.node && e.index === l.index));
  return [...fresh, ...read];
}
