"""SMTP server for the runner's email tests, built on Debian's aiosmtpd.

Run it with Debian's interpreter: /usr/bin/python3 smtpd.py --listen HOST:PORT ...

aiosmtpd's own command line (python3 -m aiosmtpd) serves plain SMTP,
STARTTLS and SMTPS, but cannot require a login or answer with a temporary
failure; this script adds both. Every accepted message is written to
--maildir as <n>.json: the envelope, whether TLS and a login were used, and
the message as received.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir, tempfail):
        self.maildir = maildir
        self.tempfail = tempfail
        self.data_commands = 0

    async def handle_DATA(self, server, state, envelope):
        self.data_commands += 1
        if self.data_commands <= self.tempfail:
            return "451 4.3.0 Try again later"
        login = state.auth_data.login.decode() if isinstance(state.auth_data, LoginPassword) else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "login": login,
            "data": envelope.original_content.decode("utf-8", "replace"),
        }
        path = os.path.join(self.maildir, "%03d.json" % self.data_commands)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 OK"


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.check_hostname = False
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True, help="HOST:PORT")
    p.add_argument("--maildir", required=True)
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"), help="offer and require STARTTLS")
    p.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"), help="implicit TLS")
    p.add_argument("--auth", metavar="USER:PASSWORD", help="require this login (PLAIN or LOGIN)")
    p.add_argument("--tempfail", type=int, default=0, help="answer the first N DATA commands with 451")
    args = p.parse_args()

    host, _, port = args.listen.rpartition(":")
    handler = Handler(args.maildir, args.tempfail)
    kwargs = {"hostname": "smtp.test", "enable_SMTPUTF8": True}
    if args.starttls:
        kwargs.update(tls_context=tls_context(*args.starttls), require_starttls=True)
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, state, envelope, mechanism, auth_data):
            if isinstance(auth_data, LoginPassword) and auth_data == (user.encode(), password.encode()):
                return AuthResult(success=True, auth_data=auth_data)
            return AuthResult(success=False, handled=False)  # aiosmtpd answers 535

        kwargs.update(authenticator=authenticator, auth_required=True,
                      # Over SMTPS the connection is already encrypted.
                      auth_require_tls=not args.smtps)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, **kwargs), host=host, port=int(port),
        ssl=tls_context(*args.smtps) if args.smtps else None))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    print("ready", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
