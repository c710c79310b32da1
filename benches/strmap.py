# Strings and maps: build 200k interpolated keys, insert them, look each one
# up again (hits) plus 200k absent keys (misses), then concatenate short
# strings into 200-character chunks.
def main():
    n = 200000
    m = {}
    for i in range(n):
        m[f"key{i}"] = i

    hits = 0
    total = 0
    lens = 0
    for i in range(n):
        k = "key" + str(i)
        v = m.get(k, -1)
        if v >= 0:
            hits = hits + 1
            total = total + v
        lens = lens + len(k)

    misses = 0
    for i in range(n):
        if m.get(f"nokey{i}", -1) == -1:
            misses = misses + 1

    line = ""
    last = ""
    pieces = 0
    chunks = 0
    chars = 0
    for i in range(n):
        line = line + str(i % 10) + ","
        pieces = pieces + 1
        if pieces == 100:
            chunks = chunks + 1
            chars = chars + len(line)
            last = line
            line = ""
            pieces = 0

    print(f"keys: {len(m)}")
    print(f"hits: {hits} sum: {total} lens: {lens}")
    print(f"misses: {misses}")
    print(f"chunks: {chunks} chars: {chars}")
    print(f"last: {last}")


main()
