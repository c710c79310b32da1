// Strings and maps: build 200k interpolated keys, insert them, look each one
// up again (hits) plus 200k absent keys (misses), then concatenate short
// strings into 200-character chunks. The map is a `Map`, JavaScript's
// string-keyed dictionary with a size.
function main() {
    const n = 200000;
    const m = new Map();
    for (let i = 0; i < n; i++) {
        m.set(`key${i}`, i);
    }

    let hits = 0;
    let sum = 0;
    let lens = 0;
    for (let i = 0; i < n; i++) {
        const k = "key" + String(i);
        let v = m.get(k);
        if (v === undefined) v = -1;
        if (v >= 0) {
            hits = hits + 1;
            sum = sum + v;
        }
        lens = lens + k.length;
    }

    let misses = 0;
    for (let i = 0; i < n; i++) {
        let v = m.get(`nokey${i}`);
        if (v === undefined) v = -1;
        if (v === -1) {
            misses = misses + 1;
        }
    }

    let line = "";
    let last = "";
    let pieces = 0;
    let chunks = 0;
    let chars = 0;
    for (let i = 0; i < n; i++) {
        line = line + String(i % 10) + ",";
        pieces = pieces + 1;
        if (pieces === 100) {
            chunks = chunks + 1;
            chars = chars + line.length;
            last = line;
            line = "";
            pieces = 0;
        }
    }

    console.log(`keys: ${m.size}`);
    console.log(`hits: ${hits} sum: ${sum} lens: ${lens}`);
    console.log(`misses: ${misses}`);
    console.log(`chunks: ${chunks} chars: ${chars}`);
    console.log(`last: ${last}`);
}

main();
