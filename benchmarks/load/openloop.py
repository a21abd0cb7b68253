"""Open-loop load: requests start on a fixed schedule whatever the server's speed, so slow responses
cannot hold back the next request (no coordinated omission); latency counts from the scheduled time."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import httpx
import numpy as np


async def _run(base: str, keys: dict[str, Any], questions: list[str], rate: float, seconds: int) -> dict:
    rng = random.Random(7)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:

        async def one(i: int, scheduled: float) -> None:
            nonlocal errors
            endpoint, key = rng.choice(
                [("answer", keys["bot"]), ("search", keys["agents"][i % len(keys["agents"])])]
            )
            try:
                r = await client.post(
                    f"/v1/kbs/default/{endpoint}",
                    json={"query": questions[i % len(questions)]},
                    headers={"Authorization": f"Bearer {key}"},
                )
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - scheduled) * 1000)
            errors += 0 if ok else 1

        start = time.perf_counter()
        tasks = []
        for i in range(int(rate * seconds)):
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            tasks.append(asyncio.create_task(one(i, scheduled)))
        await asyncio.gather(*tasks)
    lat = np.asarray(latencies)
    return {
        "rate": rate,
        "requests": len(lat),
        "errors": errors,
        **{f"p{p}_ms": round(float(np.percentile(lat, p)), 1) for p in (50, 95, 99)},
    }


def open_loop(base: str, keys: dict[str, Any], questions: list[str], rate: float, seconds: int) -> dict:
    """Send `rate` unique-question requests per second (half answers, half searches) for `seconds`."""
    shuffled = random.Random(3).sample(questions, len(questions))
    return asyncio.run(_run(base, keys, shuffled, rate, seconds))
