// Closures: creating and calling many small closures. Four parts, each
// printing a checksum:
// - counters: closures made by a factory that update a captured local;
// - pipeline: stages built from lambdas by adder/multiplier/modulo and
//   compose, run over a list with hand-written map, filter and reduce;
// - loop capture: a closure per loop iteration, each capturing that
//   iteration's variable, then all called;
// - memo: a memoizing wrapper (a closure over a Map) around a recursive
//   binomial coefficient modulo a prime, made afresh each round.
// map, filter and reduce are written out (not Array's methods) so every
// language runs the same calls. Every number stays an integer below 2^53.

function makeCounter(step) {
    let count = 0;
    return function () {
        count = count + step;
        return count;
    };
}

function compose(f, g) {
    return (x) => f(g(x));
}

function adder(k) {
    return (x) => x + k;
}

function multiplier(k) {
    return (x) => x * k;
}

function modulo(m) {
    return (x) => x % m;
}

function mapList(xs, f) {
    const out = [];
    for (const x of xs) {
        out.push(f(x));
    }
    return out;
}

function filterList(xs, pred) {
    const out = [];
    for (const x of xs) {
        if (pred(x)) out.push(x);
    }
    return out;
}

function reduceList(xs, f, acc) {
    for (const x of xs) {
        acc = f(acc, x);
    }
    return acc;
}

function memoize2(f) {
    const cache = new Map();
    return function (n, k) {
        const key = n * 64 + k;
        let v = cache.get(key);
        if (v === undefined) {
            v = f(n, k);
            cache.set(key, v);
        }
        return v;
    };
}

function counters(n) {
    let total = 0;
    for (let i = 0; i < n; i++) {
        const c = makeCounter(i % 7 + 1);
        c();
        c();
        total = total + c();
    }
    return total;
}

function pipeline(rounds, size) {
    const xs = [];
    for (let i = 0; i < size; i++) {
        xs.push(i);
    }
    let total = 0;
    for (let r = 0; r < rounds; r++) {
        let stage = compose(modulo(1000), compose(multiplier(r % 5 + 3), adder(r)));
        stage = compose(adder(1), compose(stage, multiplier(2)));
        const threshold = r % 500;
        const ys = mapList(xs, stage);
        const zs = filterList(ys, (y) => y > threshold);
        total = total + reduceList(zs, (acc, z) => (acc + z) % 1000003, 0);
    }
    return total;
}

function loopCapture(rounds, width) {
    let total = 0;
    for (let r = 0; r < rounds; r++) {
        const fns = [];
        for (let i = 0; i < width; i++) {
            fns.push((x) => x * i + r);
        }
        for (const f of fns) {
            total = total + f(r % 10);
        }
    }
    return total;
}

function memoBinomials(rounds, n) {
    let total = 0;
    for (let r = 0; r < rounds; r++) {
        let binom = null;
        const raw = (n, k) => {
            if (k === 0 || k === n) return 1;
            return (binom(n - 1, k - 1) + binom(n - 1, k)) % 1000003;
        };
        binom = memoize2(raw);
        total = total + binom(n, r % n);
    }
    return total;
}

function main() {
    console.log(`counters: ${counters(1200000)}`);
    console.log(`pipeline: ${pipeline(1600, 500)}`);
    console.log(`loop capture: ${loopCapture(20000, 100)}`);
    console.log(`memo: ${memoBinomials(4000, 40)}`);
}

main();
