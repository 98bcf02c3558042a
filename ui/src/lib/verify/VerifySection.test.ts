import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import App from '../../App.svelte';
import { MockBackend } from '../backend/mock';
import { setLocale } from '../i18n/locale.svelte';

beforeEach(() => setLocale('en'));

async function verifyPicked(picked: string) {
  const user = userEvent.setup();
  const backend = new MockBackend({ picked: [picked] });
  render(App, { props: { backend } });
  await user.click(screen.getByTestId('nav-verify'));
  await user.click(screen.getByTestId('verify-pick'));
  await screen.findByTestId('verify-report');
  return { user, backend };
}

describe('saving the verification report', () => {
  it('saves the PDF beside the file and the JSON in a folder the person picks, for the verification shown', async () => {
    const { user, backend } = await verifyPicked('/home/mari/contract.signed.pdf');
    await user.click(screen.getByTestId('report-pdf'));
    await waitFor(() => expect(screen.getAllByTestId('report-saved')).toHaveLength(1));
    expect(screen.getByTestId('report-saved').textContent).toBe('/home/mari/contract.signed.verification.pdf');

    await user.click(screen.getByTestId('report-in-folder'));
    await user.click(screen.getByTestId('report-json'));
    await waitFor(() => expect(screen.getAllByTestId('report-saved')).toHaveLength(2));
    expect(screen.getAllByTestId('report-saved')[1]?.textContent).toBe('/home/mari/out/contract.signed.verification.json');
    expect(screen.getByTestId('report-folder').textContent).toContain('/home/mari/out');
    // Both from what Rust kept of the verification the window shows, in the window's language.
    const job = backend.verifyJobs.at(-1);
    expect(backend.saved).toEqual([
      { jobId: job, format: 'pdf', language: 'en', folder: null },
      { jobId: job, format: 'json', language: 'en', folder: '/home/mari/out' },
    ]);
    // A second PDF beside the file does not replace the first: it is numbered.
    await user.click(screen.getByTestId('report-beside'));
    await user.click(screen.getByTestId('report-pdf'));
    await waitFor(() => expect(screen.getAllByTestId('report-saved')).toHaveLength(3));
    expect(screen.getAllByTestId('report-saved')[2]?.textContent).toBe('/home/mari/contract.signed.verification-2.pdf');
  });

  it('writes the PDF in the language the window speaks', async () => {
    setLocale('ru');
    const { user, backend } = await verifyPicked('/home/mari/contract.signed.pdf');
    expect(screen.getByTestId('report-pdf').textContent).toBe('Сохранить как PDF');
    await user.click(screen.getByTestId('report-pdf'));
    await waitFor(() => expect(backend.saved).toHaveLength(1));
    expect(backend.saved[0]?.language).toBe('ru');
  });

  it('offers no file list for a PDF', async () => {
    await verifyPicked('/home/mari/contract.signed.pdf');
    expect(screen.queryByTestId('container-files')).toBeNull();
  });
});

describe('the files of a container', () => {
  it('lists them and extracts one, or all, into a folder the person picks', async () => {
    const { user, backend } = await verifyPicked('/home/mari/deed.asice');
    const list = screen.getByTestId('container-files');
    expect(within(list).getAllByTestId('container-file').map((f) => f.textContent)).toEqual(['deed.pdf', 'annex/map.csv']);
    const buttons = within(list).getAllByTestId('extract-file');
    expect(buttons[1]?.getAttribute('aria-label')).toBe('Extract annex/map.csv into a folder');
    await user.click(buttons[1] as HTMLElement);
    await waitFor(() => expect(screen.getAllByTestId('extracted')).toHaveLength(1));
    expect(screen.getByTestId('extracted').textContent).toBe('/home/mari/out/map.csv');

    await user.click(screen.getByTestId('extract-all'));
    await waitFor(() => expect(screen.getAllByTestId('extracted')).toHaveLength(2));
    expect(backend.extracted).toEqual([
      { container: '/home/mari/deed.asice', names: ['annex/map.csv'], folder: '/home/mari/out' },
      { container: '/home/mari/deed.asice', names: [], folder: '/home/mari/out' },
    ]);
  });
});

describe('an ASiC-S container', () => {
  it('lists and extracts its one file like an ASiC-E container, and offers no second signature', async () => {
    const { user, backend } = await verifyPicked('/home/mari/archived.asics');
    const list = screen.getByTestId('container-files');
    expect(within(list).getAllByTestId('container-file').map((f) => f.textContent)).toEqual(['deed.pdf']);
    expect(within(list).queryByTestId('extract-all')).toBeNull();
    await user.click(within(list).getByTestId('extract-file'));
    await waitFor(() => expect(screen.getAllByTestId('extracted')).toHaveLength(1));
    expect(backend.extracted).toEqual([{ container: '/home/mari/archived.asics', names: ['deed.pdf'], folder: '/home/mari/out' }]);
    expect(screen.queryByTestId('cosign')).toBeNull();
  });
});

describe('adding a signature to a container', () => {
  it('says the container is changed in place, asks for PIN2 naming it, and shows both signatures after', async () => {
    const { user, backend } = await verifyPicked('/home/mari/deed.asice');
    const cosign = screen.getByTestId('cosign');
    expect(within(cosign).getByTestId('cosign-in-place').textContent).toMatch(/deed\.asice is changed in place — replaced in one step/);
    expect((within(cosign).getByTestId('cosign-level') as HTMLSelectElement).value).toBe('B-LT');
    expect(screen.getAllByTestId('signer')).toHaveLength(1);

    await user.click(within(cosign).getByTestId('cosign-submit'));
    const documents = await screen.findByTestId('pin-documents');
    expect(documents.textContent).toContain('deed.asice');
    const input = screen.getByTestId('pin-input') as HTMLInputElement;
    await user.type(input, '12345');
    await user.click(screen.getByTestId('pin-submit'));

    await screen.findByTestId('cosign-done');
    expect(screen.getByTestId('cosign-done').textContent).toContain('Mari Tamm (38001085718) signed deed.asice');
    await waitFor(() => expect(screen.getAllByTestId('signer')).toHaveLength(2));
    // The digest of the container as it was verified goes with it: the engine refuses another.
    expect(backend.added).toEqual([{ container: '/home/mari/deed.asice', verifiedSha256: 'cd'.repeat(32), level: 'B-LT' }]);
    // The PIN went to Rust once, and nowhere else.
    expect(backend.answered).toHaveLength(1);
    expect(screen.queryByTestId('pin-input')).toBeNull();
  });

  it('is not offered for a PDF', async () => {
    await verifyPicked('/home/mari/contract.signed.pdf');
    expect(screen.queryByTestId('cosign')).toBeNull();
  });
});
