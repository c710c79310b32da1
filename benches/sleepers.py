# sleepers: memory per task. 100,000 tasks each sleep 2 s; run with the argument 0 for the
# baseline (the same program with no tasks). run_async.sh compares peak RSS.

import asyncio
import sys


async def sleeper():
    await asyncio.sleep(2)


async def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
    for t in tasks:
        await t
    print(f"sleepers {n} done")


asyncio.run(main())
