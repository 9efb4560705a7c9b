/** `renderDocs(description)`: the files of the docs site, by name. */
import type { ContractDescription } from '../description.js';
import { assertDescription } from '../description.js';
import { toAsyncApi, type AsyncApiOptions } from './asyncapi.js';
import { renderHtml, type HtmlOptions } from './html.js';

/** Options of {@link renderDocs}: those of the page and of the AsyncAPI document. */
export interface DocsOptions extends HtmlOptions, AsyncApiOptions {}

/** The files of the docs site: `index.html` and `asyncapi.json`, by file name. */
export interface DocsFiles {
  'index.html': string;
  'asyncapi.json': string;
  [file: string]: string;
}

/**
 * Renders the docs site of one or more descriptions: a self-contained `index.html` (searchable
 * index, field tables, examples, errors, permissions) and `asyncapi.json` (AsyncAPI 3.0).
 */
export function renderDocs(descriptions: ContractDescription | readonly ContractDescription[], options: DocsOptions = {}): DocsFiles {
  const list = Array.isArray(descriptions) ? (descriptions as ContractDescription[]) : [descriptions as ContractDescription];
  list.forEach((d, i) => assertDescription(d, `description ${i}`));
  return {
    'index.html': renderHtml(list, options),
    'asyncapi.json': `${JSON.stringify(toAsyncApi(list, options), null, 2)}\n`,
  };
}
