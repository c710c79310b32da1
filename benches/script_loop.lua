-- The loop benchmark written at the top level of the script, the way
-- short scripts are written: measures loops over a script's own variables.
local n = 20000000
local sum = 0
local i = 0
while i < n do
    sum = sum + i * i % 7
    i = i + 1
end
print(sum)
