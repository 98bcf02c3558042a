import { newJobId, type Backend } from '../backend/backend';
import type { ApiError, JobEvent, PinRequest } from '../backend/bindings';
import { toApiError } from '../backend/error';
import { activity } from './inbox.svelte';

/**
 * A job of one screen that may ask for a PIN: its pending request (for the PIN dialog), its
 * error, whether it runs; `answer` sends what the person typed once, `cancel` stops it. While it
 * runs, the card state is not polled (`activity.cardJobs`).
 */
export class PinJob {
  request = $state<PinRequest | null>(null);
  error = $state<ApiError | null>(null);
  busy = $state(false);
  readonly #backend: () => Backend;
  #jobId = 0;

  /** `backend` is read at each use (a component's prop may change). */
  constructor(backend: () => Backend) {
    this.#backend = backend;
  }

  /** Runs `work` with a fresh job id and the event handler; resolves with its value, or null on error. */
  async run<T>(work: (jobId: number, onEvent: (event: JobEvent) => void) => Promise<T>): Promise<T | null> {
    this.error = null;
    this.busy = true;
    activity.cardJobs += 1;
    this.#jobId = newJobId();
    try {
      return await work(this.#jobId, (event) => {
        if (event.type === 'pinRequest') this.request = event;
      });
    } catch (e) {
      this.error = toApiError(e);
      return null;
    } finally {
      activity.cardJobs -= 1;
      this.busy = false;
      this.request = null;
    }
  }

  /** Sends the typed PIN for the pending request; the dialog closes at once. */
  answer = (value: string): void => {
    const asked = this.request;
    if (!asked) return;
    this.request = null;
    void this.#backend().answerPin(this.#jobId, asked.id, asked.secret, value).catch((e: unknown) => {
      this.error = toApiError(e);
    });
  };

  /** Cancels the job. */
  cancel = (): void => {
    this.request = null;
    void this.#backend().cancelJob(this.#jobId);
  };
}
