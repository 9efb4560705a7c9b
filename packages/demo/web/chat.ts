/**
 * The chat panel: posts with `chat.send` (validated and stamped by the server), shows what
 * `chat.message` delivers to every open page, and starts with `chat.history`. Messages are put
 * in the page as text (`textContent`), never as HTML.
 */
import type { Api, ChatMessagePayload } from './api.generated.js';
import { byId, clearErrors, showErrors } from './forms.js';

const NAME_KEY = 'junction-demo-name';
const MAX_SHOWN = 200;

/** Starts the chat panel on a connected API. */
export async function startChat(api: Api): Promise<void> {
  const log = byId<HTMLOListElement>('chat-log');
  const form = byId<HTMLFormElement>('chat-form');
  const nameInput = byId<HTMLInputElement>('chat-name');
  const textInput = byId<HTMLInputElement>('chat-text');
  const shown = new Set<number>();
  const mine = new Set<number>();

  nameInput.value = localStorage.getItem(NAME_KEY) ?? `guest-${Math.floor(1000 + Math.random() * 9000)}`;
  nameInput.addEventListener('change', () => localStorage.setItem(NAME_KEY, nameInput.value.trim()));

  const placeholder = document.createElement('li');
  placeholder.className = 'empty';
  placeholder.textContent = 'No messages yet. Open a second tab and say hello.';
  log.append(placeholder);

  function show(message: ChatMessagePayload): void {
    if (shown.has(message.id)) return; // history and live events can overlap
    shown.add(message.id);
    placeholder.remove();
    const item = document.createElement('li');
    item.dataset.id = String(message.id);
    if (mine.has(message.id)) item.classList.add('mine');
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = message.name;
    const time = document.createElement('time');
    time.dateTime = new Date(message.at).toISOString();
    time.textContent = new Date(message.at).toLocaleTimeString();
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = message.text;
    item.append(time, who, text);
    // Keep ids in order even when an event overtakes the history.
    let before: Element | null = null;
    for (let node = log.lastElementChild; node !== null; node = node.previousElementSibling) {
      if (Number((node as HTMLElement).dataset.id) < message.id) break;
      before = node;
    }
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.insertBefore(item, before);
    while (log.children.length > MAX_SHOWN) log.firstElementChild!.remove();
    if (atBottom || mine.has(message.id)) log.scrollTop = log.scrollHeight;
  }

  // Subscribe first, then fetch the history: nothing falls between the two.
  await api.chat.message.subscribe((message) => show(message));
  for (const message of await api.chat.history({ limit: 50 })) show(message);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button')!;
    button.disabled = true;
    api.chat
      .send({ name: nameInput.value, text: textInput.value })
      .then((message) => {
        clearErrors(form);
        mine.add(message.id);
        // The event may have arrived before the result: mark it afterwards too.
        log.querySelector(`[data-id="${message.id}"]`)?.classList.add('mine');
        show(message);
        textInput.value = '';
        localStorage.setItem(NAME_KEY, message.name);
      })
      .catch((error: unknown) => showErrors(form, error))
      .finally(() => {
        button.disabled = false;
        textInput.focus();
      });
  });
}
