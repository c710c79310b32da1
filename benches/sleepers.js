// sleepers: memory per task. 100,000 tasks each sleep 2 s; run with the argument 0 for the
// baseline (the same program with no tasks). run_async.sh compares peak RSS.

const n = process.argv.length > 2 ? Number(process.argv[2]) : 100000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function sleeper() {
  await sleep(2000);
}

async function main() {
  const tasks = [];
  for (let i = 0; i < n; i++) {
    tasks.push(sleeper());
  }
  for (const t of tasks) {
    await t;
  }
  console.log(`sleepers ${n} done`);
}

main();
