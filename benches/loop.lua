-- A 20M-iteration while loop of integer arithmetic on locals: measures the
-- dispatch loop itself. The sum stays far below 2^63.
local function main()
    local n = 20000000
    local sum = 0
    local i = 0
    while i < n do
        sum = sum + i * i % 7
        i = i + 1
    end
    print(sum)
end

main()
