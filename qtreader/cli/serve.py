"""``qtreader serve``: the reader in a browser, through Textualize's ``textual-serve``.

textual-serve answers ``/`` with a page holding xterm.js, and each browser tab that
opens its websocket gets a process of its own: a shell runs the command it was given,
here ``python -m qtreader LIBRARY`` with the library resolved once, at start, and
quoted for the shell. What this module adds to textual-serve's ``Server``:

- The port is tried before anything starts: a port taken is one line and exit 2.
- Only this machine can connect unless ``--host`` says otherwise (then a warning: who
  can reach it reads the library, and adds bookmarks as the serving user). Requests
  to a loopback server must name it in ``Host`` (a DNS-rebinding page cannot), and a
  websocket must come from a page of this server (``Origin``): a web page open in the
  same browser cannot drive a reader.
- The page's websocket address is the one the page was loaded from, not the
  ``--host`` it was bound to (``0.0.0.0`` is no address to connect to).
- Ctrl+C (SIGINT) or SIGTERM: every tab's reader is told to quit, and one that has not
  within seconds is terminated, then killed; no reader outlives the server.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import ipaddress
import logging
import os
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .common import EXIT_OK, LIBRARY_HELP, UserError, escaped, open_catalog, resolve_library, say

if TYPE_CHECKING:
    from aiohttp import web

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
QUIT_SECONDS = 3.0  # a reader told to quit has this long before it is terminated
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}

log = logging.getLogger("qtreader.serve")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Serve the reader to a web browser: one reader per browser tab, on this machine "
        "only unless --host says otherwise. Ctrl+C stops it."
    )
    parser.add_argument("path", nargs="?", help=LIBRARY_HELP)
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=(
            f"the address to listen on (default {DEFAULT_HOST}: this machine only; "
            "0.0.0.0 is every network, and anyone who can reach it reads the library)"
        ),
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT})"
    )


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (1 to 65535)")
    return value


def run(args: argparse.Namespace, out: TextIO) -> int:
    root = resolve_library(args.path, "serving", "its folder")
    host = args.host.strip()
    if not host:
        raise UserError("give --host an address, 127.0.0.1 say")
    loopback = is_loopback(host)
    check_port(host, args.port)
    # The catalog built or refreshed now: the first tab opens at once, and a library
    # that cannot be read is said here, not in a browser.
    catalog, _ = open_catalog(root, quiet=False)
    catalog.close()
    if not loopback:
        say(
            f"serving on {host}: anyone who can reach port {args.port} there can read "
            f"{root} and add bookmarks as {_user()}; use --host {DEFAULT_HOST} to serve "
            "this machine only"
        )
    try:
        from textual_serve.server import Server
    except ImportError as exc:  # pragma: no cover - a broken install
        raise UserError(f"serve needs textual-serve: {exc}") from exc
    server = _make_server(Server, reader_command(root), host, args.port, loopback, root, out)
    try:
        server.serve()
    except OSError as exc:  # the port taken between the check and the start
        raise UserError(_bind_error(exc, host, args.port)) from exc
    return EXIT_OK


def reader_command(root: Path) -> str:
    """The shell command each tab runs: this Python, this qtreader, this library.

    ``-P``: the server's working folder is not put first on the module path, so a
    folder named ``qtreader`` there is not what runs. When this qtreader was found
    only there (a checkout run with ``python -m``), its folder is given on
    ``PYTHONPATH``."""
    command = f"exec {shlex.quote(sys.executable)} -P -m qtreader {shlex.quote(str(root))}"
    package_parent = str(Path(__file__).resolve().parents[2])
    found_without_cwd = {
        str(Path(p).resolve()) for p in sys.path if p and Path(p).resolve() != Path.cwd()
    }
    if package_parent not in found_without_cwd:
        path = os.pathsep.join(x for x in (package_parent, os.environ.get("PYTHONPATH")) if x)
        command = f"PYTHONPATH={shlex.quote(path)}; export PYTHONPATH; {command}"
    return command


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower().rstrip(".") in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_port(host: str, port: int) -> None:
    """Bind ``host:port`` as the server will (every address ``host`` names), and let
    go; a UserError says why it cannot be."""
    try:
        infos = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise UserError(f"cannot listen on {host!r}: {exc.strerror}; give --host") from exc
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise UserError(_bind_error(exc, host, port)) from exc


def _bind_error(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is taken (another program is listening on it); "
            "give --port to choose another"
        )
    if exc.errno == errno.EACCES:
        return f"port {port} on {host} needs privileges: give --port 1024 or more"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; give --host"
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}"


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # pragma: no cover - not Unix, or no passwd entry
        return "this user"


def _url(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _make_server(
    base: type, command: str, host: str, port: int, loopback: bool, root: Path, out: TextIO
) -> Any:
    """textual-serve's Server with this module's checks and clean stop (a subclass made
    here: textual-serve is imported only when serving)."""
    from aiohttp import WSMsgType, web
    from aiohttp.web_runner import GracefulExit
    from textual_serve.app_service import AppService

    allowed_hosts = {f"{name}:{port}" for name in ("localhost", "127.0.0.1", "[::1]")}
    allowed_hosts.add(_url(host, port).removeprefix("http://"))

    class Server(base):
        def __init__(self) -> None:
            super().__init__(
                command, host=host, port=port, title=f"qtreader · {escaped(root.name)}"
            )
            self.processes: set[asyncio.subprocess.Process] = set()
            self.sockets: set[web.WebSocketResponse] = set()

        def request_exit(self) -> None:
            """The first Ctrl+C stops the server; another one while the readers are
            being ended is not a second, rougher stop."""
            loop = asyncio.get_running_loop()
            for number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(number, lambda: None)
            out.write("Stopping: ending the readers…\n")
            out.flush()
            raise GracefulExit()

        def initialize_logging(self) -> None:
            logging.basicConfig(level=logging.WARNING, format="qtreader serve: %(message)s")

        def serve(self, debug: bool = False) -> None:
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
            try:
                web.run_app(
                    self._make_app(),
                    host=host.strip("[]"),
                    port=port,
                    handle_signals=False,
                    loop=loop,
                    print=None,
                    access_log=None,
                    shutdown_timeout=QUIT_SECONDS + 2,
                )
            except GracefulExit:  # pragma: no cover - raised before the loop ran
                pass

        async def _make_app(self) -> web.Application:
            app: web.Application = await super()._make_app()
            app.middlewares.append(self.guard)
            app.on_cleanup.append(self.end_readers)
            return app

        @web.middleware
        async def guard(
            self,
            request: web.Request,
            handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        ) -> web.StreamResponse:
            """Refuse a loopback server's requests naming another host, and
            websockets opened by another site's page."""
            if loopback and request.host.lower() not in allowed_hosts:
                raise web.HTTPMisdirectedRequest(text="this server answers to localhost only")
            origin = request.headers.get("Origin")
            own = f"{request.scheme}://{request.host}".lower()
            if request.path == "/ws" and origin is not None and origin.lower() != own:
                raise web.HTTPForbidden(text="a page of another site cannot open a reader")
            return await handler(request)

        async def on_startup(self, app: web.Application) -> None:
            out.write(
                f"Serving {escaped(root)} at {_url(host, port)}: one reader per browser "
                "tab. Ctrl+C stops it.\n"
            )
            out.flush()

        async def on_shutdown(self, app: web.Application) -> None:
            for websocket in list(self.sockets):  # each handler then stops its reader
                await websocket.close(code=1001, message=b"the server is stopping")

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            # The page's websocket goes back where the page came from.
            self.public_url = f"{request.scheme}://{request.host}"
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """textual-serve's handler, with each reader's process and websocket kept,
            and the reader ended even when it does not quit when told."""
            websocket = web.WebSocketResponse(heartbeat=15)
            width = _size(request.query.get("width"), 80)
            height = _size(request.query.get("height"), 24)
            service = None

            async def close() -> None:
                await websocket.close()

            await websocket.prepare(request)
            self.sockets.add(websocket)
            try:
                service = AppService(
                    self.command,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=close,
                    download_manager=self.download_manager,
                    debug=self.debug,
                )
                await service.start(width, height)
                process = service._process
                if process is not None:
                    self.processes.add(process)
                async for message in websocket:
                    if message.type == WSMsgType.TEXT:
                        await _forward(message.json(), websocket, service)
            except asyncio.CancelledError:
                pass
            except Exception as error:  # one tab's failure is said, the server goes on
                log.warning("a reader's session failed: %s", escaped(error))
            finally:
                self.sockets.discard(websocket)
                if service is not None:
                    await _stop(service)
                if not websocket.closed:
                    await websocket.close()
            return websocket

        async def end_readers(self, app: web.Application) -> None:
            await asyncio.gather(*(_end(process) for process in self.processes))

    return Server()


async def _forward(envelope: Any, websocket: Any, service: Any) -> None:
    """One message from the page, to the reader (as textual-serve forwards it)."""
    if not isinstance(envelope, list) or not envelope:
        return
    kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
    if kind == "stdin" and isinstance(data, str):
        await service.send_bytes(data.encode("utf-8"))
    elif kind == "resize" and isinstance(data, dict):
        await service.set_terminal_size(_size(data.get("width"), 80), _size(data.get("height"), 24))
    elif kind == "ping":
        await websocket.send_json(["pong", data])
    elif kind == "blur":
        await service.blur()
    elif kind == "focus":
        await service.focus()


def _size(value: object, default: int) -> int:
    try:
        size = int(str(value))
    except ValueError:
        return default
    return size if 1 <= size <= 1000 else default


async def _stop(service: Any) -> None:
    """Tell a tab's reader to quit; if it has not within QUIT_SECONDS, end it."""
    try:
        await asyncio.wait_for(service.stop(), QUIT_SECONDS)
    except (TimeoutError, asyncio.CancelledError, OSError, RuntimeError):
        pass
    if service._process is not None:
        await _end(service._process)


async def _end(process: asyncio.subprocess.Process) -> None:
    """``process`` ended: terminated if it still runs, killed if that is not enough."""
    if process.returncode is not None:
        return
    for send in (process.terminate, process.kill):
        try:
            send()
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(process.wait(), QUIT_SECONDS)
            return
        except TimeoutError:
            continue
