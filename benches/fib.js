// Recursive Fibonacci: measures call overhead, int arithmetic and comparison.
function fib(n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

console.log(fib(30));
