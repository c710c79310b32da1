// binary-trees with each node a two-element array [left, right] instead of
// an instance: measures allocation of small arrays, indexing and the collector.
function make(depth) {
    if (depth === 0) return [null, null];
    return [make(depth - 1), make(depth - 1)];
}

function check(tree) {
    if (tree[0] === null) return 1;
    return 1 + check(tree[0]) + check(tree[1]);
}

// 2^k is a loop, as in the other versions (Weft has no shift operator).
function pow2(k) {
    let r = 1;
    let j = 0;
    while (j < k) {
        r = r * 2;
        j = j + 1;
    }
    return r;
}

function main() {
    const minDepth = 4;
    const maxDepth = 16;
    const stretchDepth = maxDepth + 1;

    console.log(`stretch tree of depth ${stretchDepth}\t check: ${check(make(stretchDepth))}`);

    const longLived = make(maxDepth);

    let depth = minDepth;
    while (depth <= maxDepth) {
        const iterations = pow2(maxDepth - depth + minDepth);
        let total = 0;
        let i = 0;
        while (i < iterations) {
            total = total + check(make(depth));
            i = i + 1;
        }
        console.log(`${iterations}\t trees of depth ${depth}\t check: ${total}`);
        depth = depth + 2;
    }

    console.log(`long lived tree of depth ${maxDepth}\t check: ${check(longLived)}`);
}

main();
