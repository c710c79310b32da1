// A 20M-iteration while loop of integer arithmetic on locals: measures the
// dispatch loop itself. The sum stays far below 2^53, so doubles are exact.
function main() {
    const n = 20000000;
    let sum = 0;
    let i = 0;
    while (i < n) {
        sum = sum + i * i % 7;
        i = i + 1;
    }
    console.log(sum);
}

main();
