"""End to end: ``qtreader serve`` (issue 24), the reader in a browser.

The server runs as a user starts it, ``python -m qtreader serve`` in a process of its
own. A browser session is either a websocket opened as the page opens it (aiohttp's
client: the tests of ports, hosts and stopping), or Debian's Chromium, headless,
driven through its DevTools protocol (a small client below, over aiohttp's
websocket: nothing is downloaded, and Chromium resolves no host name but the
server's). The browser test skips where Chromium is absent; ``.ci/run`` installs it.

The page draws the terminal with xterm.js on a canvas (WebGL), so its text is not in
the DOM: a script run before the page's own catches the xterm.js ``Terminal`` as
textual.js stores it (``this.terminal = ...``) and the test reads its buffer, row by
row, as the screen shows it.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import aiohttp  # textual-serve depends on it: never missing
import pytest
from libhelpers import write_article
from ui_support import terminal_env

REPO = Path(__file__).resolve().parents[2]
POLL = 0.1  # seconds between looks
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check, what: str, timeout: float = 30.0):
    """``check()``'s first true value, polled until the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(POLL)  # polling another process, with a deadline
    raise AssertionError(f"timed out waiting for {what}")


def children(pid: int) -> dict[int, list[str]]:
    """The processes whose parent is ``pid``, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                argv = (entry / "cmdline").read_bytes().split(b"\0")[:-1]
                found[int(entry.name)] = [os.fsdecode(a) for a in argv]
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Served:
    """``qtreader serve ARGS`` in its own process group, its output in files."""

    def __init__(self, tmp: Path, args: list[str]):
        self.tmp = tmp
        self.out_path, self.err_path = tmp / "serve.out", tmp / "serve.err"
        env = {
            **terminal_env(tmp),
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(REPO),
            "HOME": str(tmp),
        }
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "qtreader", "serve", *args],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=tmp,
                start_new_session=True,  # a group of its own, as a shell's job is
            )
        self.readers_seen: dict[int, list[str]] = {}

    @property
    def out(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    @property
    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def wait_serving(self) -> None:
        def serving() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited {self.process.returncode}: {self.err}")
            return "Serving " in self.out

        wait_until(serving, "the server to start")

    def readers(self) -> dict[int, list[str]]:
        """The server's reader processes now (each remembered, to check it ended)."""
        found = children(self.process.pid)
        self.readers_seen.update(found)
        return found

    def wait(self, timeout: float = 20.0) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        """The test's own cleanup: whatever is left of the server and its readers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        for pid in self.readers_seen:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def serve(tmp_path) -> Iterator[Any]:
    started: list[Served] = []

    def start(*args: str) -> Served:
        served = Served(tmp_path, list(args))
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def library(tmp_path) -> Path:
    """A library in a folder whose name a shell would misread if it were not quoted."""
    root = tmp_path / "my lib $(touch PWNED) 'q\" `x`"
    write_article(
        root,
        "botany/photo.md",
        title="How does photosynthesis store energy?",
        answer="Plants capture light in chlorophyll and store it as sugar: $C_6H_{12}O_6$.",
        subject="Botany",
        url="/learn/photo",
    )
    write_article(
        root,
        "chemistry/acids.md",
        title="What makes a liquid an acid?",
        answer="An acid gives away hydrogen ions in water.",
        subject="Chemistry",
        url="/learn/acids",
    )
    return root


@asynccontextmanager
async def session(port: int, host: str = "127.0.0.1", **headers: str) -> AsyncIterator[Any]:
    """A websocket to the server, as the page opens one: a reader starts for it."""
    origin = {"Origin": f"http://{host}:{port}"}
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(
            f"http://{host}:{port}/ws?width=120&height=40", headers={**origin, **headers}
        ) as ws,
    ):
        yield ws


async def read_until(ws: Any, text: bytes, timeout: float = 30.0) -> bytes:
    """What the reader sent until ``text`` was in it."""
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{text!r} never came; got {seen[-2000:]!r}")
        message = await ws.receive(timeout=left)
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data
        elif message.type != aiohttp.WSMsgType.TEXT:
            raise AssertionError(f"the session ended: {message}")
    return seen


# -- starting ---------------------------------------------------------------------------


def test_a_port_taken_is_one_line_and_exit_2(serve, library):
    with closing(socket.socket()) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        served = serve(str(library), "--port", str(port))
        assert served.wait() == 2
    lines = served.err.splitlines()
    assert lines == [
        f"qtreader: port {port} on 127.0.0.1 is taken (another program is listening on it); "
        "give --port to choose another"
    ]
    assert served.out == ""


def test_localhost_by_default_and_no_warning(serve, library):
    port = free_port()
    served = serve(str(library), "--port", str(port))
    served.wait_serving()
    assert served.out.splitlines()[0] == (
        f"Serving {library} at http://127.0.0.1:{port}: one reader per browser tab. "
        "Ctrl+C stops it."
    )
    assert "anyone" not in served.err
    with pytest.raises(OSError):  # not on another address of this machine
        socket.create_connection((_other_address(), port), timeout=2).close()


def _other_address() -> str:
    """An address of this machine that is not loopback (where a packet would leave)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent
            address = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
    if address.startswith("127."):
        pytest.skip("this machine has no address but loopback")
    return address


def test_another_host_only_when_asked_and_with_a_warning(serve, library):
    port = free_port()
    served = serve(str(library), "--host", "0.0.0.0", "--port", str(port))
    served.wait_serving()
    warning = [line for line in served.err.splitlines() if "anyone" in line]
    assert len(warning) == 1
    assert warning[0].startswith(f"qtreader: serving on 0.0.0.0: anyone who can reach port {port}")
    assert "add bookmarks as" in warning[0]
    os.killpg(served.process.pid, signal.SIGINT)
    assert served.wait() == 0


# -- who may connect --------------------------------------------------------------------


async def test_pages_of_other_sites_and_other_host_names_are_refused(serve, library):
    port = free_port()
    served = serve(str(library), "--port", str(port))
    await asyncio.to_thread(served.wait_serving)
    async with aiohttp.ClientSession() as client:
        page = await client.get(f"http://127.0.0.1:{port}/")
        assert page.status == 200
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in await page.text()
        by_name = await client.get(f"http://localhost:{port}/")  # the page's own address
        assert f'"ws://localhost:{port}/ws"' in await by_name.text()
        rebound = await client.get(f"http://127.0.0.1:{port}/", headers={"Host": "evil.test"})
        assert rebound.status == 421  # a DNS-rebinding page
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(
                f"http://127.0.0.1:{port}/ws", headers={"Origin": "http://evil.test"}
            )
        assert refused.value.status == 403
    assert served.readers() == {}  # no reader was started for them


# -- each tab's reader, and stopping ------------------------------------------------------


@pytest.mark.parametrize("ctrl_c", ["server", "group"])
async def test_ctrl_c_stops_the_server_and_every_reader(serve, library, tmp_path, ctrl_c):
    """SIGINT to the server alone (``kill -INT``), or to its process group as a
    terminal's Ctrl+C sends it: the readers of two open tabs end, the server exits 0."""
    port = free_port()
    served = serve(str(library), "--port", str(port))
    await asyncio.to_thread(served.wait_serving)
    async with session(port) as first, session(port) as second:
        for ws in (first, second):
            await read_until(ws, b"What makes a liquid an acid?")
        readers = served.readers()
        assert len(readers) == 2, readers
        for argv in readers.values():  # the library, as one word: quoted for the shell
            assert argv[1:] == ["-P", "-m", "qtreader", str(library)], argv
        assert not (tmp_path / "PWNED").exists()
        started = time.monotonic()
        if ctrl_c == "server":
            served.process.send_signal(signal.SIGINT)
        else:
            os.killpg(served.process.pid, signal.SIGINT)
        code = await asyncio.to_thread(served.wait, 20)
        took = time.monotonic() - started
    assert code == 0, served.err
    assert "Traceback" not in served.err + served.out, served.err + served.out
    left = [pid for pid in served.readers_seen if running(pid)]
    assert left == [], f"readers left running: {left}"
    assert took < 5, f"stopping took {took:.1f} s"
    print(f"\nCtrl+C ({ctrl_c}) to the server gone with 2 readers: {took:.2f} s")


async def test_a_closed_tab_ends_its_reader(serve, library):
    port = free_port()
    served = serve(str(library), "--port", str(port))
    await asyncio.to_thread(served.wait_serving)
    async with session(port) as ws:
        await read_until(ws, b"What makes a liquid an acid?")
        (pid,) = served.readers()
    await asyncio.to_thread(wait_until, lambda: not running(pid), "the tab's reader to end", 10)
    assert served.process.poll() is None  # the server goes on


# -- in a real browser --------------------------------------------------------------------

CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  set(value) {
    Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true,
                                             enumerable: true});
    window.__qtreaderTerminal = value;
  },
});
"""
SCREEN_TEXT = """(() => {
  const term = window.__qtreaderTerminal;
  if (!term) return null;
  const buffer = term.buffer.active, rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : '');
  }
  return rows.join('\\n');
})()"""


class DevTools:
    """The few calls of Chromium's DevTools protocol this test makes, on one page."""

    def __init__(self, ws: Any):
        self.ws = ws
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        await self.ws.send_json({"id": number, "method": method, "params": params})
        while True:
            message = json.loads((await self.ws.receive(timeout=30)).data)
            if message.get("id") == number:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def screen(self) -> str:
        return await self.evaluate(SCREEN_TEXT) or ""

    async def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = await self.screen()
            if all(text in screen for text in texts):
                return screen
            await asyncio.sleep(POLL)  # polling the page, with a deadline
        raise AssertionError(f"{texts!r} not on the page:\n{screen}")

    async def type(self, text: str) -> None:
        await self.call("Input.insertText", text=text)

    async def enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                nativeVirtualKeyCode=13,
                **({"text": "\r"} if kind == "keyDown" else {}),
            )


@asynccontextmanager
async def chromium(tmp: Path) -> AsyncIterator[DevTools]:
    """Headless Chromium with one blank page, driven through DevTools."""
    assert CHROMIUM is not None
    profile = tmp / "chromium-profile"
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # root in a container has no sandbox to give
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1280,800",
            # Nothing leaves this machine: the page's web font is not fetched.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        active = profile / "DevToolsActivePort"

        def port() -> str:
            if process.poll() is not None:
                raise AssertionError(f"chromium exited {process.returncode}")
            return active.exists() and active.read_text().split("\n")[0].strip()

        debug_port = await asyncio.to_thread(wait_until, port, "Chromium's DevTools port")
        async with aiohttp.ClientSession() as client:
            targets = await (await client.get(f"http://127.0.0.1:{debug_port}/json/list")).json()
            page = next(t for t in targets if t["type"] == "page")
            async with client.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield DevTools(ws)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is absent (.ci/run installs chromium)")
async def test_search_and_open_an_article_in_chromium(serve, library, tmp_path):
    port = free_port()
    served = serve(str(library), "--port", str(port))
    await asyncio.to_thread(served.wait_serving)
    async with chromium(tmp_path) as browser:
        await browser.call("Page.enable")
        await browser.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
        started = time.monotonic()
        await browser.call("Page.navigate", url=f"http://127.0.0.1:{port}/")
        screen = await browser.wait_for("2 of 2", "What makes a liquid an acid?")
        shown = time.monotonic() - started
        assert "Welcome to qtreader" in screen
        assert "Botany" in screen and "Chemistry" in screen  # the subjects
        await browser.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        await browser.type("/")
        await browser.type("photosynthesis")
        await browser.wait_for("1 of 2")  # the list narrowed as typed
        started = time.monotonic()
        await browser.enter()
        screen = await browser.wait_for("Plants capture light in chlorophyll")
        opened = time.monotonic() - started
        assert "How does photosynthesis store energy?" in screen
        assert "C₆H₁₂O₆" in screen  # its math, as Unicode
        shot = await browser.call("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    path = Path(os.environ.get("QTREADER_SHOTS", tmp_path)) / "serve-in-chromium.png"
    path.write_bytes(png)
    print(f"\npage to reader: {shown:.2f} s; Enter to article: {opened:.2f} s; {path}")
