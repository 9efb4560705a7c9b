/**
 * The job panel: `jobs.run` reports progress after every step; the progress bar follows the
 * progressive results, and Cancel aborts the call (CANCEL to the router, INTERRUPT to the
 * service, whose handler sees its signal abort and stops).
 */
import type { Api, MetricsTickPayload } from './api.generated.js';
import { WampError } from '@junction/client';
import { byId, clearErrors, issuesOf, messageOf, numberField, showErrors } from './forms.js';

/** Starts the job panel; the returned function shows the server's job counters from a metrics sample. */
export function startJobs(api: Api): (sample: MetricsTickPayload) => void {
  const form = byId<HTMLFormElement>('jobs-form');
  const run = byId<HTMLButtonElement>('jobs-run');
  const cancel = byId<HTMLButtonElement>('jobs-cancel');
  const progress = byId('jobs-progress');
  const bar = byId('jobs-bar');
  const status = byId('jobs-status');
  const server = byId('jobs-server');
  let controller: AbortController | null = null;

  let fraction = 0;

  function setProgress(value: number, state: string): void {
    fraction = value;
    const percent = Math.round(value * 100);
    bar.style.width = `${percent}%`;
    progress.setAttribute('aria-valuenow', String(percent));
    progress.dataset.state = state;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (controller !== null) return;
    const call = new AbortController();
    controller = call;
    clearErrors(form);
    run.disabled = true;
    cancel.disabled = false;
    setProgress(0, 'running');
    status.textContent = 'Starting…';
    let lastStep = 0;
    const started = performance.now();
    api.jobs
      .run(
        { steps: numberField(form, 'steps'), stepMs: numberField(form, 'stepMs') },
        {
          signal: call.signal,
          onProgress: (p) => {
            lastStep = p.step;
            setProgress(p.step / p.steps, 'running');
            status.textContent = `Step ${p.step} of ${p.steps}: ${p.note}`;
          },
        },
      )
      .then(
        (result) => {
          setProgress(1, 'done');
          status.textContent = `Done: ${result.steps} steps in ${(result.elapsedMs / 1000).toFixed(2)} s.`;
        },
        (error: unknown) => {
          if (error instanceof WampError && error.uri === 'wamp.error.canceled') {
            setProgress(fraction, 'canceled'); // the bar stays where the job stopped
            status.textContent = `Canceled at step ${lastStep} after ${((performance.now() - started) / 1000).toFixed(2)} s.`;
          } else {
            setProgress(0, 'failed');
            status.textContent = issuesOf(error).length > 0 ? 'Invalid input: see above.' : `Failed: ${messageOf(error)}`;
            showErrors(form, error);
          }
        },
      )
      .finally(() => {
        controller = null;
        run.disabled = false;
        cancel.disabled = true;
      });
  });

  cancel.addEventListener('click', () => controller?.abort());

  return (sample) => {
    const { running, completed, canceled } = sample.jobs;
    server.textContent = `Server: ${running} running · ${completed} completed · ${canceled} canceled`;
    server.dataset.canceled = String(canceled);
    server.dataset.completed = String(completed);
  };
}
