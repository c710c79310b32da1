-- Sieve of Eratosthenes over a list of 1,000,001 booleans, five times:
-- measures list indexing, list stores and appends in counting loops.
local function sieve(n)
    local flags = {}
    for i = 0, n do flags[i] = true end
    local count = 0
    for i = 2, n do
        if flags[i] then
            count = count + 1
            local j = i * i
            while j <= n do
                flags[j] = false
                j = j + i
            end
        end
    end
    return count
end
local total = 0
for r = 0, 4 do total = total + sieve(1000000) end
print(total)
