# Sieve of Eratosthenes over a list of 1,000,001 booleans, five times:
# measures list indexing, list stores and appends in counting loops.
def sieve(n):
    flags = []
    for i in range(n + 1): flags.append(True)
    count = 0
    for i in range(2, n + 1):
        if flags[i]:
            count = count + 1
            j = i * i
            while j <= n:
                flags[j] = False
                j = j + i
    return count
total = 0
for r in range(5): total = total + sieve(1000000)
print(total)
