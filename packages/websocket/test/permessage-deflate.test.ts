import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseExtensionsHeader, type ExtensionOffer } from '../src/extension-header.js';
import {
  acceptDeflateResponse,
  deflateOfferHeader,
  negotiateDeflateServer,
  normalizeDeflateOptions,
  type DeflateParams,
  type PerMessageDeflateOptions,
} from '../src/permessage-deflate.js';

const DEFAULT_PARAMS: DeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

/** Builds an offer directly, bypassing the header grammar (to test values it would reject). */
function offer(params: Array<[string, string | true]>, name = 'permessage-deflate'): ExtensionOffer {
  const map = new Map<string, Array<string | true>>();
  for (const [k, v] of params) map.set(k, [...(map.get(k) ?? []), v]);
  return { name, params: map };
}

function negotiate(header: string, options: PerMessageDeflateOptions = {}) {
  return negotiateDeflateServer(parseExtensionsHeader(header), options);
}

const BITS = [8, 9, 10, 11, 12, 13, 14, 15];
const BAD_BITS = ['0', '7', '16', '08', '008', '+9', '-9', '9.0', '1e1', '0x9', 'abc', '', '99999999999999999999'];

describe('negotiateDeflateServer', () => {
  it('accepts a bare offer with defaults', () => {
    expect(negotiate('permessage-deflate')).toEqual({ params: DEFAULT_PARAMS, response: 'permessage-deflate' });
  });

  it('returns null without a permessage-deflate offer, ignoring other extensions', () => {
    expect(negotiateDeflateServer([], {})).toBeNull();
    expect(negotiate('x-webkit-deflate-frame, foo; bar')).toBeNull();
    expect(negotiate('foo; bar, permessage-deflate; client_max_window_bits')!.response).toBe('permessage-deflate');
  });

  it('matches the extension name exactly', () => {
    expect(negotiate('Permessage-Deflate')).toBeNull();
  });

  describe('server_no_context_takeover', () => {
    it('is echoed when offered', () => {
      const r = negotiate('permessage-deflate; server_no_context_takeover')!;
      expect(r.response).toBe('permessage-deflate; server_no_context_takeover');
      expect(r.params).toEqual({ ...DEFAULT_PARAMS, serverNoContextTakeover: true });
    });
    it('is forced by our option', () => {
      const r = negotiate('permessage-deflate', { serverNoContextTakeover: true })!;
      expect(r.response).toBe('permessage-deflate; server_no_context_takeover');
      expect(r.params.serverNoContextTakeover).toBe(true);
    });
    it('declines the offer when it has a value or is repeated', () => {
      expect(negotiateDeflateServer([offer([['server_no_context_takeover', 'x']])], {})).toBeNull();
      expect(negotiate('permessage-deflate; server_no_context_takeover="1"')).toBeNull();
      expect(negotiate('permessage-deflate; server_no_context_takeover; server_no_context_takeover')).toBeNull();
    });
  });

  describe('client_no_context_takeover', () => {
    it('is echoed when offered', () => {
      const r = negotiate('permessage-deflate; client_no_context_takeover')!;
      expect(r.response).toBe('permessage-deflate; client_no_context_takeover');
      expect(r.params).toEqual({ ...DEFAULT_PARAMS, clientNoContextTakeover: true });
    });
    it('is sent unasked when our option wants it (RFC 7692 §7.1.1.2)', () => {
      const r = negotiate('permessage-deflate', { clientNoContextTakeover: true })!;
      expect(r.response).toBe('permessage-deflate; client_no_context_takeover');
      expect(r.params.clientNoContextTakeover).toBe(true);
    });
    it('declines the offer when it has a value or is repeated', () => {
      expect(negotiate('permessage-deflate; client_no_context_takeover=1')).toBeNull();
      expect(negotiate('permessage-deflate; client_no_context_takeover; client_no_context_takeover')).toBeNull();
    });
  });

  describe('server_max_window_bits', () => {
    it.each(BITS)('accepts and echoes %i', (bits) => {
      const r = negotiate(`permessage-deflate; server_max_window_bits=${bits}`)!;
      expect(r.response).toBe(`permessage-deflate; server_max_window_bits=${bits}`);
      expect(r.params).toEqual({ ...DEFAULT_PARAMS, serverMaxWindowBits: bits });
    });
    it.each(BITS)('is capped by our option %i', (cap) => {
      for (const bits of BITS) {
        const r = negotiate(`permessage-deflate; server_max_window_bits=${bits}`, { serverMaxWindowBits: cap })!;
        expect(r.params.serverMaxWindowBits).toBe(Math.min(bits, cap));
        expect(r.response).toBe(`permessage-deflate; server_max_window_bits=${Math.min(bits, cap)}`);
      }
    });
    it('is sent unasked when we set a cap', () => {
      const r = negotiate('permessage-deflate', { serverMaxWindowBits: 11 })!;
      expect(r.response).toBe('permessage-deflate; server_max_window_bits=11');
      expect(r.params.serverMaxWindowBits).toBe(11);
    });
    it('accepts a quoted value', () => {
      expect(negotiate('permessage-deflate; server_max_window_bits="12"')!.params.serverMaxWindowBits).toBe(12);
    });
    it.each(BAD_BITS)('declines the value %j', (v) => {
      expect(negotiateDeflateServer([offer([['server_max_window_bits', v]])], {})).toBeNull();
    });
    it('declines it without a value, or repeated', () => {
      expect(negotiate('permessage-deflate; server_max_window_bits')).toBeNull();
      expect(negotiate('permessage-deflate; server_max_window_bits=10; server_max_window_bits=10')).toBeNull();
    });
  });

  describe('client_max_window_bits', () => {
    it('is not answered when offered without a value and we have no preference', () => {
      const r = negotiate('permessage-deflate; client_max_window_bits')!;
      expect(r.response).toBe('permessage-deflate');
      expect(r.params.clientMaxWindowBits).toBe(15);
    });
    it.each(BITS)('is answered with our preference %i when offered without a value', (bits) => {
      const r = negotiate('permessage-deflate; client_max_window_bits', { clientMaxWindowBits: bits })!;
      expect(r.response).toBe(`permessage-deflate; client_max_window_bits=${bits}`);
      expect(r.params.clientMaxWindowBits).toBe(bits);
    });
    it.each(BITS)('echoes the offered value %i, capped by our preference', (bits) => {
      const r = negotiate(`permessage-deflate; client_max_window_bits=${bits}`)!;
      expect(r.response).toBe(`permessage-deflate; client_max_window_bits=${bits}`);
      expect(r.params.clientMaxWindowBits).toBe(bits);
      for (const cap of BITS) {
        const c = negotiate(`permessage-deflate; client_max_window_bits=${bits}`, { clientMaxWindowBits: cap })!;
        expect(c.params.clientMaxWindowBits).toBe(Math.min(bits, cap));
      }
    });
    it('is never answered when the client did not offer it, even if we prefer a value', () => {
      for (const bits of BITS) {
        const r = negotiate('permessage-deflate', { clientMaxWindowBits: bits })!;
        expect(r.response).not.toContain('client_max_window_bits');
        expect(r.params.clientMaxWindowBits).toBe(15);
      }
      const r = negotiate('permessage-deflate; server_max_window_bits=9', { clientMaxWindowBits: 9 })!;
      expect(r.response).toBe('permessage-deflate; server_max_window_bits=9');
    });
    it.each(BAD_BITS)('declines the value %j', (v) => {
      expect(negotiateDeflateServer([offer([['client_max_window_bits', v]])], {})).toBeNull();
    });
    it('declines it repeated', () => {
      expect(negotiate('permessage-deflate; client_max_window_bits; client_max_window_bits=10')).toBeNull();
    });
  });

  it('declines unknown parameters', () => {
    expect(negotiate('permessage-deflate; foo')).toBeNull();
    expect(negotiate('permessage-deflate; max_window_bits=10')).toBeNull();
    expect(negotiate('permessage-deflate; Server_No_Context_Takeover')).toBeNull();
  });

  it('falls back to the next offer when the first is invalid', () => {
    const r = negotiate(
      'permessage-deflate; server_max_window_bits=7, permessage-deflate; foo, ' +
        'permessage-deflate; client_max_window_bits=10; server_no_context_takeover, permessage-deflate',
    )!;
    expect(r.response).toBe('permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
    expect(r.params).toEqual({ ...DEFAULT_PARAMS, serverNoContextTakeover: true, clientMaxWindowBits: 10 });
  });

  it('takes the first acceptable offer, not the best one', () => {
    const r = negotiate('permessage-deflate; server_max_window_bits=9, permessage-deflate')!;
    expect(r.params.serverMaxWindowBits).toBe(9);
  });

  it('combines everything in a fixed order', () => {
    const r = negotiate(
      'permessage-deflate; client_max_window_bits; server_max_window_bits=12; client_no_context_takeover; server_no_context_takeover',
      { clientMaxWindowBits: 10 },
    )!;
    expect(r.response).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=10',
    );
    expect(r.params).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 12,
      clientMaxWindowBits: 10,
    });
  });

  it('rejects invalid options with a RangeError', () => {
    expect(() => negotiate('permessage-deflate', { serverMaxWindowBits: 7 })).toThrow(RangeError);
    expect(() => negotiate('permessage-deflate', { clientMaxWindowBits: 16 })).toThrow(RangeError);
    expect(() => negotiate('permessage-deflate', { level: 10 })).toThrow(RangeError);
    expect(() => negotiate('permessage-deflate', { memLevel: 0 })).toThrow(RangeError);
    expect(() => negotiate('permessage-deflate', { threshold: -1 })).toThrow(RangeError);
    expect(() => negotiate('permessage-deflate', { concurrencyLimit: 0 })).toThrow(RangeError);
  });
});

describe('normalizeDeflateOptions', () => {
  it('fills in the defaults', () => {
    expect(normalizeDeflateOptions({})).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: undefined,
      clientMaxWindowBits: undefined,
      level: 1,
      memLevel: 8,
      threshold: 1024,
      concurrencyLimit: 10,
    });
  });
});

describe('deflateOfferHeader', () => {
  it('always offers client_max_window_bits', () => {
    expect(deflateOfferHeader({})).toBe('permessage-deflate; client_max_window_bits');
    expect(deflateOfferHeader({ clientMaxWindowBits: 10 })).toBe('permessage-deflate; client_max_window_bits=10');
  });
  it('asks for what the options say', () => {
    expect(
      deflateOfferHeader({
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 9,
        clientMaxWindowBits: 8,
      }),
    ).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8',
    );
  });
  it('parses back as an offer our server accepts', () => {
    expect(negotiate(deflateOfferHeader({ serverMaxWindowBits: 10 }))!.params.serverMaxWindowBits).toBe(10);
  });
});

describe('acceptDeflateResponse', () => {
  const accept = (header: string, options: PerMessageDeflateOptions = {}) =>
    acceptDeflateResponse(parseExtensionsHeader(header)[0]!, options);

  it('accepts a bare response', () => {
    expect(accept('permessage-deflate')).toEqual(DEFAULT_PARAMS);
  });

  it('accepts the context takeover flags, asked for or not (RFC 7692 §7.1.1)', () => {
    expect(accept('permessage-deflate; server_no_context_takeover')).toEqual({
      ...DEFAULT_PARAMS,
      serverNoContextTakeover: true,
    });
    expect(accept('permessage-deflate; client_no_context_takeover')).toEqual({
      ...DEFAULT_PARAMS,
      clientNoContextTakeover: true,
    });
  });

  it('keeps our own client_no_context_takeover even if not echoed', () => {
    expect(accept('permessage-deflate', { clientNoContextTakeover: true }).clientNoContextTakeover).toBe(true);
  });

  it.each(BITS)('accepts window bits %i', (bits) => {
    expect(accept(`permessage-deflate; server_max_window_bits=${bits}`).serverMaxWindowBits).toBe(bits);
    expect(accept(`permessage-deflate; client_max_window_bits=${bits}`).clientMaxWindowBits).toBe(bits);
    expect(accept(`permessage-deflate; server_max_window_bits=${bits}`, { serverMaxWindowBits: bits }).serverMaxWindowBits).toBe(
      bits,
    );
  });

  it('uses the window we promised when the server does not answer client_max_window_bits', () => {
    expect(accept('permessage-deflate', { clientMaxWindowBits: 11 }).clientMaxWindowBits).toBe(11);
  });

  it('tolerates omissions: our decoder copes with what the server then does', () => {
    expect(accept('permessage-deflate', { serverNoContextTakeover: true, serverMaxWindowBits: 9 })).toEqual(DEFAULT_PARAMS);
  });

  it('rejects values above what we asked for or promised', () => {
    expect(() => accept('permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 10 })).toThrow(
      /server_max_window_bits=11 exceeds the 10 we asked for/,
    );
    expect(() => accept('permessage-deflate; client_max_window_bits=11', { clientMaxWindowBits: 10 })).toThrow(
      /client_max_window_bits=11 exceeds the 10 we offered/,
    );
    expect(accept('permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 }).clientMaxWindowBits).toBe(9);
  });

  it.each(BAD_BITS)('rejects the window bits value %j', (v) => {
    expect(() => acceptDeflateResponse(offer([['server_max_window_bits', v]]), {})).toThrow(/invalid value/);
    expect(() => acceptDeflateResponse(offer([['client_max_window_bits', v]]), {})).toThrow(/invalid value/);
  });

  it('rejects malformed responses', () => {
    expect(() => accept('permessage-deflate; client_max_window_bits')).toThrow(/must have a value in a response/);
    expect(() => accept('permessage-deflate; server_max_window_bits')).toThrow(/invalid value/);
    expect(() => accept('permessage-deflate; server_no_context_takeover=1')).toThrow(/must not have a value/);
    expect(() => accept('permessage-deflate; client_no_context_takeover=1')).toThrow(/must not have a value/);
    expect(() => accept('permessage-deflate; foo')).toThrow(/unknown parameter "foo"/);
    expect(() => accept('permessage-deflate; server_no_context_takeover; server_no_context_takeover')).toThrow(
      /appears 2 times/,
    );
    expect(() => accept('permessage-deflate; server_max_window_bits=10; server_max_window_bits=9')).toThrow(/appears 2 times/);
    expect(() => accept('x-webkit-deflate-frame')).toThrow(/unexpected extension "x-webkit-deflate-frame"/);
  });

  it('takes the whole parsed header and requires exactly one permessage-deflate', () => {
    const two = parseExtensionsHeader('permessage-deflate, permessage-deflate; server_no_context_takeover');
    expect(() => acceptDeflateResponse(two, {})).toThrow(/2 permessage-deflate elements/);
    expect(() => acceptDeflateResponse(parseExtensionsHeader('foo'), {})).toThrow(/does not contain/);
    expect(acceptDeflateResponse(parseExtensionsHeader('foo, permessage-deflate; server_max_window_bits=9'), {})).toEqual({
      ...DEFAULT_PARAMS,
      serverMaxWindowBits: 9,
    });
  });
});

describe('client and server agree (property)', () => {
  const bits = fc.option(fc.integer({ min: 8, max: 15 }), { nil: undefined });
  const options = fc.record({
    serverNoContextTakeover: fc.boolean(),
    clientNoContextTakeover: fc.boolean(),
    serverMaxWindowBits: bits,
    clientMaxWindowBits: bits,
  });
  it('the server accepts our offer and we accept its response with the same params', () => {
    fc.assert(
      fc.property(options, options, (client, server) => {
        const offered = parseExtensionsHeader(deflateOfferHeader(client));
        const result = negotiateDeflateServer(offered, server);
        expect(result).not.toBeNull();
        const agreed = acceptDeflateResponse(parseExtensionsHeader(result!.response), client);
        expect(agreed).toEqual(result!.params);
        // What each side asked for holds.
        if (client.serverNoContextTakeover || server.serverNoContextTakeover) expect(agreed.serverNoContextTakeover).toBe(true);
        if (client.clientNoContextTakeover || server.clientNoContextTakeover) expect(agreed.clientNoContextTakeover).toBe(true);
        expect(agreed.serverMaxWindowBits).toBeLessThanOrEqual(Math.min(client.serverMaxWindowBits ?? 15, server.serverMaxWindowBits ?? 15));
        expect(agreed.clientMaxWindowBits).toBeLessThanOrEqual(Math.min(client.clientMaxWindowBits ?? 15, server.clientMaxWindowBits ?? 15));
      }),
    );
  });
});
