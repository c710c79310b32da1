// The loop benchmark written at the top level of the script, the way
// short scripts are written: measures loops over a script's own variables.
let n = 20000000;
let sum = 0;
let i = 0;
while (i < n) {
    sum = sum + i * i % 7;
    i = i + 1;
}
console.log(sum);
