// spawn: 100,000 tasks that each yield to the scheduler once, then are joined.

// Each task yields once to the event loop (setImmediate, a macrotask, like sleep(0)).
const yieldOnce = () => new Promise((resolve) => setImmediate(resolve));

async function worker(i) {
  await yieldOnce();
  return i;
}

async function main() {
  const n = 100000;
  const tasks = [];
  for (let i = 0; i < n; i++) {
    tasks.push(worker(i));
  }
  let sum = 0;
  for (const t of tasks) {
    sum += await t;
  }
  console.log(`tasks ${n} sum ${sum}`);
}

main();
