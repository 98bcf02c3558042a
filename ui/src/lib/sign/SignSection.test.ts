import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';

beforeEach(() => setLocale('en'));

describe('signing in the window', () => {
  it('proposes by the rule, asks the PIN naming what is signed, and answers it once', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ opened: ['/home/mari/contract.pdf'] });
    render(App, { props: { backend } });
    const why = await screen.findByTestId('sign-why');
    expect(why.textContent).toBe('PDFs get their signature inside the file itself.');
    expect(screen.getByTestId('sign-outputs').textContent).toContain('/home/mari/contract.signed.pdf');

    // A visible signature on page 2.
    await user.click(screen.getByTestId('sign-visible'));
    await user.selectOptions(screen.getByTestId('sign-page'), '2');
    expect(screen.getByTestId('sign-box').getAttribute('aria-valuetext')).toContain('page 2');

    await user.click(screen.getByTestId('sign-submit'));
    const dialog = await screen.findByTestId('pin-dialog');
    expect(dialog.textContent).toContain('Enter PIN2');
    expect(dialog.textContent).toContain('Mari Tamm (38001085718)');
    expect(screen.getByTestId('pin-documents').textContent).toContain('contract.pdf');
    expect(screen.getByTestId('pin-tries').textContent).toContain('3');

    const input = screen.getByTestId('pin-input') as HTMLInputElement;
    await user.type(input, '12345');
    await user.click(screen.getByTestId('pin-submit'));
    expect(input.value).toBe('');
    await screen.findByTestId('sign-result');
    expect(screen.getByTestId('sign-output').textContent).toBe('/home/mari/contract.signed.pdf');
    expect(backend.answered).toEqual([{ jobId: expect.any(Number), requestId: 1, secret: 'pin2' }]);
    expect(screen.queryByTestId('pin-dialog')).toBeNull();
  });

  it('puts a PDF and a text file into one container and says why', async () => {
    const backend = new MockBackend({ opened: ['/home/mari/a.pdf', '/home/mari/notes.txt'] });
    render(App, { props: { backend } });
    const why = await screen.findByTestId('sign-why');
    expect(why.textContent).toBe('Not every file is a PDF, so all of them go into one signed container.');
    expect(screen.getByTestId('sign-outputs').textContent).toContain('/home/mari/a.asice');
    expect(screen.queryByTestId('sign-visible')).toBeNull();
  });

  it('shows a verdict in words, not by colour alone', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ picked: ['/home/mari/contract.signed.pdf'] });
    render(App, { props: { backend } });
    await user.click(screen.getByTestId('nav-verify'));
    await user.click(screen.getByTestId('verify-pick'));
    await waitFor(() => expect(screen.getAllByTestId('verdict').length).toBeGreaterThan(0));
    expect(screen.getAllByTestId('verdict')[0]?.textContent?.trim()).toBe('Valid');
    expect(screen.getByTestId('signer').textContent?.trim()).toBe('Mari Tamm (38001085718)');
    expect(screen.getByTestId('verify-trust').textContent).toContain('Trusted list (EE) of 1 Dec 2026');
  });
});
