import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';

beforeEach(() => setLocale('en'));

describe('the notification settings', () => {
  it('choose per agency: every query, a daily summary or off, saved at once', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    render(App, { props: { backend } });
    await user.click(await screen.findByTestId('nav-settings'));
    await waitFor(() => expect(screen.getAllByTestId('notify-mode')).toHaveLength(2));
    const [rr] = screen.getAllByTestId('notify-mode') as HTMLSelectElement[];
    expect(rr!.value).toBe('everyQuery');
    expect(screen.getByLabelText('Population Register')).toBe(rr);
    await user.selectOptions(rr!, 'Once a day, in a summary');
    expect((await screen.findByTestId('notify-saved')).textContent).toBe('Saved for Population Register.');
    expect((await backend.listeningAgencies()).map((a) => a.mode)).toEqual(['dailyDigest', 'everyQuery']);
  });

  it('start at login: a change that fails shows why, and the box shows what is in force again', async () => {
    class Failing extends MockBackend {
      override setStartAtLogin(): Promise<boolean> {
        return Promise.reject({ code: 'IO', message: 'autostart folder read-only', recommendation: 'Check the folder.', key: 'general', params: {} });
      }
    }
    const user = userEvent.setup();
    render(App, { props: { backend: new Failing() } });
    await user.click(await screen.findByTestId('nav-settings'));
    const box = (await screen.findByTestId('start-at-login')) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await user.click(box);
    await screen.findByTestId('error-notice');
    expect(box.checked).toBe(false);
  });
});
