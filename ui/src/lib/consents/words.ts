import type { ConsentView } from '../backend/bindings';
import { dataState } from '../data/store.svelte';
import { i18n, tf } from '../i18n/locale.svelte';

/** The data set's name from the holdings, in the window's language, else its id. */
export function dataSetName(node: string, id: string | null, category: string | null): string {
  if (id === null) return tf('consents.category', { category: category ?? '' });
  const agency = dataState.dashboard?.agencies.find((a) => a.node === node);
  const set = agency?.dataSets.find((s) => s.id === id);
  return set ? set.title[i18n.locale] : id;
}

/**
 * Who a consent is for: a member, or any member of a category; with `withCode`, a member's name
 * is followed by its id as the consent names it (what a signed change holds).
 */
export function recipientName(c: ConsentView, withCode = false): string {
  if (c.recipientIsCategory) return tf('consents.anyOf', { category: c.recipient });
  return withCode && c.recipientCode && c.recipientCode !== c.recipient ? `${c.recipient} (${c.recipientCode})` : c.recipient;
}

/** A consent in one sentence: "{who} may (not) see {data}". */
export function consentSentence(node: string, c: ConsentView, withCode = false): string {
  return tf(c.permit ? 'consents.permits' : 'consents.denies', { who: recipientName(c, withCode), data: dataSetName(node, c.dataSet, c.category) });
}
