import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
import { MOCK_DASHBOARD } from '../backend/mockData';
import { dataState } from '../data/store.svelte';
import { setLocale } from '../i18n/locale.svelte';

beforeEach(() => setLocale('en'));

describe('a click on a notification', () => {
  it('opens the access log at the entry it is about', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    render(App, { props: { backend } });
    await user.click(await screen.findByTestId('nav-access'));
    await user.click(screen.getByTestId('access-load'));
    await screen.findByTestId('access-entry');
    await user.click(screen.getByTestId('nav-sign'));
    expect(screen.getByTestId('section-title').textContent).not.toBe('Access log');

    backend.clickNotification({ node: 'https://rr.example', index: 3 });
    await waitFor(() => expect(screen.getByTestId('section-title').textContent).toBe('Access log'));
    const entry = screen.getByTestId('access-entry');
    expect(entry.dataset.focused).toBe('yes');
    await waitFor(() => expect(document.activeElement).toBe(entry));

    // Shown once: back on the access log after another screen, nothing is highlighted.
    await user.click(screen.getByTestId('nav-sign'));
    await user.click(screen.getByTestId('nav-access'));
    expect(screen.getByTestId('access-entry').dataset.focused).toBeUndefined();
  });
});

describe('what a query released', () => {
  it('is named as the agency names the data set in the holdings, in the window language', async () => {
    const user = userEvent.setup();
    render(App, { props: { backend: new MockBackend() } });
    await user.click(await screen.findByTestId('nav-access'));
    await user.click(screen.getByTestId('access-load'));
    // Before the holdings are loaded: the data set's id, never the node's own words.
    const what = await screen.findByTestId('access-what');
    expect(what.textContent).toBe('residence');

    dataState.dashboard = structuredClone(MOCK_DASHBOARD);
    await waitFor(() => expect(screen.getByTestId('access-what').textContent).toBe('Residence'));
    setLocale('ru');
    await waitFor(() => expect(screen.getByTestId('access-what').textContent).toBe('Место жительства'));
    dataState.dashboard = null;
  });
});
