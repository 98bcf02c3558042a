import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { PinRequest } from '../backend/bindings';
import { MOCK_CONSENTS } from '../backend/mockData';
import { setLocale } from '../i18n/locale.svelte';
import PinDialog from './PinDialog.svelte';

beforeEach(() => setLocale('en'));

function request(overrides: Partial<PinRequest> = {}): PinRequest {
  return {
    id: 1,
    secret: 'pin2',
    triesLeft: 3,
    retry: false,
    signer: 'Mari Tamm (38001085718)',
    documents: [{ name: 'contract.pdf', path: '/home/mari/contract.pdf', size: 812, sha256: 'ab'.repeat(32) }],
    position: null,
    pinPad: false,
    newValue: false,
    consentChange: null,
    ...overrides,
  };
}

describe('the PIN dialog on a reader with a PIN pad', () => {
  it('says to type PIN2 on the keypad, has no field to type it in, and can be cancelled', async () => {
    const user = userEvent.setup();
    const onanswer = vi.fn();
    const oncancel = vi.fn();
    render(PinDialog, { props: { request: request({ pinPad: true }), onanswer, oncancel } });
    expect(screen.getByTestId('pin-pad').textContent).toBe("Enter PIN2 on the reader's keypad.");
    expect(screen.queryByTestId('pin-input')).toBeNull();
    expect(screen.queryByTestId('pin-submit')).toBeNull();
    expect(screen.getByTestId('pin-dialog').querySelector('input')).toBeNull();
    // What is signed and the tries left are shown as for a typed PIN.
    expect(screen.getByTestId('pin-documents').textContent).toContain('contract.pdf');
    expect(screen.getByTestId('pin-tries').textContent).toContain('3');
    await user.click(screen.getByTestId('pin-cancel'));
    expect(oncancel).toHaveBeenCalledOnce();
    expect(onanswer).not.toHaveBeenCalled();
  });

  it('speaks Estonian and Russian, and says a wrong PIN typed on the pad', () => {
    setLocale('et');
    const { unmount } = render(PinDialog, {
      props: { request: request({ pinPad: true, retry: true, triesLeft: 2 }), onanswer: vi.fn(), oncancel: vi.fn() },
    });
    expect(screen.getByTestId('pin-pad').textContent).toBe('Sisesta PIN2 kaardilugeja klahvistikul.');
    expect(screen.getByTestId('pin-retry')).toBeTruthy();
    expect(screen.getByTestId('pin-tries').textContent).toContain('2');
    unmount();
    setLocale('ru');
    render(PinDialog, { props: { request: request({ pinPad: true }), onanswer: vi.fn(), oncancel: vi.fn() } });
    expect(screen.getByTestId('pin-pad').textContent).toBe('Введите PIN2 на клавиатуре считывателя.');
  });

  it('without a pad, asks for the PIN in a field', () => {
    render(PinDialog, { props: { request: request(), onanswer: vi.fn(), oncancel: vi.fn() } });
    expect(screen.getByTestId('pin-input')).toBeTruthy();
    expect(screen.queryByTestId('pin-pad')).toBeNull();
  });
});

describe('the PIN dialog signing a change of consent', () => {
  it('says the change in words, in the window\'s language, above the file that carries it', () => {
    const consent = { ...MOCK_CONSENTS.agencies[0]!.consents[0]!, purpose: 'Ravi' };
    const change = { node: 'https://tis.example', on: false, consent };
    const documents = [{ name: 'consent.json', path: 'consent.json', size: 312, sha256: 'cd'.repeat(32) }];
    const { unmount } = render(PinDialog, {
      props: { request: request({ consentChange: change, documents }), onanswer: vi.fn(), oncancel: vi.fn() },
    });
    expect(screen.getByTestId('pin-consent-change').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Switch off: EE/COM/10137319 may see cardiology (for Ravi)',
    );
    expect(screen.getByTestId('pin-documents').textContent).toContain('consent.json');
    // Switching off says nothing of terms; switching on says it has no end date.
    expect(screen.queryByTestId('pin-consent-terms')).toBeNull();
    unmount();
    // A member the agency names: the name, then the id the signed change holds.
    const named = { ...consent, recipient: 'Tähe Hambakliinik OÜ', recipientCode: 'EE/COM/10137319/hambaravi', purpose: null };
    const second = render(PinDialog, {
      props: { request: request({ consentChange: { ...change, consent: named }, documents }), onanswer: vi.fn(), oncancel: vi.fn() },
    });
    expect(screen.getByTestId('pin-consent-change').textContent?.trim()).toBe(
      'Switch off: Tähe Hambakliinik OÜ (EE/COM/10137319/hambaravi) may see cardiology',
    );
    second.unmount();
    setLocale('ru');
    render(PinDialog, {
      props: { request: request({ consentChange: { ...change, on: true, consent: { ...consent, permit: false } }, documents }), onanswer: vi.fn(), oncancel: vi.fn() },
    });
    expect(screen.getByTestId('pin-consent-change').textContent).toContain('Включить:');
    expect(screen.getByTestId('pin-consent-terms').textContent).toBe('Оно действует с этого момента, без даты окончания, пока вы его не выключите.');
    expect(screen.queryByTestId('pin-consent-change')?.textContent).not.toContain('{');
  });
});
