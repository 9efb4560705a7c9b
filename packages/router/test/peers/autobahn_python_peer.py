#!/usr/bin/python3
"""
Autobahn|Python peer for the router interop suites (test/interop-autobahn-python.test.ts,
test/interop-mixed.test.ts).

Runs scripted WAMP sessions against a router and prints one JSON object per line on
stdout ({"event": ..., "run": <session name>}); the TypeScript tests assert on those lines.
Run it with Debian's /usr/bin/python3 (python3-autobahn, python3-cbor2).

One session: --scenario NAME [--prefix --authid --secret --meta]. Several at once, on one
asyncio loop (one interpreter start for all): --runs '[{"name", "scenario", "serializer",
"prefix", "authid", "secret", "meta"}, ...]'. The process exits when every session has
disconnected (or after --timeout seconds, printing "timeout").

Uses ApplicationRunner with start_loop=False (Component.run() is broken on Python 3.11).
Every URI of a session starts with its prefix, so concurrent sessions do not collide.

Scenarios:
  self      register, call, publish and subscribe through the router with itself
            (args/kwargs, application errors, progressive results, exact and
            prefix subscriptions, 2^53 integers, binary payloads)
  caller    call procedures registered by another peer (<prefix>.add, .echo, .fail,
            .countdown): args/kwargs, errors, progressive results
  callee    register <prefix>.slow (runs until INTERRUPTed: prints "interrupted") and
            <prefix>.stop (leaves); prints "ready" once registered
  wampcra   join with WAMP-CRA (salted when the challenge says so) and report the
            CHALLENGE and WELCOME details (a refused login shows as "leave" with the
            ABORT reason); with --meta, also call wamp.session.count
"""
import argparse
import asyncio
import json
import sys

import txaio

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession
from autobahn.wamp import auth
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer
from autobahn.wamp.types import CallOptions, CallResult, PublishOptions, RegisterOptions, SubscribeOptions

SERIALIZERS = {'json': JsonSerializer, 'msgpack': MsgPackSerializer, 'cbor': CBORSerializer}
BIG = 2 ** 53  # the largest integer every WAMP serializer must carry exactly

SCENARIOS = ['self', 'caller', 'callee', 'wampcra']
OPEN_SESSIONS = 0  # the loop stops when the last session disconnected


def emit(event, **fields):
    """One JSON line per observation; bytes become {"bytes": hex}."""
    def plain(v):
        if isinstance(v, (bytes, bytearray)):
            return {'bytes': bytes(v).hex()}
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v
    sys.stdout.write(json.dumps({'event': event, **plain(fields)}) + '\n')
    sys.stdout.flush()


def type_names(values):
    """Python type of each value: JSON output cannot tell 2**53 from 2.0**53, this can."""
    if isinstance(values, dict):
        return {k: type(v).__name__ for k, v in values.items()}
    return [type(v).__name__ for v in values]


def error_fields(e):
    return {'error': e.error, 'args': list(e.args), 'kwargs': dict(e.kwargs or {})}


class Peer(ApplicationSession):
    """One scripted session; its run spec (name, scenario, prefix, authid, secret, meta) is config.extra."""

    def __init__(self, config):
        super().__init__(config)
        self.run = config.extra
        self.P = self.run.get('prefix', 'py')

    def emit(self, event, **fields):
        emit(event, run=self.run['name'], **fields)

    def onConnect(self):
        if self.run['scenario'] == 'wampcra':
            self.join(self.config.realm, authmethods=['wampcra'], authid=self.run['authid'])
        else:
            self.join(self.config.realm)

    def onChallenge(self, challenge):
        self.emit('challenge', method=challenge.method,
             extra={k: v for k, v in challenge.extra.items() if k != 'challenge'})
        if challenge.method != 'wampcra':
            raise Exception('unexpected auth method {}'.format(challenge.method))
        key = self.run['secret']
        if 'salt' in challenge.extra:
            # derive_key returns base64 bytes; the HMAC key is that base64 text
            key = auth.derive_key(self.run['secret'], challenge.extra['salt'],
                                  challenge.extra.get('iterations', 1000),
                                  challenge.extra.get('keylen', 32)).decode('ascii')
        return auth.compute_wcs(key, challenge.extra['challenge']).decode('ascii')

    async def onJoin(self, details):
        self.emit('welcome', session=details.session, authid=details.authid, authrole=details.authrole,
             authmethod=details.authmethod, authprovider=details.authprovider,
             protocol=self._transport.websocket_protocol_in_use)
        try:
            scenario = self.run['scenario']
            if scenario == 'self':
                await self.scenario_self()
            elif scenario == 'caller':
                await self.scenario_caller()
            elif scenario == 'callee':
                await self.scenario_callee()
            elif scenario == 'wampcra':
                res = await self.call('wamp.session.count') if self.run.get('meta') else None
                self.emit('joined', count=res)
        except Exception as e:  # report, never hang
            self.emit('failure', type=type(e).__name__, message=str(e))
        self.leave()

    async def scenario_self(self):
        # --- callee side
        def echo(*args, **kwargs):
            return CallResult(*args, **kwargs)

        def fail(*args, **kwargs):
            raise ApplicationError('com.example.failed', 'bad input', 42, reason='nope', got=list(args))

        async def countdown(n, details=None):
            if details.progress:
                for i in range(n, 0, -1):
                    details.progress(i, left=i)
                    await asyncio.sleep(0)
            return CallResult('liftoff', steps=n)

        await self.register(echo, self.P + '.echo')
        await self.register(fail, self.P + '.fail')
        await self.register(countdown, self.P + '.countdown', options=RegisterOptions(details_arg='details'))
        self.emit('registered')

        # --- caller side
        r = await self.call(self.P + '.echo', 1, 'two', [3], {'four': 4}, k='v', big=BIG, neg=-BIG, b=b'\x00\x01\xff')
        self.emit('echo', args=list(r.results), kwargs=dict(r.kwresults), types=type_names(r.kwresults))

        r = await self.call(self.P + '.echo', 7)
        self.emit('echo_single', value=r)  # a single positional result comes back unwrapped

        try:
            await self.call(self.P + '.fail', 'x')
            self.emit('fail_no_error')
        except ApplicationError as e:
            self.emit('fail', **error_fields(e))

        try:
            await self.call(self.P + '.nowhere')
            self.emit('nowhere_no_error')
        except ApplicationError as e:
            self.emit('nowhere', **error_fields(e))

        progress = []
        r = await self.call(self.P + '.countdown', 3,
                            options=CallOptions(on_progress=lambda *a, **kw: progress.append([list(a), kw])))
        self.emit('countdown', progress=progress, args=list(r.results), kwargs=dict(r.kwresults))

        # --- pub/sub (exact + prefix), publisher exclusion turned off so we see our own events
        exact, prefixed = [], []
        got_all = asyncio.get_running_loop().create_future()

        def check():
            if len(exact) >= 2 and len(prefixed) >= 1 and not got_all.done():
                got_all.set_result(True)

        def on_exact(*args, **kwargs):
            exact.append({'args': list(args), 'kwargs': kwargs})
            check()

        def on_prefix(*args, details=None, **kwargs):
            prefixed.append({'args': list(args), 'topic': details.topic})
            check()

        await self.subscribe(on_exact, self.P + '.topic')
        await self.subscribe(on_prefix, self.P + '.prefix', options=SubscribeOptions(match='prefix', details_arg='details'))
        pub = await self.publish(self.P + '.topic', 1, 'a', k={'n': 1},
                                 options=PublishOptions(acknowledge=True, exclude_me=False))
        self.emit('published', acknowledged=pub is not None and isinstance(pub.id, int))
        # excluded (default exclude_me=True): must NOT arrive
        self.publish(self.P + '.topic', 'excluded-by-default')
        self.publish(self.P + '.topic', 2, options=PublishOptions(exclude_me=False))
        self.publish(self.P + '.prefix.deep.topic', 'p', options=PublishOptions(exclude_me=False))
        await asyncio.wait_for(got_all, 5)
        await asyncio.sleep(0.1)  # anything that should not have arrived would arrive by now
        self.emit('events', exact=exact, prefixed=prefixed)

    async def scenario_caller(self):
        r = await self.call(self.P + '.add', 2, 3, extra={'n': 1})
        self.emit('add', value=r if not isinstance(r, CallResult) else {'args': list(r.results), 'kwargs': r.kwresults})
        r = await self.call(self.P + '.echo', 'a', BIG, b=b'\x01\x02', k={'x': [1, 2]})
        self.emit('echo', args=list(r.results), kwargs=dict(r.kwresults), types=type_names(r.results))
        try:
            await self.call(self.P + '.fail', 'why')
            self.emit('fail_no_error')
        except ApplicationError as e:
            self.emit('fail', **error_fields(e))
        progress = []
        r = await self.call(self.P + '.countdown', 3,
                            options=CallOptions(on_progress=lambda *a, **kw: progress.append(list(a))))
        self.emit('countdown', progress=progress, value=r)

    async def scenario_callee(self):
        stopped = asyncio.get_running_loop().create_future()

        async def slow(*args):
            self.emit('invoked', args=list(args))
            try:
                await asyncio.sleep(60)
                return 'finished'
            except asyncio.CancelledError:
                # INTERRUPT cancels the handler's task. Re-raising CancelledError would send no
                # ERROR at all (txaio 21.2 on Python 3.11 lets the BaseException escape its
                # callback), leaving a kill-mode caller waiting: answer with an ApplicationError.
                self.emit('interrupted')
                raise ApplicationError('wamp.error.canceled', 'interrupted by the dealer')

        def stop():
            if not stopped.done():
                stopped.set_result(True)
            return 'bye'

        await self.register(slow, self.P + '.slow')
        await self.register(stop, self.P + '.stop')
        self.emit('ready')
        await stopped
        await asyncio.sleep(0.05)  # let the YIELD for stop go out before GOODBYE

    def onLeave(self, details):
        self.emit('leave', reason=details.reason, message=details.message)
        self.disconnect()

    def onDisconnect(self):
        self.emit('disconnect')
        global OPEN_SESSIONS
        OPEN_SESSIONS -= 1
        if OPEN_SESSIONS == 0:
            asyncio.get_event_loop().stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--url', required=True)
    p.add_argument('--realm', default='realm1')
    p.add_argument('--serializer', choices=sorted(SERIALIZERS), default='json')
    p.add_argument('--runs', help='JSON list of run specs {name, scenario, serializer?, prefix?, authid?, '
                   'secret?, meta?}: all sessions run concurrently in this one process')
    p.add_argument('--scenario', choices=SCENARIOS, help='a single run (instead of --runs)')
    p.add_argument('--prefix', default='py', help='URI prefix, so concurrent runs do not collide')
    p.add_argument('--authid')
    p.add_argument('--secret')
    p.add_argument('--meta', action='store_true', help='wampcra: also call wamp.session.count')
    p.add_argument('--timeout', type=float, default=20.0)
    opts = p.parse_args()
    if opts.runs:
        runs = json.loads(opts.runs)
    elif opts.scenario:
        runs = [{'name': opts.scenario, 'scenario': opts.scenario, 'prefix': opts.prefix,
                 'authid': opts.authid, 'secret': opts.secret, 'meta': opts.meta}]
    else:
        p.error('give --scenario or --runs')
    for run in runs:
        if run.get('scenario') not in SCENARIOS:
            p.error('unknown scenario in {}'.format(run))

    global OPEN_SESSIONS
    OPEN_SESSIONS = len(runs)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    connects = [
        ApplicationRunner(opts.url, opts.realm, extra=run,
                          serializers=[SERIALIZERS[run.get('serializer', opts.serializer)]()]).run(Peer, start_loop=False)
        for run in runs
    ]
    try:
        loop.run_until_complete(asyncio.gather(*connects))
    except Exception as e:
        emit('connect_failed', type=type(e).__name__, message=str(e))
        sys.exit(2)
    txaio.start_logging(level='warn')
    loop.call_later(opts.timeout, lambda: (emit('timeout'), loop.stop()))
    loop.run_forever()


if __name__ == '__main__':
    main()
