// @ts-check
// The page's script: join the router on the page's own origin, show and send chat messages.
import { connect } from '@junction/client';
import { bind } from '@junction/contract';
import { chat } from './contract.mjs';

const form = /** @type {HTMLFormElement} */ (document.querySelector('form'));
const [name, text] = /** @type {HTMLInputElement[]} */ ([...form.querySelectorAll('input')]);
const log = /** @type {HTMLUListElement} */ (document.querySelector('ul'));

const client = await connect({ url: `${location.origin.replace(/^http/, 'ws')}/ws`, realm: 'realm1' });
const api = bind(client, chat, { validate: true }); // events that break the contract are dropped

await api.message.subscribe(({ from, text }) => {
  const item = document.createElement('li');
  item.textContent = `${from}: ${text}`;
  log.append(item);
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void api.message.publish({ from: name.value || 'anonymous', text: text.value }, { excludeMe: false });
  text.value = '';
});
document.body.dataset.state = 'ready'; // subscribed: messages sent from now on show up here
