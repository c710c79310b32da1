-- binary-trees with each node a two-element array {left, right} instead of
-- a table with named fields: measures allocation of small tables, indexing
-- and the collector. Leaves hold `false`, not nil, so that every node really
-- has two array slots, as in the other languages.
local function make(depth)
    if depth == 0 then return { false, false } end
    return { make(depth - 1), make(depth - 1) }
end

local function check(tree)
    if tree[1] == false then return 1 end
    return 1 + check(tree[1]) + check(tree[2])
end

local function pow2(k)
    local r = 1
    local j = 0
    while j < k do
        r = r * 2
        j = j + 1
    end
    return r
end

local function main()
    local min_depth = 4
    local max_depth = 16
    local stretch_depth = max_depth + 1

    print("stretch tree of depth " .. stretch_depth .. "\t check: " .. check(make(stretch_depth)))

    local long_lived = make(max_depth)

    local depth = min_depth
    while depth <= max_depth do
        local iterations = pow2(max_depth - depth + min_depth)
        local total = 0
        local i = 0
        while i < iterations do
            total = total + check(make(depth))
            i = i + 1
        end
        print(iterations .. "\t trees of depth " .. depth .. "\t check: " .. total)
        depth = depth + 2
    end

    print("long lived tree of depth " .. max_depth .. "\t check: " .. check(long_lived))
end

main()
