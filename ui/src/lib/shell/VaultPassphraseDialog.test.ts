import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';

beforeEach(() => setLocale('en'));

/** The window, once it listens for the vault's passphrase requests. */
async function window(): Promise<{ backend: MockBackend; user: ReturnType<typeof userEvent.setup> }> {
  const user = userEvent.setup();
  const backend = new MockBackend();
  render(App, { props: { backend } });
  await screen.findByTestId('section-title');
  return { backend, user };
}

describe("the vault's passphrase in the window", () => {
  it('has a new one chosen twice, saying why, and sends it once', async () => {
    const { backend, user } = await window();
    backend.askVaultPassphrase({ id: 1, new: true, again: null });
    const dialog = await screen.findByTestId('vault-dialog');
    expect(dialog.textContent).toContain("Choose a passphrase for Signet's vault");
    expect(screen.getByTestId('vault-why').textContent).toContain('there is no keyring here');

    const input = screen.getByTestId('vault-input') as HTMLInputElement;
    const repeat = screen.getByTestId('vault-repeat') as HTMLInputElement;
    expect(input.type).toBe('password');
    await user.type(input, 'seven horses strong');
    await user.type(repeat, 'seven horses wrong');
    await user.click(screen.getByTestId('vault-submit'));
    expect(screen.getByTestId('vault-mismatch').textContent).toContain('differ');
    expect(backend.vaultAnswers).toEqual([]);

    await user.type(repeat, 'seven horses strong');
    await user.click(screen.getByTestId('vault-submit'));
    expect(backend.vaultAnswers).toEqual([{ id: 1, passphrase: 'seven horses strong' }]);
    expect(input.value).toBe('');
    await waitFor(() => expect(screen.queryByTestId('vault-dialog')).toBeNull());
  });

  it('asks again after a wrong one, and "Not now" answers with nothing', async () => {
    const { backend, user } = await window();
    backend.askVaultPassphrase({ id: 7, new: false, again: 'wrong' });
    await screen.findByTestId('vault-dialog');
    expect(screen.getByTestId('vault-wrong').textContent).toContain('does not open the vault');
    expect(screen.queryByTestId('vault-repeat')).toBeNull();
    expect(screen.getByTestId('vault-submit').textContent).toBe('Open');

    await user.click(screen.getByTestId('vault-not-now'));
    expect(backend.vaultAnswers).toEqual([{ id: 7, passphrase: null }]);
    await waitFor(() => expect(screen.queryByTestId('vault-dialog')).toBeNull());

    // A new one too short comes back saying so.
    backend.askVaultPassphrase({ id: 8, new: true, again: 'tooShort' });
    expect((await screen.findByTestId('vault-too-short')).textContent).toContain('at least 8 characters');
  });

  it('speaks the window language', async () => {
    setLocale('et');
    const { backend } = await window();
    backend.askVaultPassphrase({ id: 1, new: false, again: null });
    const dialog = await screen.findByTestId('vault-dialog');
    expect(dialog.textContent).toContain('Signeti hoidla paroolifraas');
    expect(screen.getByTestId('vault-not-now').textContent).toBe('Mitte praegu');
  });
});
