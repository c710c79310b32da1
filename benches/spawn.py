# spawn: 100,000 tasks that each yield to the scheduler once, then are joined.
# Each task yields once with asyncio.sleep(0).

import asyncio


async def worker(i):
    await asyncio.sleep(0)
    return i


async def main():
    n = 100000
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(worker(i)))
    total = 0
    for t in tasks:
        total += await t
    print(f"tasks {n} sum {total}")


asyncio.run(main())
