import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';
import SigningSettings from './SigningSettings.svelte';

beforeEach(() => setLocale('en'));

async function openSettings(backend = new MockBackend()) {
  const user = userEvent.setup();
  render(App, { props: { backend } });
  await user.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('settings-output');
  return { user, backend };
}

describe('where signed files are saved', () => {
  it('is next to the original until the person picks a folder, which is then stored', async () => {
    const { user, backend } = await openSettings();
    const beside = screen.getByTestId('settings-output-beside') as HTMLInputElement;
    await waitFor(() => expect(beside.checked).toBe(true));
    expect(screen.getByTestId('settings-output-dir').textContent).toBe('No folder chosen yet');

    await user.click(screen.getByTestId('settings-output-choose'));
    await waitFor(() => expect(screen.getByTestId('settings-output-dir').textContent).toBe('/home/mari/out'));
    expect((screen.getByTestId('settings-output-folder') as HTMLInputElement).checked).toBe(true);
    await user.click(screen.getByTestId('settings-save'));
    await screen.findByTestId('settings-saved');
    expect((await backend.loadSettings()).outputDir).toBe('/home/mari/out');

    // Back to "next to the original": nothing stored.
    await user.click(beside);
    await user.click(screen.getByTestId('settings-save'));
    await waitFor(async () => expect((await backend.loadSettings()).outputDir).toBeNull());
  });

  it('says what to do when "in this folder" is chosen without a folder, and stores nothing', async () => {
    const { user, backend } = await openSettings();
    await user.click(screen.getByTestId('settings-output-folder'));
    await user.click(screen.getByTestId('settings-save'));
    const alert = await screen.findByTestId('settings-output-missing');
    expect(alert.textContent).toContain('choose one with “Choose folder…”');
    expect(screen.queryByTestId('settings-saved')).toBeNull();
    expect((await backend.loadSettings()).outputDir).toBeNull();
  });

  it('is offered in Estonian and Russian too', async () => {
    setLocale('et');
    await openSettings();
    expect(screen.getByTestId('settings-output').textContent).toContain('Originaali kõrvale');
    setLocale('ru');
    await waitFor(() => expect(screen.getByTestId('settings-output').textContent).toContain('Рядом с оригиналом'));
  });
});

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
