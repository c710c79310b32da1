-- Closures: creating and calling many small closures. Four parts, each
-- printing a checksum:
-- - counters: closures made by a factory that update a captured local;
-- - pipeline: stages built from lambdas by adder/multiplier/modulo and
--   compose, run over a list with hand-written map, filter and reduce;
-- - loop capture: a closure per loop iteration, each capturing that
--   iteration's variable, then all called;
-- - memo: a memoizing wrapper (a closure over a table) around a recursive
--   binomial coefficient modulo a prime, made afresh each round.
-- map, filter and reduce are written out so every language runs the same
-- calls. Lists are 1-based, with their lengths kept in locals. Written in
-- Lua 5.1, so LuaJIT runs it too; every number stays an integer below 2^53.

local function make_counter(step)
    local count = 0
    return function()
        count = count + step
        return count
    end
end

local function compose(f, g)
    return function(x) return f(g(x)) end
end

local function adder(k)
    return function(x) return x + k end
end

local function multiplier(k)
    return function(x) return x * k end
end

local function modulo(m)
    return function(x) return x % m end
end

local function map_list(xs, f)
    local out = {}
    for j = 1, #xs do
        out[j] = f(xs[j])
    end
    return out
end

local function filter_list(xs, pred)
    local out = {}
    local n = 0
    for j = 1, #xs do
        local x = xs[j]
        if pred(x) then
            n = n + 1
            out[n] = x
        end
    end
    return out
end

local function reduce_list(xs, f, acc)
    for j = 1, #xs do
        acc = f(acc, xs[j])
    end
    return acc
end

local function memoize2(f)
    local cache = {}
    return function(n, k)
        local key = n * 64 + k
        local v = cache[key]
        if v == nil then
            v = f(n, k)
            cache[key] = v
        end
        return v
    end
end

local function counters(n)
    local total = 0
    for i = 0, n - 1 do
        local c = make_counter(i % 7 + 1)
        c()
        c()
        total = total + c()
    end
    return total
end

local function pipeline(rounds, size)
    local xs = {}
    for i = 0, size - 1 do
        xs[i + 1] = i
    end
    local total = 0
    for r = 0, rounds - 1 do
        local stage = compose(modulo(1000), compose(multiplier(r % 5 + 3), adder(r)))
        stage = compose(adder(1), compose(stage, multiplier(2)))
        local threshold = r % 500
        local ys = map_list(xs, stage)
        local zs = filter_list(ys, function(y) return y > threshold end)
        total = total + reduce_list(zs, function(acc, z) return (acc + z) % 1000003 end, 0)
    end
    return total
end

local function loop_capture(rounds, width)
    local total = 0
    for r = 0, rounds - 1 do
        local fns = {}
        for i = 0, width - 1 do
            fns[i + 1] = function(x) return x * i + r end
        end
        for j = 1, width do
            total = total + fns[j](r % 10)
        end
    end
    return total
end

local function memo_binomials(rounds, n)
    local total = 0
    for r = 0, rounds - 1 do
        local binom
        local function raw(n, k)
            if k == 0 or k == n then return 1 end
            return (binom(n - 1, k - 1) + binom(n - 1, k)) % 1000003
        end
        binom = memoize2(raw)
        total = total + binom(n, r % n)
    end
    return total
end

local function main()
    print("counters: " .. counters(1200000))
    print("pipeline: " .. pipeline(1600, 500))
    print("loop capture: " .. loop_capture(20000, 100))
    print("memo: " .. memo_binomials(4000, 40))
end

main()
