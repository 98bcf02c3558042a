import { render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import type { Routed } from '../backend/bindings';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';
import { planDrop, routeDrop } from './drop';
import { inbox, take } from './inbox.svelte';

// WebDriver cannot drive a native drop onto the window: the routing is tested here, on what the
// engine's classification (`route_files`) answers, and through the app's drop listener.

beforeEach(() => {
  setLocale('en');
  take('sign');
  take('verify');
  take('batch');
});

const r = (path: string, destination: Routed['destination']): Routed => ({ path, destination });

describe('planning a drop', () => {
  it('sends files to sign to Sign, signed ones to Verify, folders to Batch, in the order dropped', () => {
    expect(
      planDrop([
        r('/d/deed.asice', 'verify'),
        r('/d/contract.pdf', 'sign'),
        r('/d/deeds', 'batch'),
        r('/d/notes.txt', 'sign'),
        r('/d/signed.pdf', 'verify'),
      ]),
    ).toEqual({
      deliveries: [
        ['sign', ['/d/contract.pdf', '/d/notes.txt']],
        ['verify', ['/d/deed.asice', '/d/signed.pdf']],
        ['batch', ['/d/deeds']],
      ],
      show: 'sign',
    });
  });

  it('shows Verify when everything dropped is signed, Batch for folders only', () => {
    expect(planDrop([r('/d/a.asice', 'verify'), r('/d/b.pdf', 'verify')]).show).toBe('verify');
    expect(planDrop([r('/d/deeds', 'batch')]).show).toBe('batch');
    expect(planDrop([])).toEqual({ deliveries: [], show: 'sign' });
  });
});

describe('routing a drop', () => {
  it('asks the engine where each file goes and hands them over', async () => {
    const backend = new MockBackend();
    expect(await routeDrop(backend, ['/d/deed.asice', '/d/contract.signed.pdf'])).toBe('verify');
    expect(inbox.verify).toEqual(['/d/deed.asice', '/d/contract.signed.pdf']);
    expect(inbox.sign).toEqual([]);
    expect(await routeDrop(backend, [])).toBeNull();
  });

  it('sends everything to Sign when the engine cannot classify them, where the error is told', async () => {
    const backend = new MockBackend({ error: { code: 'FILE_NOT_FOUND', message: '/d/gone.pdf does not exist', recommendation: '', key: 'fileNotFound', params: { file: '/d/gone.pdf' } } });
    expect(await routeDrop(backend, ['/d/gone.pdf'])).toBe('sign');
    expect(inbox.sign).toEqual(['/d/gone.pdf']);
  });

  it('opens the screen a drop on the window belongs to', async () => {
    const backend = new MockBackend();
    render(App, { props: { backend } });
    expect(screen.getByTestId('section-title').textContent).toBe('Sign');
    await waitFor(() => backend.drop(['/home/mari/deed.asice']));
    await waitFor(() => expect(screen.getByTestId('section-title').textContent).toBe('Verify'));
    await screen.findByTestId('verify-result');
    backend.drop(['/home/mari/notes.txt']);
    await waitFor(() => expect(screen.getByTestId('section-title').textContent).toBe('Sign'));
  });

  it('routes the files Signet was started with the same way: a container opens on Verify', async () => {
    render(App, { props: { backend: new MockBackend({ opened: ['/home/mari/deed.asice'] }) } });
    await waitFor(() => expect(screen.getByTestId('section-title').textContent).toBe('Verify'));
    await screen.findByTestId('verify-result');
  });

  it('says where dropped files will go while they are dragged over the window', async () => {
    const backend = new MockBackend();
    render(App, { props: { backend } });
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
    await waitFor(() => backend.hover(true));
    const overlay = await screen.findByTestId('drop-overlay');
    expect(overlay.textContent).toContain('folders on Batch');
    backend.hover(false);
    await waitFor(() => expect(screen.queryByTestId('drop-overlay')).toBeNull());
    // A drop ends the drag too.
    backend.hover(true);
    await screen.findByTestId('drop-overlay');
    backend.drop(['/home/mari/notes.txt']);
    await waitFor(() => expect(screen.queryByTestId('drop-overlay')).toBeNull());
  });
});
