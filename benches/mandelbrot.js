// Mandelbrot set membership on a 400x400 grid, 50 iterations at most:
// measures float arithmetic and compound loop conditions on locals.
function mandel(size) {
    let count = 0;
    let y = 0;
    while (y < size) {
        const ci = 2.0 * y / size - 1.0;
        let x = 0;
        while (x < size) {
            const cr = 2.0 * x / size - 1.5;
            let zr = 0.0;
            let zi = 0.0;
            let k = 0;
            while (k < 50 && zr * zr + zi * zi < 4.0) {
                const t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                k = k + 1;
            }
            if (k == 50) count = count + 1;
            x = x + 1;
        }
        y = y + 1;
    }
    return count;
}
console.log(mandel(400));
