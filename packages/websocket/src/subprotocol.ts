/**
 * Subprotocol negotiation (`Sec-WebSocket-Protocol`, RFC 6455 §4.1, §4.2.2, §11.3.4).
 * Subprotocol names are tokens and compare case-sensitively, as in browsers.
 *
 * @module
 */

import { isToken, parseTokenList, type HeaderValue } from './http-tokens.js';

// Error messages may end up in a 400 body; quote and cap what the peer sent.
function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}...` : s);
}

/**
 * Parses `Sec-WebSocket-Protocol` as offered by a client (`a,b`, `a, b`, or the header
 * repeated) into the list of names in the client's order.
 *
 * Empty list elements are ignored (RFC 7230 §7), so an empty or all-comma header yields
 * `[]`, the same as no header.
 *
 * @throws SyntaxError if an element is not a token or a name appears twice; the server
 *   should answer 400.
 */
export function parseProtocolHeader(value: HeaderValue): string[] {
  if (value === undefined) return [];
  const names = parseTokenList(value);
  // Offers are a handful of names: a scan beats building a Set on every handshake. A long
  // (hostile) list gets the Set, so the duplicate check stays linear.
  const seen = names.length > 16 ? new Set<string>() : null;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (!isToken(name)) {
      throw new SyntaxError(`Invalid subprotocol name ${quote(name)}: not an HTTP token`);
    }
    if (seen !== null ? seen.has(name) : names.indexOf(name) !== i) {
      throw new SyntaxError(`Subprotocol ${quote(name)} is offered more than once`);
    }
    seen?.add(name);
  }
  return names;
}

/**
 * Server-side choice: the first entry of `supported` (the server's preference order) that
 * the client offered, or `undefined` if there is none.
 */
export function selectProtocol(
  offered: readonly string[],
  supported: readonly string[],
): string | undefined {
  if (offered.length > 16) {
    const offeredSet = new Set(offered);
    return supported.find((name) => offeredSet.has(name));
  }
  for (const name of supported) if (offered.includes(name)) return name;
  return undefined;
}

/**
 * Client-side check of the `protocols` given to a WebSocket constructor, as browsers do:
 * each must be a token and none may repeat.
 *
 * @throws SyntaxError with a DOMException-like message otherwise.
 */
export function validateClientProtocols(protocols: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of protocols) {
    if (typeof name !== 'string' || !isToken(name)) {
      const shown = typeof name === 'string' ? quote(name) : String(name);
      throw new SyntaxError(`The subprotocol ${shown} is invalid.`);
    }
    if (seen.has(name)) {
      throw new SyntaxError(`The subprotocol ${quote(name)} is duplicated.`);
    }
    seen.add(name);
  }
}
