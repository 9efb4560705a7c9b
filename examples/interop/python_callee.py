#!/usr/bin/python3
"""Autobahn|Python registers com.example.text.slugify, the procedure of the `text` contract.

Run: /usr/bin/python3 examples/interop/python_callee.py ws://127.0.0.1:8080/ws
(Debian: apt install python3-autobahn; or pip install autobahn)
"""
import re
import sys

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession
from autobahn.wamp.exception import ApplicationError


class TextService(ApplicationSession):
    async def onJoin(self, details):
        # The contract's input arrives as keyword arguments: slugify(title='...').
        def slugify(title):
            print(f'python: slugify({title!r})', flush=True)
            words = re.findall(r'[a-z0-9]+', title.lower())
            if not words:
                # The contract's declared error Empty: its URI, a message, no details.
                raise ApplicationError('com.example.text.error.empty', 'nothing to slugify')
            return '-'.join(words)  # a single value: RESULT args[0]

        await self.register(slugify, 'com.example.text.slugify')
        print('python callee ready', flush=True)

    def onDisconnect(self):
        print('python callee closed', flush=True)


if __name__ == '__main__':
    url = sys.argv[1] if len(sys.argv) > 1 else 'ws://127.0.0.1:8080/ws'
    ApplicationRunner(url, 'realm1').run(TextService)
