import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import App from './App.svelte';
import { MOCK_APP_INFO, MockBackend } from './lib/backend/mock';
import { setLocale } from './lib/i18n/locale.svelte';
import { setTheme } from './lib/theme/theme.svelte';

beforeEach(() => setLocale('en'));
afterEach(() => setTheme('system'));

function renderApp(backend = new MockBackend(), preview = false) {
  return render(App, { props: { backend, preview } });
}

describe('the start', () => {
  it('tells the app once that the first screen is mounted with its data', async () => {
    const backend = new MockBackend({ info: { ...MOCK_APP_INFO, version: '4.5.6' } });
    renderApp(backend);
    await waitFor(() => expect(backend.readyCalls).toBe(1));
    expect(screen.getByTestId('app-version').textContent).toBe('4.5.6');
  });
});

describe('the status bar', () => {
  it('shows exactly the version from the backend', async () => {
    renderApp(new MockBackend({ info: { ...MOCK_APP_INFO, version: '1.2.3' } }));
    const version = screen.getByTestId('app-version');
    expect(version.textContent).toBe('');
    await waitFor(() => expect(version.textContent).toBe('1.2.3'));
  });

  it('shows the localised message for a backend error, by its code', async () => {
    setLocale('ru');
    renderApp(
      new MockBackend({
        error: { code: 'IO', message: 'Rust message', recommendation: 'Rust recommendation', key: 'general', params: {} },
      }),
    );
    const alert = await screen.findByTestId('app-info-error');
    expect(alert.textContent?.trim()).toBe('Не удалось прочитать или записать файл.');
    expect(screen.getByTestId('app-version').textContent).toBe('');
  });

  it('marks mock data in a browser preview only', () => {
    renderApp(new MockBackend(), true);
    expect(screen.getByTestId('preview-badge').textContent).toBe('Browser preview — mock data');
  });

  it('has no preview badge in the desktop app', () => {
    renderApp();
    expect(screen.queryByTestId('preview-badge')).toBeNull();
  });
});

describe('the navigation', () => {
  it('moves focus with the arrow keys and activates with Enter and Space', async () => {
    const user = userEvent.setup();
    renderApp();
    const sign = screen.getByTestId('nav-sign');
    const verify = screen.getByTestId('nav-verify');
    const settings = screen.getByTestId('nav-settings');
    expect(sign.getAttribute('aria-current')).toBe('page');

    sign.focus();
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(verify);
    expect(verify.tabIndex).toBe(0);
    expect(sign.tabIndex).toBe(-1);
    expect(screen.getByTestId('section-title').textContent).toBe('Sign');

    await user.keyboard('{Enter}');
    expect(screen.getByTestId('section-title').textContent).toBe('Verify');
    expect(verify.getAttribute('aria-current')).toBe('page');
    expect(sign.hasAttribute('aria-current')).toBe(false);

    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(document.activeElement).toBe(settings);
    await user.keyboard(' ');
    expect(screen.getByTestId('section-title').textContent).toBe('Settings');

    await user.keyboard('{Home}');
    expect(document.activeElement).toBe(sign);
  });

  it('is reached by Tab after the skip link, on the active item only', async () => {
    const user = userEvent.setup();
    renderApp();
    await user.tab();
    expect(document.activeElement?.textContent).toBe('Skip to content');
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId('nav-sign'));
    await user.tab();
    expect(document.activeElement?.closest('nav')).toBeNull();
  });

  it('shows consents as sentences with a switch, and the receipt of a change', async () => {
    const user = userEvent.setup();
    renderApp();
    await user.click(screen.getByTestId('nav-consents'));
    expect(screen.getByTestId('section-title').textContent).toBe('Consents');
    await user.click(screen.getByTestId('consents-load'));
    const [consent, refusal] = await screen.findAllByTestId('consent');
    expect(consent!.textContent).toContain('EE/COM/10137319 may see cardiology');
    const [state, refusalState] = screen.getAllByTestId('consent-state');
    expect(state!.textContent).toBe('On');
    // A refusal's switch is not "may not see … On".
    expect(refusal!.textContent).toContain('may not see');
    expect(refusalState!.textContent).toBe('Refusal on');
    await user.click(screen.getAllByTestId('consent-switch')[0]!);
    const receipt = await screen.findByTestId('consent-receipt');
    expect(receipt.textContent).toContain('receipt-1');
    expect(receipt.textContent).toContain('Verified');
  });
});

describe('the settings', () => {
  it('switch the language of the navigation and the document', async () => {
    const user = userEvent.setup();
    renderApp();
    await user.click(screen.getByTestId('nav-settings'));
    const select = screen.getByTestId('language-select') as HTMLSelectElement;
    expect([...select.options].map((option) => [option.value, option.text])).toEqual([
      ['en', 'English'],
      ['et', 'Eesti'],
      ['ru', 'Русский'],
    ]);

    await user.selectOptions(select, 'et');
    expect(screen.getByTestId('nav-sign').textContent?.trim()).toBe('Allkirjasta');
    expect(screen.getByTestId('nav-access').textContent?.trim()).toBe('Juurdepääsulogi');
    expect(screen.getByTestId('section-title').textContent).toBe('Seaded');
    await waitFor(() => expect(document.documentElement.lang).toBe('et'));
    expect(localStorage.getItem('signet.locale')).toBe('et');

    await user.selectOptions(select, 'ru');
    expect(screen.getByTestId('nav-verify').textContent?.trim()).toBe('Проверить');
    await waitFor(() => expect(document.documentElement.lang).toBe('ru'));
  });

  it('switch and remember the theme', async () => {
    const user = userEvent.setup();
    renderApp();
    await user.click(screen.getByTestId('nav-settings'));
    await user.selectOptions(screen.getByTestId('theme-select'), 'dark');
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    expect(localStorage.getItem('signet.theme')).toBe('dark');
    await user.selectOptions(screen.getByTestId('theme-select'), 'light');
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('light'));
  });

  it('tell what this build is', async () => {
    const user = userEvent.setup();
    renderApp();
    await user.click(screen.getByTestId('nav-settings'));
    await waitFor(() => expect(screen.getByTestId('about-version').textContent).toBe('0.1.0'));
    expect(screen.getByTestId('about-profile').textContent).toBe('Development (debug)');
    expect(screen.getByTestId('backend-pcsc').textContent).toContain('included');
    expect(screen.getByTestId('backend-pkcs11').textContent).toContain('not included');
    expect(screen.getByTestId('about-log-dir').textContent).toBe(MOCK_APP_INFO.logDir);
  });

  it('show the localised error when the build cannot be described', async () => {
    const user = userEvent.setup();
    renderApp(new MockBackend({ error: { code: 'NOT_IMPLEMENTED', message: 'x', recommendation: 'y', key: 'general', params: {} } }));
    await user.click(screen.getByTestId('nav-settings'));
    // The About block, the signing and the notification settings each say it (and the alarms at
    // the top, which could not be read either).
    const notices = (await screen.findAllByTestId('error-notice')).filter((n) => !n.closest('[data-testid="alarms"]'));
    expect(notices.length).toBe(3);
    expect(screen.getByTestId('alarms').textContent).toContain('This feature is not available yet.');
    for (const notice of notices) {
      expect(notice.textContent).toContain('This feature is not available yet.');
      expect(notice.textContent).toContain('Check for an update.');
    }
  });
});
