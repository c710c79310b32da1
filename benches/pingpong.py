# pingpong: 200,000 messages bounced between two tasks over two rendezvous channels.

import asyncio


async def pong(ping_q, pong_q, rounds):
    for _ in range(rounds):
        v = await ping_q.get()
        await pong_q.put(v + 1)


async def main():
    messages = 200000
    rounds = messages // 2
    # maxsize=1 is the closest asyncio.Queue comes to a rendezvous channel.
    ping_q = asyncio.Queue(maxsize=1)
    pong_q = asyncio.Queue(maxsize=1)
    t = asyncio.create_task(pong(ping_q, pong_q, rounds))
    total = 0
    for i in range(rounds):
        await ping_q.put(i)
        total += await pong_q.get()
    await t
    print(f"messages {messages} sum {total}")


asyncio.run(main())
