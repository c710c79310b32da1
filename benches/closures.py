# Closures: creating and calling many small closures. Four parts, each
# printing a checksum:
# - counters: closures made by a factory that update a captured local;
# - pipeline: stages built from lambdas by adder/multiplier/modulo and
#   compose, run over a list with hand-written map, filter and reduce;
# - loop capture: a closure per loop iteration, each capturing that
#   iteration's variable, then all called;
# - memo: a memoizing wrapper (a closure over a dict) around a recursive
#   binomial coefficient modulo a prime, made afresh each round.
# map, filter and reduce are written out (not the built-ins) so every language
# runs the same calls. Python binds each iteration's variable with a default
# argument (`i=i`), its idiom for what Weft's `for`, Lua's numeric `for` and
# JavaScript's `let` do by themselves.


def make_counter(step):
    count = 0

    def counter():
        nonlocal count
        count = count + step
        return count

    return counter


def compose(f, g):
    return lambda x: f(g(x))


def adder(k):
    return lambda x: x + k


def multiplier(k):
    return lambda x: x * k


def modulo(m):
    return lambda x: x % m


def map_list(xs, f):
    out = []
    for x in xs:
        out.append(f(x))
    return out


def filter_list(xs, pred):
    out = []
    for x in xs:
        if pred(x):
            out.append(x)
    return out


def reduce_list(xs, f, acc):
    for x in xs:
        acc = f(acc, x)
    return acc


def memoize2(f):
    cache = {}

    def memo(n, k):
        key = n * 64 + k
        v = cache.get(key, -1)
        if v == -1:
            v = f(n, k)
            cache[key] = v
        return v

    return memo


def counters(n):
    total = 0
    for i in range(n):
        c = make_counter(i % 7 + 1)
        c()
        c()
        total = total + c()
    return total


def pipeline(rounds, size):
    xs = list(range(size))
    total = 0
    for r in range(rounds):
        stage = compose(modulo(1000), compose(multiplier(r % 5 + 3), adder(r)))
        stage = compose(adder(1), compose(stage, multiplier(2)))
        threshold = r % 500
        ys = map_list(xs, stage)
        zs = filter_list(ys, lambda y: y > threshold)
        total = total + reduce_list(zs, lambda acc, z: (acc + z) % 1000003, 0)
    return total


def loop_capture(rounds, width):
    total = 0
    for r in range(rounds):
        fns = []
        for i in range(width):
            fns.append(lambda x, i=i: x * i + r)
        for f in fns:
            total = total + f(r % 10)
    return total


def memo_binomials(rounds, n):
    total = 0
    for r in range(rounds):
        binom = None

        def raw(n, k):
            if k == 0 or k == n:
                return 1
            return (binom(n - 1, k - 1) + binom(n - 1, k)) % 1000003

        binom = memoize2(raw)
        total = total + binom(n, r % n)
    return total


def main():
    print(f"counters: {counters(1200000)}")
    print(f"pipeline: {pipeline(1600, 500)}")
    print(f"loop capture: {loop_capture(20000, 100)}")
    print(f"memo: {memo_binomials(4000, 40)}")


main()
