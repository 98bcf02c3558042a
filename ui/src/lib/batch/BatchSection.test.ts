import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';

beforeEach(() => setLocale('en'));

describe('a batch in the window', () => {
  it('reviews the files, asks a PIN per signature saying which of how many, and reports', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ picked: ['/home/mari/a.pdf', '/home/mari/b.pdf'] });
    render(App, { props: { backend } });
    await user.click(screen.getByTestId('nav-batch'));
    await user.click(screen.getByTestId('batch-pick'));
    await screen.findByTestId('batch-plan');
    expect(screen.getByTestId('batch-to-sign').textContent).toBe('2');
    expect(screen.getAllByRole('row')).toHaveLength(3);
    await user.click(screen.getByTestId('batch-run'));

    for (const n of [1, 2]) {
      await waitFor(() => expect(screen.getByTestId('pin-position').textContent).toBe(`Signature ${n} of 2`));
      const input = screen.getByTestId('pin-input') as HTMLInputElement;
      await user.type(input, '12345{Enter}');
      expect(input.value).toBe('');
    }
    const summary = await screen.findByTestId('batch-summary');
    expect(summary.textContent).toContain('Signed now: 2');
    expect(screen.getByTestId('batch-report').textContent).toContain('signet-batch-report.csv');
    expect(backend.answered.map((a) => a.requestId)).toEqual([1, 2]);
  });
});
