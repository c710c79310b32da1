-- Mandelbrot set membership on a 400x400 grid, 50 iterations at most:
-- measures float arithmetic and compound loop conditions on locals.
local function mandel(size)
    local count = 0
    local y = 0
    while y < size do
        local ci = 2.0 * y / size - 1.0
        local x = 0
        while x < size do
            local cr = 2.0 * x / size - 1.5
            local zr, zi = 0.0, 0.0
            local k = 0
            while k < 50 and zr * zr + zi * zi < 4.0 do
                local t = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = t
                k = k + 1
            end
            if k == 50 then count = count + 1 end
            x = x + 1
        end
        y = y + 1
    end
    return count
end
print(mandel(400))
