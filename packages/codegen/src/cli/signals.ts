/** Stopping long-running commands (`router`, `subscribe`, a pending `call`) on Ctrl-C or SIGTERM. */

/**
 * An AbortSignal that aborts on the first SIGINT or SIGTERM (or when `external` aborts). A second
 * signal exits the process at once with 130, for when a clean shutdown hangs. `dispose()` removes
 * the handlers, so the process can end by itself afterwards.
 */
export function stopSignal(external?: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(name);
  };
  const onExternal = (): void => controller.abort(external?.reason);
  if (external?.aborted) controller.abort(external.reason);
  external?.addEventListener('abort', onExternal, { once: true });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      external?.removeEventListener('abort', onExternal);
    },
  };
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
