"""Issue 19, ``qtreader serve``: a library folder whose path is not UTF-8
(``lib\\xff\\xfe``) is served as any other; its page loads (the title shows the name
escaped) and a tab's reader shows the library."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import aiohttp  # textual-serve depends on it: never missing
from libhelpers import copy_fixture_library
from ui_support import terminal_env

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_library_whose_path_is_not_utf8_is_served(tmp_path):
    root = copy_fixture_library(Path(os.fsdecode(os.fsencode(tmp_path) + b"/lib\xff\xfe")))
    port = free_port()
    out_path = tmp_path / "serve.out"
    env = {**terminal_env(tmp_path), "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    env["PYTHONPATH"] = str(REPO)
    with out_path.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "qtreader", "serve", str(root), "--port", str(port)],
            stdout=out,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while b"Serving " not in out_path.read_bytes():
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            await asyncio.sleep(0.1)
        assert out_path.read_text(encoding="utf-8").startswith(f"Serving {tmp_path}/lib\\xff\\xfe ")
        async with aiohttp.ClientSession() as client:
            page = await client.get(f"http://127.0.0.1:{port}/")
            assert page.status == 200
            assert "qtreader · lib\\xff\\xfe" in await page.text()
            origin = {"Origin": f"http://127.0.0.1:{port}"}
            url = f"http://127.0.0.1:{port}/ws?width=120&height=40"
            async with client.ws_connect(url, headers=origin) as ws:
                seen = b""
                while b"lib\\xff\\xfe" not in seen or b"4 articles" not in seen:
                    left = deadline + 30 - time.monotonic()
                    assert left > 0, seen[-2000:]
                    message = await ws.receive(timeout=left)
                    assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT)
                    if message.type == aiohttp.WSMsgType.BINARY:
                        seen += message.data
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)
        if server.stderr:
            server.stderr.close()
