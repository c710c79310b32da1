# fairness: the worst lateness of a 10 ms ticker while another task spins on the CPU for 2 s.
# asyncio cannot preempt the spinner, so the ticker waits until it ends.

import asyncio
import time

spinning = True


async def spinner():
    # A CPU-bound loop: asyncio cannot preempt it, so it holds the loop for 2 s.
    global spinning
    end = time.monotonic() + 2.0
    spins = 0
    while time.monotonic() < end:
        spins += 1
    spinning = False


async def ticker():
    worst = 0.0
    while spinning:
        asked = time.monotonic()
        await asyncio.sleep(0.010)
        late = time.monotonic() - asked - 0.010
        worst = max(worst, late)
    return worst


async def main():
    t = asyncio.create_task(ticker())
    await asyncio.create_task(spinner())
    worst = await t
    print(f"max lateness {int(worst * 1000 + 0.5)} ms")


asyncio.run(main())
