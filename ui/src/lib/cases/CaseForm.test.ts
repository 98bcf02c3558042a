import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';

beforeEach(() => setLocale('en'));

describe('a correction from My data', () => {
  it('says what is missing until it is written, sends the field named, and lists it with its state', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    render(App, { props: { backend } });
    await user.click(screen.getByTestId('nav-data'));
    await user.click(screen.getByTestId('data-load'));
    await user.type(await screen.findByTestId('pin-input'), '1234{Enter}');
    // The address (the first field; the date of birth follows).
    await user.click((await screen.findAllByTestId('field-wrong'))[0]!);
    await user.click(screen.getByTestId('case-send'));
    expect(screen.getByTestId('case-missing').textContent).toContain('Write what the value should be');
    await user.type(screen.getByTestId('case-value'), '  Tartu, Rüütli 1 ');
    await user.type(screen.getByTestId('case-why'), 'I moved in March.');
    expect(screen.queryByTestId('case-missing')).toBeNull();
    await user.click(screen.getByTestId('case-send'));
    const receipt = await screen.findByTestId('case-receipt');
    expect(receipt.textContent).toContain('Correction sent to');
    expect(screen.getByTestId('case-receipt-verified').textContent).toContain('receipt verified');

    await user.click(screen.getByTestId('cases-load'));
    await waitFor(() => expect(screen.getAllByTestId('case')).toHaveLength(1));
    const listed = screen.getByTestId('case');
    expect(listed.dataset.state).toBe('pending');
    // The field by its name in My data, the value trimmed.
    expect(listed.textContent).toContain('Address (Residence)');
    expect(listed.textContent).toContain('“Tartu, Rüütli 1”');
    expect(listed.textContent).toContain('Waiting for the agency');
  });
});
