#!/usr/bin/python3
"""Interop peer: a Python `websockets` client driven by interop-python.test.ts.

Written for Debian 12's python3-websockets (10.4), using the asyncio client
`websockets.connect` (the `websockets.sync` API only exists from 11.0), and
compatible with later versions that keep it.

Usage: python_client.py URL --compression {deflate,deflate-params,none} [--subprotocol P ...]
                        [--mode {echo,server-close}]

Prints one JSON object per line on stdout:
  {"event": "open", "subprotocol": ..., "extensions": [...], "version": ...}
  {"event": "sent", "i": N, "name": ..., "type": "text"|"binary", "length": L, "sha256": H}
  {"event": "received", "i": N, "type": ..., "length": L, "sha256": H}
  {"event": "close", "code": C, "reason": R}
  {"event": "error", "error": ...}        (then exits 1)
Echo mode: sends every scripted message, waits for its echo, then closes with
1000 "python done". server-close mode: sends "please close" and waits for the
server to close the connection, reporting the code and reason it saw.
"""
import argparse
import asyncio
import hashlib
import json
import sys

import websockets


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def ascii_text(n):
    base = "The quick brown fox jumps over the lazy dog 0123456789. "
    return (base * (n // len(base) + 2))[:n]


def utf8_text(min_bytes):
    base = "héllo wörld – € ünïcödé 日本語テキスト 🎉🚀𝄞 "
    s = ""
    while len(s.encode("utf-8")) < min_bytes:
        s += base
    return s


def pattern_bytes(n, seed):
    # Deterministic, not very compressible: a linear congruential generator.
    out = bytearray(n)
    x = seed & 0xFFFFFFFF
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = (x >> 16) & 0xFF
    return bytes(out)


SIZES = [0, 1, 125, 126, 127, 65535, 65536, 1024 * 1024]


def script():
    msgs = []
    for n in SIZES:
        msgs.append(("text %d B" % n, ascii_text(n)))
    for n in SIZES:
        msgs.append(("binary %d B" % n, pattern_bytes(n, n + 1)))
    msgs.append(("binary 64 KiB zeros", bytes(65536)))
    msgs.append(("utf8 short", "ü€🎉"))
    msgs.append(("utf8 >=126 B", utf8_text(126)))
    msgs.append(("utf8 >=64 KiB", utf8_text(65536)))
    return msgs


def describe(data):
    if isinstance(data, str):
        raw = data.encode("utf-8")
        kind = "text"
    else:
        raw = bytes(data)
        kind = "binary"
    return {"type": kind, "length": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}


def extension_names(ws):
    names = []
    for ext in getattr(ws, "extensions", []) or []:
        names.append(getattr(ext, "name", str(ext)))
    return names


def connect_kwargs(mode):
    if mode == "deflate":
        return {"compression": "deflate"}  # the library's default offer
    if mode == "deflate-params":
        # An offer with every RFC 7692 parameter set.
        from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

        return {
            "compression": None,
            "extensions": [
                ClientPerMessageDeflateFactory(
                    server_no_context_takeover=True,
                    client_no_context_takeover=True,
                    server_max_window_bits=10,
                    client_max_window_bits=10,
                )
            ],
        }
    return {"compression": None}


async def run(args):
    async with websockets.connect(
        args.url,
        **connect_kwargs(args.compression),
        subprotocols=args.subprotocol or None,
        max_size=16 * 1024 * 1024,
        ping_interval=None,
        open_timeout=20,
        close_timeout=10,
    ) as ws:
        emit(
            {
                "event": "open",
                "subprotocol": ws.subprotocol,
                "extensions_header": ws.response_headers.get("Sec-WebSocket-Extensions"),
                "extensions": extension_names(ws),
                "version": websockets.__version__,
            }
        )
        if args.mode == "echo":
            for i, (name, data) in enumerate(script()):
                await ws.send(data)
                emit(dict(event="sent", i=i, name=name, **describe(data)))
                reply = await asyncio.wait_for(ws.recv(), timeout=20)
                emit(dict(event="received", i=i, **describe(reply)))
            await ws.close(code=1000, reason="python done")
        else:
            await ws.send("please close")
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), timeout=20)
            except websockets.exceptions.ConnectionClosed:
                pass
        await ws.wait_closed()
        emit({"event": "close", "code": ws.close_code, "reason": ws.close_reason})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--compression", choices=["deflate", "deflate-params", "none"], default="deflate")
    p.add_argument("--subprotocol", action="append", default=[])
    p.add_argument("--mode", choices=["echo", "server-close"], default="echo")
    args = p.parse_args()
    try:
        asyncio.run(asyncio.wait_for(run(args), timeout=120))
    except Exception as e:  # report any failure as a JSON line for the test
        emit({"event": "error", "error": "%s: %s" % (type(e).__name__, e)})
        sys.exit(1)


if __name__ == "__main__":
    main()
