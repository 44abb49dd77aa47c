def histogram():
    h = [0] * 100_000
    for i in range(1_000_000):
        h[i % 1000] += 1
    return h
h = histogram()
print(h[0], h[999], h[1000])
