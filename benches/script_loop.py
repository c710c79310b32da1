# The loop benchmark written at the top level of the script, the way
# short scripts are written: measures loops over a script's own variables.
n = 20000000
s = 0
i = 0
while i < n:
    s = s + i * i % 7
    i = i + 1
print(s)
