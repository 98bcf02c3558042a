import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import { MockBackend } from '../backend/mock';
import { dataState } from '../data/store.svelte';
import { setLocale } from '../i18n/locale.svelte';
import VaultTransfer from './VaultTransfer.svelte';

beforeEach(() => setLocale('en'));

describe('moving the vault to another computer', () => {
  it('exports under a passphrase typed twice, and imports with it, clearing the fields', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    render(VaultTransfer, { props: { backend } });
    const pass = screen.getByTestId('transfer-export-pass') as HTMLInputElement;
    const repeat = screen.getByTestId('transfer-export-repeat') as HTMLInputElement;
    expect(pass.type).toBe('password');
    await user.type(pass, 'short');
    await user.click(screen.getByTestId('transfer-export'));
    expect(screen.getByTestId('transfer-problem').textContent).toContain('at least 8 characters');
    await user.clear(pass);
    await user.type(pass, 'seven horses strong');
    await user.type(repeat, 'seven horses wrong');
    await user.click(screen.getByTestId('transfer-export'));
    expect(screen.getByTestId('transfer-problem').textContent).toContain('differ');
    await user.clear(repeat);
    await user.type(repeat, 'seven horses strong');
    await user.click(screen.getByTestId('transfer-export'));
    expect((await screen.findByTestId('transfer-done')).textContent).toContain('/home/mari/out/signet-vault-2026-12-06.signetvault');
    expect(pass.value).toBe('');
    expect(repeat.value).toBe('');

    await user.click(screen.getByTestId('transfer-pick'));
    const importPass = (await screen.findByTestId('transfer-import-pass')) as HTMLInputElement;
    await user.type(importPass, 'not it');
    await user.click(screen.getByTestId('transfer-import'));
    expect((await screen.findByTestId('error-notice')).textContent).toBeTruthy();
    expect(importPass.value).toBe('');
    await user.type(importPass, 'seven horses strong');
    await user.click(screen.getByTestId('transfer-import'));
    expect((await screen.findByTestId('transfer-done')).textContent).toContain('Imported: 42 records');
    expect(screen.queryByTestId('transfer-problem')).toBeNull();
  });

  it('says when the import met another history of an agency\'s log, and has the alarms read again', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    backend.importAlarms = 1;
    render(VaultTransfer, { props: { backend } });
    const before = dataState.keptAlarms;
    await user.type(screen.getByTestId('transfer-export-pass'), 'seven horses strong');
    await user.type(screen.getByTestId('transfer-export-repeat'), 'seven horses strong');
    await user.click(screen.getByTestId('transfer-export'));
    await screen.findByTestId('transfer-done');
    await user.click(screen.getByTestId('transfer-pick'));
    await user.type(await screen.findByTestId('transfer-import-pass'), 'seven horses strong');
    await user.click(screen.getByTestId('transfer-import'));
    expect((await screen.findByTestId('transfer-done')).textContent).toContain('Imported: 42 records');
    expect(screen.getByTestId('transfer-problem').textContent).toContain('different history');
    expect(dataState.keptAlarms).toBe(before + 1);
  });
});
