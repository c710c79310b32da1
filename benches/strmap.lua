-- Strings and maps: build 200k interpolated keys, insert them, look each one
-- up again (hits) plus 200k absent keys (misses), then concatenate short
-- strings into 200-character chunks.
local function main()
    local n = 200000
    local m = {}
    for i = 0, n - 1 do
        m["key" .. i] = i
    end

    local hits = 0
    local sum = 0
    local lens = 0
    for i = 0, n - 1 do
        local k = "key" .. tostring(i)
        local v = m[k]
        if v == nil then v = -1 end
        if v >= 0 then
            hits = hits + 1
            sum = sum + v
        end
        lens = lens + #k
    end

    local misses = 0
    for i = 0, n - 1 do
        local v = m["nokey" .. i]
        if v == nil then v = -1 end
        if v == -1 then
            misses = misses + 1
        end
    end

    local line = ""
    local last = ""
    local pieces = 0
    local chunks = 0
    local chars = 0
    for i = 0, n - 1 do
        line = line .. tostring(i % 10) .. ","
        pieces = pieces + 1
        if pieces == 100 then
            chunks = chunks + 1
            chars = chars + #line
            last = line
            line = ""
            pieces = 0
        end
    end

    -- Lua tables keep no entry count, so the size is counted by walking them.
    local keys = 0
    for _ in pairs(m) do keys = keys + 1 end

    print("keys: " .. keys)
    print("hits: " .. hits .. " sum: " .. sum .. " lens: " .. lens)
    print("misses: " .. misses)
    print("chunks: " .. chunks .. " chars: " .. chars)
    print("last: " .. last)
end

main()
