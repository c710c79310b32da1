// Sieve of Eratosthenes over a list of 1,000,001 booleans, five times:
// measures list indexing, list stores and appends in counting loops.
function sieve(n) {
    const flags = [];
    for (let i = 0; i < n + 1; i++) flags.push(true);
    let count = 0;
    for (let i = 2; i < n + 1; i++) {
        if (flags[i]) {
            count = count + 1;
            let j = i * i;
            while (j <= n) {
                flags[j] = false;
                j = j + i;
            }
        }
    }
    return count;
}
let total = 0;
for (let r = 0; r < 5; r++) total = total + sieve(1000000);
console.log(total);
