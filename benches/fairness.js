// fairness: the worst lateness of a 10 ms ticker while another task spins on the CPU for 2 s.
// The event loop cannot preempt the spinner, so the ticker waits until it ends.

const { performance } = require("perf_hooks");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const monotonic = () => performance.now() / 1000;

let spinning = true;

async function spinner() {
  // A CPU-bound loop: the event loop cannot preempt it, so it holds the loop for 2 s.
  await null; // start after the ticker's first sleep, as a spawned task would
  const end = monotonic() + 2.0;
  let spins = 0;
  while (monotonic() < end) {
    spins += 1;
  }
  spinning = false;
}

async function ticker() {
  let worst = 0.0;
  while (spinning) {
    const asked = monotonic();
    await sleep(10);
    const late = monotonic() - asked - 0.01;
    if (late > worst) worst = late;
  }
  return worst;
}

async function main() {
  const t = ticker();
  await spinner();
  const worst = await t;
  console.log(`max lateness ${Math.floor(worst * 1000 + 0.5)} ms`);
}

main();
