import { readPreference, writePreference } from '../storage/preference';

export const THEMES = ['system', 'light', 'dark'] as const;

/** What the person chose: a fixed theme, or whatever the operating system uses. */
export type ThemePreference = (typeof THEMES)[number];

/** The theme actually shown. */
export type ResolvedTheme = Exclude<ThemePreference, 'system'>;

const PREFERENCE = 'theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

function isThemePreference(value: unknown): value is ThemePreference {
  return (THEMES as readonly unknown[]).includes(value);
}

function systemQuery(): MediaQueryList | undefined {
  return typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : undefined;
}

const stored = readPreference(PREFERENCE);
let preference = $state<ThemePreference>(isThemePreference(stored) ? stored : 'system');
let systemDark = $state(systemQuery()?.matches ?? false);

export const theme = {
  get preference(): ThemePreference {
    return preference;
  },
  get resolved(): ResolvedTheme {
    if (preference !== 'system') return preference;
    return systemDark ? 'dark' : 'light';
  },
};

/** Applies and remembers the person's choice. */
export function setTheme(choice: ThemePreference): void {
  preference = choice;
  writePreference(PREFERENCE, choice);
}

/** Tracks the operating system's light/dark setting; returns the function that stops tracking. */
export function followSystemTheme(): () => void {
  const query = systemQuery();
  if (!query) return () => {};
  const update = (): void => {
    systemDark = query.matches;
  };
  update();
  query.addEventListener('change', update);
  return () => query.removeEventListener('change', update);
}
