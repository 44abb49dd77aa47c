xs = []
for i in range(1_000_000):
    xs.append(i)
print(len(xs), xs[999_999])
