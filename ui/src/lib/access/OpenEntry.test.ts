import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
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
  });
});
