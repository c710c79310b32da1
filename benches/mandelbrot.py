# Mandelbrot set membership on a 400x400 grid, 50 iterations at most:
# measures float arithmetic and compound loop conditions on locals.
def mandel(size):
    count = 0
    y = 0
    while y < size:
        ci = 2.0 * y / size - 1.0
        x = 0
        while x < size:
            cr = 2.0 * x / size - 1.5
            zr = 0.0; zi = 0.0
            k = 0
            while k < 50 and zr * zr + zi * zi < 4.0:
                t = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = t
                k = k + 1
            if k == 50: count = count + 1
            x = x + 1
        y = y + 1
    return count
print(mandel(400))
