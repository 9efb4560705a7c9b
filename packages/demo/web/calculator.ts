/**
 * The calculator panel: `calc.compute` validates on the server; each issue of a
 * `wamp.error.invalid_argument` shows under the field its path names, a declared error (Overflow)
 * under the form.
 */
import type { Api, CalcComputeInput } from './api.generated.js';
import { byId, clearErrors, numberField, showErrors } from './forms.js';

/** Starts the calculator panel. */
export function startCalculator(api: Api): void {
  const form = byId<HTMLFormElement>('calc-form');
  const output = byId<HTMLOutputElement>('calc-result');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input: CalcComputeInput = {
      a: numberField(form, 'a'),
      op: (form.elements.namedItem('op') as HTMLSelectElement).value as CalcComputeInput['op'],
      b: numberField(form, 'b'),
      decimals: numberField(form, 'decimals'),
    };
    output.textContent = '…';
    api.calc.compute(input).then(
      (result) => {
        clearErrors(form);
        output.textContent = result.expression;
      },
      (error: unknown) => {
        output.textContent = '';
        showErrors(form, error);
      },
    );
  });
}
