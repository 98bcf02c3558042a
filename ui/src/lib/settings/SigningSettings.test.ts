import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';
import SigningSettings from './SigningSettings.svelte';

beforeEach(() => setLocale('en'));

describe('the signing settings', () => {
  it('use the PIN pad by default, and can turn it off', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    render(SigningSettings, { props: { backend } });
    const pad = (await screen.findByTestId('settings-pin-pad')) as HTMLInputElement;
    await waitFor(() => expect(pad.checked).toBe(true));
    expect(pad.parentElement?.textContent).toContain("Use the card reader's PIN pad");

    await user.click(pad);
    await user.click(screen.getByTestId('settings-save'));
    await screen.findByTestId('settings-saved');
    expect((await backend.loadSettings()).pinPad).toBe(false);

    // Turned on again, nothing is stored: unset means "use it".
    await user.click(pad);
    await user.click(screen.getByTestId('settings-save'));
    await waitFor(async () => expect((await backend.loadSettings()).pinPad).toBeNull());
  });
});
