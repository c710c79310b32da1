# binary-trees (the Computer Language Benchmarks Game program) at depth 16:
# measures allocation, field access and the garbage collector. Trees are
# instances of a plain class, as in the Weft and Lua versions.
class Node:
    def __init__(self, left, right):
        self.left = left
        self.right = right


def make(depth):
    if depth == 0:
        return Node(None, None)
    return Node(make(depth - 1), make(depth - 1))


def check(tree):
    if tree.left is None:
        return 1
    return 1 + check(tree.left) + check(tree.right)


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
