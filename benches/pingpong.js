// pingpong: 200,000 messages bounced between two tasks over two rendezvous channels.

// A tiny rendezvous channel on promises: send resolves once a receiver has taken the value.
class Channel {
  constructor() {
    this.senders = []; // [value, resolve] waiting for a receiver
    this.receivers = []; // resolve functions waiting for a value
  }
  send(value) {
    return new Promise((resolve) => {
      const r = this.receivers.shift();
      if (r) {
        r(value);
        resolve();
      } else {
        this.senders.push([value, resolve]);
      }
    });
  }
  recv() {
    return new Promise((resolve) => {
      const s = this.senders.shift();
      if (s) {
        s[1]();
        resolve(s[0]);
      } else {
        this.receivers.push(resolve);
      }
    });
  }
}

async function pong(pingCh, pongCh, rounds) {
  for (let i = 0; i < rounds; i++) {
    const v = await pingCh.recv();
    await pongCh.send(v + 1);
  }
}

async function main() {
  const messages = 200000;
  const rounds = messages / 2;
  const pingCh = new Channel();
  const pongCh = new Channel();
  const t = pong(pingCh, pongCh, rounds);
  let sum = 0;
  for (let i = 0; i < rounds; i++) {
    await pingCh.send(i);
    sum += await pongCh.recv();
  }
  await t;
  console.log(`messages ${messages} sum ${sum}`);
}

main();
