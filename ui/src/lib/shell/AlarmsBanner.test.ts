import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import type { AlarmView } from '../backend/bindings';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';

beforeEach(() => setLocale('en'));

const REMOVED: AlarmView = {
  id: '0123456789abcdef0123456789abcdef',
  node: 'https://rr.example',
  agency: 'Population Register',
  kind: 'entryRemoved',
  raisedAt: '2026-12-06T12:00:00Z',
  message: 'entry 3 of the log of https://rr.example, served before with a valid proof, is no longer served',
  checkpoints: 0,
  entry: {
    node: 'https://rr.example',
    agency: 'Population Register',
    index: 3,
    time: '2026-12-05T09:30:00Z',
    receiver: 'Police and Border Guard Board (70008747)',
    official: null,
    action: 'Päring: Rahvastikuregister',
    dataSets: ['population'],
    purpose: 'Traffic check',
    legalBasis: null,
    hiddenUntil: null,
    verified: false,
    outcome: 'served',
    removed: true,
  },
};

describe('alarms about an agency log', () => {
  it('are shown on every screen in words, with the evidence to save, until dismissed', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    backend.raiseAlarm(REMOVED);
    backend.raiseAlarm({ ...REMOVED, id: 'fedcba98', kind: 'twoCheckpoints', checkpoints: 2, entry: null });
    render(App, { props: { backend } });
    await waitFor(() => expect(screen.getAllByTestId('alarm')).toHaveLength(2));
    const [removed, two] = screen.getAllByTestId('alarm');
    expect(removed?.textContent).toContain('Population Register: a use of your data was removed from its access log');
    expect(screen.getByTestId('alarm-entry').textContent).toContain('Police and Border Guard Board (70008747): Traffic check');
    expect(two?.textContent).toContain('two different versions of its access log');
    expect(two?.textContent).toContain('signed versions kept: 2');
    // Not by colour alone: a warning sign and words.
    expect(removed?.textContent).toContain('⚠');
    expect(removed?.getAttribute('role')).toBe('alert');

    await user.click(screen.getAllByTestId('alarm-save')[0]!);
    expect((await screen.findByTestId('alarm-saved')).textContent).toContain('/home/mari/out/signet-alarm-2026-12-06-01234567.json');

    await user.click(screen.getAllByTestId('alarm-dismiss')[0]!);
    await waitFor(() => expect(screen.getAllByTestId('alarm')).toHaveLength(1));
    expect((await backend.loadAlarms()).map((a) => a.id)).toEqual(['fedcba98']);
  });

  it('are in Estonian and Russian too', async () => {
    const backend = new MockBackend();
    backend.raiseAlarm(REMOVED);
    setLocale('et');
    const { unmount } = render(App, { props: { backend } });
    expect((await screen.findByTestId('alarm')).textContent).toContain('sinu andmete kasutus on juurdepääsulogist eemaldatud');
    unmount();
    setLocale('ru');
    render(App, { props: { backend } });
    expect((await screen.findByTestId('alarm')).textContent).toContain('обращение к вашим данным удалено из журнала');
  });
});
