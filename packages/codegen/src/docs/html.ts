/**
 * The docs page: one self-contained `index.html` (inline CSS and JS, no external assets) with a
 * searchable index of procedures and topics and, for each, its description, field tables of its
 * schemas, examples, errors and required permissions (when given).
 */
import type { ContractDescription, ErrorDescription, JsonSchema, ProcedureDescription, TopicDescription } from '../description.js';
import { fieldRows, rootDescription } from './fields.js';

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /** Page title (default: the contract's title). */
  title?: string;
  /**
   * Required permissions by procedure or topic (key: URI or dotted name), shown on its card,
   * e.g. `{ 'com.example.api.users.delete': ['call: admin'] }` (see `permissionsFromRoles`).
   */
  permissions?: Record<string, readonly string[]>;
  /** The router URL and realm, shown in the header. */
  url?: string;
  realm?: string;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]!);
}

/** `code` spans for text in backticks; everything else escaped. */
function prose(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((para) => `<p>${escapeHtml(para).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('');
}

/** An input sketch when there is no example: the required fields, `{ values: … }`. */
function skeleton(input: JsonSchema): string {
  const required = Array.isArray(input.required) ? input.required.filter((r): r is string => typeof r === 'string') : [];
  return required.length === 0 ? '{}' : `{ ${required.map((r) => `${/^[A-Za-z_$][\w$]*$/.test(r) ? r : JSON.stringify(r)}: …`).join(', ')} }`;
}

/** `api.math.add`, with brackets for parts that are not identifiers (as in the generated client). */
function accessor(name: string): string {
  return name
    .split('.')
    .map((part) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`))
    .join('');
}

function anchor(kind: 'procedure' | 'topic' | 'error', uri: string): string {
  return `${kind}-${uri.replace(/[^\w.\-]/g, '_')}`;
}

function fieldTable(schema: JsonSchema | undefined, caption: string): string {
  if (schema === undefined) return `<h4>${escapeHtml(caption)}</h4><p class="none">Nothing (no value).</p>`;
  const rows = fieldRows(schema);
  const about = rootDescription(schema);
  const head = `<h4>${escapeHtml(caption)}</h4>${about !== undefined ? `<p class="about">${escapeHtml(about)}</p>` : ''}`;
  if (rows.length === 0) return `${head}<p class="none">No fields.</p>`;
  let html = `${head}<table class="fields"><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>`;
  for (const row of rows) {
    const notes = row.notes.length > 0 ? `<div class="notes">${row.notes.map(escapeHtml).join(' · ')}</div>` : '';
    html += `<tr><td class="name" style="padding-left:${0.6 + row.depth * 1.4}em">${row.depth > 0 ? '<span class="nest">└</span>' : ''}<code>${escapeHtml(row.name)}</code></td>`;
    html += `<td><code class="type">${escapeHtml(row.type)}</code></td><td>${row.required ? '<span class="req">required</span>' : '<span class="opt">optional</span>'}</td>`;
    html += `<td>${row.description !== undefined ? escapeHtml(row.description) : ''}${notes}</td></tr>`;
  }
  return `${html}</tbody></table>`;
}

function json(value: unknown): string {
  return `<pre><code>${escapeHtml(JSON.stringify(value, null, 2) ?? 'undefined')}</code></pre>`;
}

function permissionsOf(options: HtmlOptions, name: string, uri: string): string {
  const list = options.permissions?.[uri] ?? options.permissions?.[name];
  if (list === undefined) return '';
  return `<h4>Permissions</h4>${list.length > 0 ? `<ul class="perms">${list.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>` : '<p class="none">No role may use it.</p>'}`;
}

function searchText(...parts: (string | undefined)[]): string {
  return escapeHtml(parts.filter((p) => p !== undefined).join(' ').toLowerCase());
}

function procedureCard(d: ContractDescription, name: string, p: ProcedureDescription, options: HtmlOptions): string {
  const badges = [`<span class="badge proc">procedure</span>`];
  if (p.progress !== undefined) badges.push('<span class="badge prog">progressive</span>');
  if (p.deprecated === true) badges.push('<span class="badge dep">deprecated</span>');
  let html = `<section class="card" id="${anchor('procedure', p.uri)}" data-search="${searchText(name, p.uri, p.description, 'procedure')}">`;
  html += `<h3><a href="#${anchor('procedure', p.uri)}">${escapeHtml(name)}</a> ${badges.join(' ')}</h3><div class="uri"><code>${escapeHtml(p.uri)}</code></div>`;
  if (p.description !== undefined) html += prose(p.description);
  html += permissionsOf(options, name, p.uri);
  const kwargs = p.examples.length > 0 ? JSON.stringify(p.examples[0]!.input) : skeleton(p.input);
  html += '<h4>Call</h4><pre class="call"><code>';
  html += escapeHtml(`await api${accessor(name)}(${kwargs === '{}' ? '' : kwargs});${p.progress !== undefined ? `\nfor await (const progress of api${accessor(name)}.stream(${kwargs === '{}' ? '' : kwargs})) …` : ''}\n`);
  html += `<span class="comment">${escapeHtml(`// any WAMP client: the input as kwargs, the result in args[0]${p.progress !== undefined ? ' (receive_progress for progressive results)' : ''}`)}</span>\n`;
  html += escapeHtml(`session.call('${p.uri}', [], ${kwargs})`);
  html += '</code></pre>';
  html += fieldTable(p.input, 'Input (kwargs)');
  html += fieldTable(p.output, 'Result (args[0])');
  if (p.progress !== undefined) html += fieldTable(p.progress, 'Progressive result (args[0] of each progress RESULT)');
  if (p.errors.length > 0) {
    html += '<h4>Errors</h4><ul class="errors">';
    for (const e of p.errors) {
      const error = d.errors[e];
      html += `<li><a href="#${anchor('error', error?.uri ?? e)}"><code>${escapeHtml(e)}</code></a> <code class="muted">${escapeHtml(error?.uri ?? '')}</code>${error?.description !== undefined ? ` — ${escapeHtml(error.description)}` : ''}</li>`;
    }
    html += '</ul>';
  }
  if (p.examples.length > 0) {
    html += '<h4>Examples</h4>';
    for (const example of p.examples) {
      html += `<div class="example">${example.title !== undefined ? `<div class="ex-title">${escapeHtml(example.title)}</div>` : ''}<div class="ex-label">input</div>${json(example.input)}`;
      if (example.progress !== undefined) html += `<div class="ex-label">progress</div>${example.progress.map(json).join('')}`;
      if (example.output !== undefined) html += `<div class="ex-label">result</div>${json(example.output)}`;
      html += '</div>';
    }
  }
  return `${html}</section>`;
}

function topicCard(name: string, t: TopicDescription, options: HtmlOptions): string {
  const badges = ['<span class="badge topic">topic</span>'];
  if (t.deprecated === true) badges.push('<span class="badge dep">deprecated</span>');
  let html = `<section class="card" id="${anchor('topic', t.uri)}" data-search="${searchText(name, t.uri, t.description, 'topic')}">`;
  html += `<h3><a href="#${anchor('topic', t.uri)}">${escapeHtml(name)}</a> ${badges.join(' ')}</h3><div class="uri"><code>${escapeHtml(t.uri)}</code></div>`;
  if (t.description !== undefined) html += prose(t.description);
  html += permissionsOf(options, name, t.uri);
  html += '<h4>Subscribe</h4><pre class="call"><code>';
  html += escapeHtml(`for await (const payload of api${accessor(name)}) …\n`);
  html += `<span class="comment">${escapeHtml('// any WAMP client: the payload is args[0]')}</span>\n`;
  html += escapeHtml(`session.subscribe('${t.uri}', (args) => args[0])`);
  html += '</code></pre>';
  html += fieldTable(t.payload, 'Payload (args[0])');
  if (t.examples.length > 0) html += `<h4>Examples</h4>${t.examples.map((e) => `<div class="example">${json(e)}</div>`).join('')}`;
  return `${html}</section>`;
}

function errorCard(name: string, e: ErrorDescription): string {
  let html = `<section class="card" id="${anchor('error', e.uri)}" data-search="${searchText(name, e.uri, e.description, 'error')}">`;
  html += `<h3><a href="#${anchor('error', e.uri)}">${escapeHtml(name)}</a> <span class="badge err">error</span></h3><div class="uri"><code>${escapeHtml(e.uri)}</code></div>`;
  if (e.description !== undefined) html += prose(e.description);
  html += fieldTable(e.details, 'Details (kwargs)');
  return `${html}</section>`;
}

function indexEntry(kind: 'procedure' | 'topic' | 'error', name: string, uri: string, description: string | undefined): string {
  return `<li data-search="${searchText(name, uri, description, kind)}"><a href="#${anchor(kind, uri)}"><span class="dot ${kind}"></span>${escapeHtml(name)}</a></li>`;
}

/** Renders the docs page of one or more descriptions. */
export function renderHtml(descriptions: ContractDescription | readonly ContractDescription[], options: HtmlOptions = {}): string {
  const list = Array.isArray(descriptions) ? (descriptions as ContractDescription[]) : [descriptions as ContractDescription];
  const title = options.title ?? list.map((d) => d.title ?? d.prefix).join(', ');
  let index = '';
  let body = '';
  for (const d of list) {
    const procedures = Object.entries(d.procedures);
    const topics = Object.entries(d.topics);
    const errors = Object.entries(d.errors);
    if (list.length > 1) index += `<li class="group">${escapeHtml(d.title ?? d.prefix)}</li>`;
    if (procedures.length > 0) index += `<li class="kind">Procedures</li>${procedures.map(([n, p]) => indexEntry('procedure', n, p.uri, p.description)).join('')}`;
    if (topics.length > 0) index += `<li class="kind">Topics</li>${topics.map(([n, t]) => indexEntry('topic', n, t.uri, t.description)).join('')}`;
    if (errors.length > 0) index += `<li class="kind">Errors</li>${errors.map(([n, e]) => indexEntry('error', n, e.uri, e.description)).join('')}`;
    body += `<header class="contract"><h2>${escapeHtml(d.title ?? d.prefix)} <span class="version">v${escapeHtml(d.version)}</span></h2>`;
    body += `<div class="uri">URIs start with <code>${escapeHtml(d.prefix)}.</code></div>${d.description !== undefined ? prose(d.description) : ''}</header>`;
    if (procedures.length > 0) body += `<h2 class="kind-title">Procedures</h2>${procedures.map(([n, p]) => procedureCard(d, n, p, options)).join('\n')}`;
    if (topics.length > 0) body += `<h2 class="kind-title">Topics</h2>${topics.map(([n, t]) => topicCard(n, t, options)).join('\n')}`;
    if (errors.length > 0) body += `<h2 class="kind-title">Errors</h2>${errors.map(([n, e]) => errorCard(n, e)).join('\n')}`;
  }
  const connection = options.url !== undefined ? `<div class="conn">Router <code>${escapeHtml(options.url)}</code>${options.realm !== undefined ? `, realm <code>${escapeHtml(options.realm)}</code>` : ''} · WAMP v2 (wamp.2.json, wamp.2.msgpack, wamp.2.cbor)</div>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — API</title>
<style>${CSS}</style>
</head>
<body>
<nav id="index">
<div class="brand">${escapeHtml(title)}</div>
<input id="search" type="search" placeholder="Search procedures and topics (/)" autocomplete="off" aria-label="Search">
<ul id="entries">${index}</ul>
<p id="no-match" hidden>No match.</p>
<div class="links"><a href="asyncapi.json">asyncapi.json</a></div>
</nav>
<main>
${connection}
${body}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;background:#f7f8fa;display:flex;min-height:100vh}
nav{position:sticky;top:0;align-self:flex-start;width:290px;height:100vh;overflow:auto;padding:16px;background:#fff;border-right:1px solid #e3e6eb}
.brand{font-weight:700;font-size:17px;margin-bottom:10px}#search{width:100%;padding:8px 10px;border:1px solid #c9ced6;border-radius:6px;font:inherit}
#entries{list-style:none;margin:12px 0;padding:0}#entries li a{display:block;padding:3px 6px;border-radius:4px;color:#1d2330;text-decoration:none;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;word-break:break-all}
#entries li a:hover{background:#eef1f5}#entries .kind{margin-top:12px;font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#6b7280}#entries .group{margin-top:16px;font-weight:700}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px}.dot.procedure{background:#2563eb}.dot.topic{background:#16a34a}.dot.error{background:#dc2626}
main{flex:1;max-width:1000px;padding:24px 32px}.card{background:#fff;border:1px solid #e3e6eb;border-radius:8px;padding:16px 20px;margin:16px 0}
.card h3{margin:0 0 4px;font-family:ui-monospace,Menlo,Consolas,monospace}.card h3 a{color:inherit;text-decoration:none}.uri{color:#4b5563;font-size:13px}
h4{margin:16px 0 6px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#4b5563}.kind-title{margin-top:32px}.version{font-size:14px;color:#6b7280;font-weight:400}
.badge{font:600 11px system-ui;padding:2px 7px;border-radius:10px;vertical-align:middle}.badge.proc{background:#dbeafe;color:#1e40af}.badge.prog{background:#ede9fe;color:#5b21b6}
.badge.topic{background:#dcfce7;color:#166534}.badge.err{background:#fee2e2;color:#991b1b}.badge.dep{background:#fef3c7;color:#92400e}
table.fields{width:100%;border-collapse:collapse;font-size:14px}table.fields th{text-align:left;font-size:12px;color:#6b7280;border-bottom:1px solid #e3e6eb;padding:4px 8px}
table.fields td{border-bottom:1px solid #f0f1f4;padding:5px 8px;vertical-align:top}.nest{color:#9ca3af;margin-right:4px}.type{color:#7c3aed}.req{color:#b91c1c;font-size:12px}.opt{color:#6b7280;font-size:12px}
.notes{color:#6b7280;font-size:12.5px}.about{margin:0 0 6px;color:#374151}.call .comment{color:#6b7280}.none{color:#6b7280}pre{background:#f3f4f6;padding:8px 10px;border-radius:6px;overflow:auto;margin:4px 0}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
.example{margin:8px 0}.ex-title{font-weight:600}.ex-label{font-size:12px;color:#6b7280}.muted{color:#6b7280}.conn{color:#4b5563;font-size:13px}.links{margin-top:16px;font-size:13px}
[hidden]{display:none!important}@media(max-width:800px){body{display:block}nav{position:static;width:auto;height:auto}}
`;

const SCRIPT = `
(function () {
  var input = document.getElementById('search');
  var entries = Array.prototype.slice.call(document.querySelectorAll('#entries li[data-search]'));
  var cards = Array.prototype.slice.call(document.querySelectorAll('section.card'));
  var none = document.getElementById('no-match');
  function matches(el, words) {
    var text = el.getAttribute('data-search') || '';
    return words.every(function (w) { return text.indexOf(w) !== -1; });
  }
  function apply() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (el) { var ok = matches(el, words); el.hidden = !ok; if (ok) shown++; });
    cards.forEach(function (el) { el.hidden = !matches(el, words); });
    // Headings stay only above something shown.
    hideEmpty(document.querySelectorAll('#entries li.kind, #entries li.group'), 'LI');
    hideEmpty(document.querySelectorAll('main h2.kind-title'), 'SECTION');
    none.hidden = shown > 0;
  }
  function hideEmpty(headings, tag) {
    Array.prototype.forEach.call(headings, function (heading) {
      var any = false;
      var isGroup = heading.classList.contains('group');
      for (var el = heading.nextElementSibling; el && el.tagName === tag; el = el.nextElementSibling) {
        if (el.classList.contains('group') || (!isGroup && el.classList.contains('kind'))) break;
        if (el.classList.contains('kind')) continue;
        if (!el.hidden) { any = true; break; }
      }
      heading.hidden = !any;
    });
  }
  input.addEventListener('input', apply);
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { var first = entries.filter(function (el) { return !el.hidden; })[0]; if (first) first.querySelector('a').click(); }
    if (e.key === 'Escape') { input.value = ''; apply(); }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === '/' && document.activeElement !== input) { e.preventDefault(); input.focus(); }
  });
  var q = new URLSearchParams(location.search).get('q');
  if (q) { input.value = q; apply(); }
})();
`;
