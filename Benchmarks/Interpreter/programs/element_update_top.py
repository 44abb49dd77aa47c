h = [0] * 100_000
for round in range(10):
    for i in range(100_000):
        h[i] = h[i] + round
print(h[0], h[99_999])
