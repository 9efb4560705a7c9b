/**
 * Small DOM helpers shared by the panels: element lookup, and showing a call's validation issues
 * next to the fields they name.
 */
import { WampError } from '@junction/client';

/** The element with this id; throws when the page lacks it (a bug in index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** One issue of a `wamp.error.invalid_argument`, as the server's zod validation reports it. */
export interface Issue {
  path: (string | number)[];
  message: string;
}

/** The issues carried by a `wamp.error.invalid_argument`, or none for any other error. */
export function issuesOf(error: unknown): Issue[] {
  if (!(error instanceof WampError) || error.uri !== 'wamp.error.invalid_argument') return [];
  const issues = error.kwargs.issues;
  return Array.isArray(issues) ? (issues as Issue[]).filter((i) => typeof i?.message === 'string') : [];
}

/** A readable message for any failed call. */
export function messageOf(error: unknown): string {
  if (error instanceof WampError) {
    const text = typeof error.args[0] === 'string' ? error.args[0] : '';
    return text !== '' ? text : error.uri;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Clears the error messages of a form. */
export function clearErrors(form: HTMLFormElement): void {
  for (const p of form.querySelectorAll<HTMLElement>('[data-error-for]')) p.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

/**
 * Shows a failed call on a form: each validation issue under the field its path names (the
 * first path element is the input field), anything else in the form-wide slot (`data-error-for=""`).
 */
export function showErrors(form: HTMLFormElement, error: unknown): void {
  clearErrors(form);
  const issues = issuesOf(error);
  const general: string[] = [];
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    const slot = field === '' ? null : form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(field)}"]`);
    if (slot === null) {
      general.push(issue.message);
      continue;
    }
    if (slot.textContent === '') slot.textContent = issue.message; // the first issue of a field is enough
    const input = form.elements.namedItem(field);
    if (input instanceof HTMLElement) input.setAttribute('aria-invalid', 'true');
  }
  if (issues.length === 0) general.push(messageOf(error));
  const slot = form.querySelector<HTMLElement>('[data-error-for=""]');
  if (slot !== null) slot.textContent = general.join(' · ');
  else if (general.length > 0) console.warn(general.join('; '));
}

/**
 * Reads a number field for sending. Valid numbers become numbers; anything else is sent as typed
 * (or left out when empty), on purpose: the server's schema is the one place that validates, and
 * its issues say what is wrong.
 */
export function numberField(form: HTMLFormElement, name: string): number {
  const text = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  if (text === '') return undefined as unknown as number;
  const value = Number(text);
  return (Number.isFinite(value) ? value : text) as number;
}
