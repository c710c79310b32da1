# A 20M-iteration while loop of integer arithmetic on locals: measures the
# dispatch loop itself. The sum stays far below 2^63.
def main():
    n = 20000000
    total = 0
    i = 0
    while i < n:
        total = total + i * i % 7
        i = i + 1
    print(total)


main()
