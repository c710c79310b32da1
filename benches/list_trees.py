# binary-trees with each node a two-element list [left, right] instead of an
# instance: measures allocation of small lists, indexing and the collector.
def make(depth):
    if depth == 0:
        return [None, None]
    return [make(depth - 1), make(depth - 1)]


def check(tree):
    if tree[0] is None:
        return 1
    return 1 + check(tree[0]) + check(tree[1])


def pow2(k):
    r = 1
    j = 0
    while j < k:
        r = r * 2
        j = j + 1
    return r


def main():
    min_depth = 4
    max_depth = 16
    stretch_depth = max_depth + 1

    print(f"stretch tree of depth {stretch_depth}\t check: {check(make(stretch_depth))}")

    long_lived = make(max_depth)

    depth = min_depth
    while depth <= max_depth:
        iterations = pow2(max_depth - depth + min_depth)
        total = 0
        i = 0
        while i < iterations:
            total = total + check(make(depth))
            i = i + 1
        print(f"{iterations}\t trees of depth {depth}\t check: {total}")
        depth = depth + 2

    print(f"long lived tree of depth {max_depth}\t check: {check(long_lived)}")


main()
