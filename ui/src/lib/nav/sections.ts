import type { MessageKey } from '../i18n/catalogues';

/** The sections of the app, in the order of the navigation. */
export const SECTIONS = ['sign', 'verify', 'batch', 'card', 'data', 'consents', 'access', 'settings'] as const;

export type SectionId = (typeof SECTIONS)[number];

/** The catalogue key of a section's name, used in the navigation and as its heading. */
export function sectionLabel(id: SectionId): MessageKey {
  return `nav.${id}`;
}
