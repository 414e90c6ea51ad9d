"""A minimal asyncio HTTP/1.1 webhook receiver for the throughput benchmarks
(``bench/delivery.py``, ``bench/cluster.py``): keep-alive, Content-Length bodies, fast
enough that a figure measures newswatch's side, not the receiver's. It runs in its own
process (it must not share the GIL with what it measures), talking over a Pipe:

    url = conn.recv()        # the receiver sends its URL once it listens
    conn.send("stop")        # then it answers with what it received
"""

from __future__ import annotations

import asyncio
import time


async def _receive(conn, seen: list, *, half_failing: bool, delay: float) -> None:
    counter = [0]

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                if delay:
                    await asyncio.sleep(delay)  # the receiver's own work
                counter[0] += 1
                status = 500 if half_failing and counter[0] % 2 else 200
                path = head.split(b" ", 2)[1].decode("latin-1")  # one path per channel
                seen.append((status, headers.get("webhook-id"), path, body, time.time()))
                reason = b"OK" if status == 200 else b"Internal Server Error"
                writer.write(b"HTTP/1.1 %d %s\r\nContent-Length: 2\r\n"
                             b"Content-Type: application/json\r\n\r\n{}" % (status, reason))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    conn.send(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook")
    await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
    server.close()


def receive(conn, *, half_failing: bool = False, delay: float = 0.0) -> list[tuple]:
    """Serve until told to stop; every request as (status, webhook_id, path, body, time).
    ``half_failing`` answers every other request 500; ``delay`` is each request's work."""
    seen: list = []
    asyncio.run(_receive(conn, seen, half_failing=half_failing, delay=delay))
    return seen
